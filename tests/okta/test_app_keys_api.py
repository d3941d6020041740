"""Application key credentials: list, get, generate, clone, and a SAML certificate rotation."""

import base64

import pytest
from cryptography import x509
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.sigver import SignatureError

from tests.okta.api_helpers import SSWS
from tests.okta.sso_helpers import (
    APP_ID,
    ENTITY_ID,
    OKTA_URL,
    form_fields,
    metadata,
    seed_default_world,
    sign_in,
    sp_client,
)

KEYS = f"/api/v1/apps/{APP_ID}/credentials/keys"


@pytest.fixture
def okta(okta_app, devenv_keys):
    seed_default_world(okta_app, devenv_keys)
    return okta_app.test_client()


def app_body(okta) -> dict:
    return okta.get(f"/api/v1/apps/{APP_ID}", headers=SSWS).get_json()


def generate(okta, years: int = 2) -> dict:
    response = okta.post(f"{KEYS}/generate?validityYears={years}", headers=SSWS)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def activate(okta, kid: str) -> dict:
    """Replace the app with `credentials.signing.kid` naming the key (Okta's rotation step)."""
    body = app_body(okta)
    body["credentials"]["signing"]["kid"] = kid
    response = okta.put(f"/api/v1/apps/{APP_ID}", headers=SSWS, json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def saml_response(okta, sp, *, signed_in: bool = False) -> str:
    """Alice's SAMLResponse for an SP-initiated sign-in (Redirect binding)."""
    _request_id, info = sp.prepare_for_authenticate(
        entityid=ENTITY_ID, binding=BINDING_HTTP_REDIRECT
    )
    path = dict(info["headers"])["Location"].removeprefix(OKTA_URL)
    if not signed_in:
        sign_in(okta)
    page = okta.get(path).get_data(as_text=True)
    return form_fields(page)[1]["SAMLResponse"]


def test_the_app_has_its_signing_key(okta):
    (key,) = okta.get(KEYS, headers=SSWS).get_json()
    assert key["kid"] == app_body(okta)["credentials"]["signing"]["kid"]
    assert (key["kty"], key["use"], key["e"]) == ("RSA", "sig", "AQAB")
    cert = x509.load_der_x509_certificate(base64.b64decode(key["x5c"][0]))
    assert cert.public_key().public_numbers().e == 65537
    assert okta.get(f"{KEYS}/{key['kid']}", headers=SSWS).get_json() == key


def test_generate_through_the_sdk(sdk, okta):
    key, _, err = sdk(lambda c: c.generate_application_key(APP_ID, validity_years=2))
    assert err is None, err
    listed, _, err = sdk(lambda c: c.list_application_keys(APP_ID))
    assert err is None, err
    assert [k.kid for k in listed][-1] == key.kid
    assert len(listed) == 2
    fetched, _, err = sdk(lambda c: c.get_application_key(APP_ID, key.kid))
    assert (err, fetched.kid) == (None, key.kid)
    assert key.expires_at.year - key.created.year == 2


@pytest.mark.parametrize("years", [1, 11])
def test_validity_years_out_of_range(okta, years):
    response = okta.post(f"{KEYS}/generate?validityYears={years}", headers=SSWS)
    assert response.status_code == 400
    body = response.get_json()
    assert (body["errorCode"], body["errorSummary"]) == (
        "E0000001",
        "Api validation failed: generateKey",
    )
    assert body["errorCauses"] == [
        {"errorSummary": "Validity years out of range. It should be 2 - 10 years."}
    ]


def test_a_generated_key_is_not_used_until_the_app_names_it(okta):
    old_kid = app_body(okta)["credentials"]["signing"]["kid"]
    new = generate(okta)
    assert app_body(okta)["credentials"]["signing"]["kid"] == old_kid
    assert new["x5c"][0] not in metadata(okta)


def test_rotation_signs_with_the_new_key_and_the_metadata_shows_it(okta):
    old_sp = sp_client(metadata(okta))
    new = generate(okta)
    activated = activate(okta, new["kid"])
    assert activated["credentials"]["signing"]["kid"] == new["kid"]
    assert new["x5c"][0] in metadata(okta)
    preview = okta.get(f"/api/v1/apps/{APP_ID}/sso/saml/metadata?kid={new['kid']}", headers=SSWS)
    assert new["x5c"][0] in preview.get_data(as_text=True)
    response = saml_response(okta, sp_client(metadata(okta)))
    # An SP still trusting the old certificate refuses what Okta signs now.
    fresh_sp = sp_client(metadata(okta))
    assert fresh_sp.parse_authn_request_response(response, BINDING_HTTP_POST, {}) is not None
    with pytest.raises(SignatureError):
        old_sp.parse_authn_request_response(response, BINDING_HTTP_POST, {})


def test_naming_an_unknown_kid_is_refused(okta):
    body = app_body(okta)
    body["credentials"]["signing"]["kid"] = "not-a-key-of-this-app"
    response = okta.put(f"/api/v1/apps/{APP_ID}", headers=SSWS, json=body)
    assert (response.status_code, response.get_json()["errorCode"]) == (400, "E0000001")


def test_clone_to_another_app_and_not_twice(okta):
    other = okta.post(
        "/api/v1/apps",
        headers=SSWS,
        json={
            "label": "Other SAML",
            "signOnMode": "SAML_2_0",
            "settings": {
                "signOn": {
                    "ssoAcsUrl": "https://other.example.com/acs",
                    "audience": "other",
                    "recipient": "https://other.example.com/acs",
                    "destination": "https://other.example.com/acs",
                }
            },
        },
    ).get_json()
    new = generate(okta)
    url = f"{KEYS}/{new['kid']}/clone?targetAid={other['id']}"
    cloned = okta.post(url, headers=SSWS)
    assert cloned.status_code == 201
    assert cloned.get_json()["kid"] == new["kid"]
    target_keys = okta.get(f"/api/v1/apps/{other['id']}/credentials/keys", headers=SSWS)
    assert new["kid"] in [key["kid"] for key in target_keys.get_json()]
    again = okta.post(url, headers=SSWS).get_json()
    assert again["errorCauses"] == [
        {"errorSummary": "Key already exists in the list of key credentials for the target app."}
    ]


def test_unknown_key_is_E0000007(okta):
    response = okta.get(f"{KEYS}/nosuchkid", headers=SSWS)
    assert (response.status_code, response.get_json()["errorCode"]) == (404, "E0000007")


def test_the_first_sign_in_after_a_rotation_is_signed_with_the_new_key(okta):
    old_sp = sp_client(metadata(okta))
    before = saml_response(okta, old_sp)
    assert old_sp.parse_authn_request_response(before, BINDING_HTTP_POST, {}) is not None
    activate(okta, generate(okta)["kid"])

    after = saml_response(okta, sp_client(metadata(okta)), signed_in=True)

    assert sp_client(metadata(okta)).parse_authn_request_response(after, BINDING_HTTP_POST, {})
    with pytest.raises(SignatureError):
        old_sp.parse_authn_request_response(after, BINDING_HTTP_POST, {})


def test_switching_back_to_the_previous_key_signs_with_it_again(okta):
    first_kid = app_body(okta)["credentials"]["signing"]["kid"]
    first_sp = sp_client(metadata(okta))
    activate(okta, generate(okta)["kid"])
    saml_response(okta, sp_client(metadata(okta)))

    activate(okta, first_kid)
    response = saml_response(okta, sp_client(metadata(okta)), signed_in=True)

    assert first_sp.parse_authn_request_response(response, BINDING_HTTP_POST, {}) is not None
