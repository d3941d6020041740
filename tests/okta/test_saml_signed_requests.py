"""Signed AuthnRequests: an app with Signed Requests (samlSignedRequestEnabled) checks them with
its Signature Certificate (spCertificate); pysaml2 plays the SP that signs."""

import base64
import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.sigver import SIGNER_ALGS, import_rsa_key_from_file
from saml2.xmldsig import SIG_RSA_SHA1, SIG_RSA_SHA256

from tests.okta.api_helpers import SSWS
from tests.okta.sso_helpers import (
    ACS,
    APP_ID,
    ENTITY_ID,
    OKTA_URL,
    SONAR_URL,
    SSO_PATH,
    form_fields,
    from_uri_of,
    location_path,
    metadata,
    seed_default_world,
    set_sign_on,
    sign_in,
    sp_client,
    sp_key_files,
)

SSO_URL = f"{OKTA_URL}{SSO_PATH}"
UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
BAD_SIGNATURE = "The SAML request signature could not be validated"
NO_NAME_ID_POLICY = (
    "NameIDPolicy &#39;&#39; is not the configured Name ID Format "
    f"&#39;{UNSPECIFIED}&#39; for the app"
)


@pytest.fixture
def okta(okta_app, devenv_keys):
    seed_default_world(okta_app, devenv_keys)
    return okta_app.test_client()


@pytest.fixture
def sp_keys(tmp_path):
    return sp_key_files(tmp_path)


@pytest.fixture
def sp(okta, sp_keys):
    """The SP, signing with the key whose certificate the app holds."""
    key_file, cert_file, _cert = sp_keys
    return sp_client(metadata(okta), key_file=key_file, cert_file=cert_file)


@pytest.fixture
def intruder(okta, tmp_path):
    """An SP signing with some other key."""
    key_file, cert_file, _cert = sp_key_files(tmp_path, "intruder")
    return sp_client(metadata(okta), key_file=key_file, cert_file=cert_file)


@pytest.fixture
def signed_requests(okta, sp_keys):
    """Signed Requests on, with the SP's certificate as the Signature Certificate."""
    return set_sign_on(
        okta, samlSignedRequestEnabled=True, spCertificate={"x5c": [sp_keys[2] + "\r\n"]}
    )


def redirect_path(sp, *, sign: bool = True, **kwargs) -> tuple[str, str]:
    """(request id, SSO path + query) of an HTTP-Redirect AuthnRequest, NameIDPolicy unspecified."""
    kwargs.setdefault("nameid_format", UNSPECIFIED)
    request_id, info = sp.prepare_for_authenticate(
        entityid=ENTITY_ID,
        relay_state="/projects",
        binding=BINDING_HTTP_REDIRECT,
        sign=sign,
        sigalg=SIG_RSA_SHA256,
        **kwargs,
    )
    return request_id, dict(info["headers"])["Location"].removeprefix(OKTA_URL)


def post_fields(sp, *, sign: bool = True, **kwargs) -> tuple[str, dict]:
    """(request id, form) of an HTTP-POST AuthnRequest, enveloped-signed when `sign`."""
    kwargs.setdefault("nameid_format", UNSPECIFIED)
    request_id, request = sp.create_authn_request(
        SSO_URL, binding=BINDING_HTTP_POST, sign=sign, sign_alg=SIG_RSA_SHA256, **kwargs
    )
    encoded = base64.b64encode(str(request).encode()).decode()
    return request_id, {"SAMLRequest": encoded, "RelayState": "/projects"}


def answered(response) -> tuple[str, dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return form_fields(response.get_data(as_text=True))


def refused_with(response, words: str) -> None:
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)


# --- Signed Requests on -------------------------------------------------------------------------


def test_a_redirect_request_signed_with_the_certificate_is_answered(okta, sp, signed_requests):
    request_id, path = redirect_path(sp)
    sign_in(okta)
    action, fields = answered(okta.get(path))
    assert action == ACS
    result = sp.parse_authn_request_response(
        fields["SAMLResponse"], BINDING_HTTP_POST, {request_id: "/"}
    )
    assert result.in_response_to == request_id


def test_a_post_request_with_an_enveloped_signature_is_answered(okta, sp, signed_requests):
    _request_id, form = post_fields(sp)
    sign_in(okta)
    action, fields = answered(okta.post(SSO_PATH, data=form))
    assert action == ACS
    assert fields["RelayState"] == "/projects"


def test_an_unsigned_redirect_request_is_refused(okta, sp, signed_requests):
    _request_id, path = redirect_path(sp, sign=False)
    sign_in(okta)
    refused_with(okta.get(path), BAD_SIGNATURE)


def test_an_unsigned_post_request_is_refused(okta, sp, signed_requests):
    _request_id, form = post_fields(sp, sign=False)
    sign_in(okta)
    refused_with(okta.post(SSO_PATH, data=form), BAD_SIGNATURE)


@pytest.mark.parametrize("binding", ["redirect", "post"])
def test_a_request_signed_with_another_key_is_refused(okta, intruder, signed_requests, binding):
    sign_in(okta)
    if binding == "redirect":
        response = okta.get(redirect_path(intruder)[1])
    else:
        response = okta.post(SSO_PATH, data=post_fields(intruder)[1])
    refused_with(response, BAD_SIGNATURE)


def test_the_redirect_signature_covers_the_relay_state(okta, sp, signed_requests):
    _request_id, path = redirect_path(sp)
    sign_in(okta)
    refused_with(
        okta.get(path.replace("RelayState=%2Fprojects", "RelayState=%2Fadmin")), BAD_SIGNATURE
    )


def test_the_redirect_signature_is_checked_over_the_query_string_as_sent(
    okta, sp, sp_keys, signed_requests
):
    """An SP may percent-encode in its own way (lower-case hex here): the signature covers the
    octets it sent, which a re-encoding of the decoded values would not reproduce."""
    _request_id, path = redirect_path(sp, sign=False)
    saml_request = parse_qs(urlsplit(path).query)["SAMLRequest"][0]

    def encoded(value: str) -> str:
        return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(value, safe=""))

    signed = (
        f"SAMLRequest={encoded(saml_request)}&RelayState={encoded('/projects')}"
        f"&SigAlg={encoded(SIG_RSA_SHA1)}"
    )
    key = import_rsa_key_from_file(sp_keys[0])
    signature = base64.b64encode(SIGNER_ALGS[SIG_RSA_SHA1].sign(signed.encode(), key)).decode()
    sign_in(okta)
    answered(okta.get(f"{SSO_PATH}?{signed}&Signature={encoded(signature)}"))


def test_a_request_without_name_id_policy_is_refused_in_oktas_words(okta, sp, signed_requests):
    _request_id, path = redirect_path(sp, nameid_format=None)
    sign_in(okta)
    refused_with(okta.get(path), NO_NAME_ID_POLICY)


def test_another_name_id_policy_is_refused(okta, sp, signed_requests):
    email = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    _request_id, path = redirect_path(sp, nameid_format=email)
    sign_in(okta)
    refused_with(okta.get(path), f"NameIDPolicy &#39;{email}&#39; is not the configured")


def test_a_checked_request_survives_the_sign_in_page(okta, sp, signed_requests):
    _request_id, path = redirect_path(sp)
    response = okta.get(path)
    from_uri = from_uri_of(response)
    assert "signedRequestSeal=" in from_uri
    assert "Signature=" not in from_uri
    signed = sign_in(okta, from_uri=from_uri)
    assert location_path(signed) == from_uri
    action, _fields = answered(okta.get(from_uri))
    assert action == ACS


def test_a_forged_seal_does_not_stand_for_a_signature(okta, sp, signed_requests):
    _request_id, path = redirect_path(sp, sign=False)
    sign_in(okta)
    refused_with(okta.get(f"{path}&signedRequestSeal={'0' * 64}"), BAD_SIGNATURE)


def test_a_refused_request_without_a_session_signs_in_and_lands_on_the_dashboard(
    okta, sp, signed_requests
):
    _request_id, path = redirect_path(sp, sign=False)
    response = okta.get(path)
    assert response.status_code == 302
    assert from_uri_of(response) == "/app/UserHome"


def test_a_signed_request_chooses_its_acs_url(okta, sp, signed_requests):
    other = f"{SONAR_URL}/other/acs"
    _request_id, form = post_fields(sp, assertion_consumer_service_url=other)
    sign_in(okta)
    action, fields = answered(okta.post(SSO_PATH, data=form))
    assert action == other
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    assert f'Destination="{other}"' in xml
    assert f'Recipient="{other}"' in xml


def test_without_a_certificate_every_request_is_refused(okta, sp):
    set_sign_on(okta, samlSignedRequestEnabled=True)
    sign_in(okta)
    refused_with(okta.get(redirect_path(sp)[1]), BAD_SIGNATURE)


# --- Signed Requests off ------------------------------------------------------------------------


def test_unsigned_requests_are_answered_when_signed_requests_are_off(okta, sp, sp_keys):
    set_sign_on(okta, spCertificate={"x5c": [sp_keys[2]]})
    sign_in(okta)
    assert okta.get(redirect_path(sp, sign=False)[1]).status_code == 200


def test_an_unsigned_request_cannot_choose_its_acs_url(okta, sp):
    _request_id, form = post_fields(
        sp, sign=False, assertion_consumer_service_url=f"{SONAR_URL}/other/acs"
    )
    sign_in(okta)
    action, _fields = answered(okta.post(SSO_PATH, data=form))
    assert action == ACS


# --- the Apps API -------------------------------------------------------------------------------


def test_signed_requests_replace_the_requestable_sso_urls(okta, sp_keys):
    set_sign_on(
        okta,
        allowMultipleAcsEndpoints=True,
        acsEndpoints=[{"url": f"{SONAR_URL}/other/acs", "index": 1}],
    )
    app = set_sign_on(okta, samlSignedRequestEnabled=True, spCertificate={"x5c": [sp_keys[2]]})
    assert app["settings"]["signOn"]["acsEndpoints"] == []
    assert app["settings"]["signOn"]["samlSignedRequestEnabled"] is True


def test_signed_requests_must_be_a_boolean(okta):
    body = okta.get(f"/api/v1/apps/{APP_ID}", headers=SSWS).get_json()
    body["settings"]["signOn"]["samlSignedRequestEnabled"] = "yes"
    response = okta.put(f"/api/v1/apps/{APP_ID}", json=body, headers=SSWS)
    assert response.status_code == 400
    assert response.get_json()["errorCauses"] == [
        {"errorSummary": "samlSignedRequestEnabled: Property value is not of the expected type"}
    ]


def test_a_new_signature_certificate_checks_the_next_post_request(
    okta, sp, signed_requests, tmp_path
):
    sign_in(okta)
    answered(okta.post(SSO_PATH, data=post_fields(sp)[1]))
    key_file, cert_file, certificate = sp_key_files(tmp_path, "next")
    set_sign_on(okta, spCertificate={"x5c": [certificate]})
    next_sp = sp_client(metadata(okta), key_file=key_file, cert_file=cert_file)

    refused_with(okta.post(SSO_PATH, data=post_fields(sp)[1]), BAD_SIGNATURE)
    answered(okta.post(SSO_PATH, data=post_fields(next_sp)[1]))
