"""mock_okta's SAML 2.0 IdP, checked by pysaml2 acting as the SonarQube SP."""

import base64
import re
from datetime import datetime, timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.s_utils import deflate_and_base64_encode
from saml2.saml import NameID
from saml2.sigver import SIGNER_ALGS, import_rsa_key_from_file
from saml2.xmldsig import SIG_RSA_SHA256

from mock_common import clock
from mock_common.db import connect
from mock_okta.applications import apps, signing_keys
from mock_okta.directory import users
from mock_okta.errors import AppNotAssigned, PageNotFound
from mock_okta.saml import idp as saml_idp
from tests.okta.api_helpers import SSWS
from tests.okta.sso_helpers import (
    ACS,
    ALICE,
    APP_ID,
    ENTITY_ID,
    OKTA_URL,
    SLO_PATH,
    SONAR_URL,
    SSO_PATH,
    form_fields,
    from_uri_of,
    location_path,
    metadata,
    seed_default_world,
    sign_in,
    sp_client,
)

SSO_URL = f"{OKTA_URL}{SSO_PATH}"


@pytest.fixture
def okta(okta_app, devenv_keys):
    """A browser on the seeded default world."""
    seed_default_world(okta_app, devenv_keys)
    return okta_app.test_client()


@pytest.fixture
def sp(okta):
    return sp_client(metadata(okta))


@pytest.fixture
def db(okta_app, okta):
    database = connect(okta_app.config["DATABASE"])
    yield database
    database.conn.close()


def set_sign_on(okta, db, **settings: object) -> None:
    """Change the app's settings.signOn through the Apps API."""
    body = okta.get(f"/api/v1/apps/{APP_ID}", headers=SSWS).get_json()
    body["settings"]["signOn"].update(settings)
    response = okta.put(f"/api/v1/apps/{APP_ID}", json=body, headers=SSWS)
    assert response.status_code == 200, response.data


def redirect_request(sp, **kwargs) -> tuple[str, str]:
    """(request id, SSO path with the deflated SAMLRequest and RelayState) from the SP."""
    request_id, info = sp.prepare_for_authenticate(
        entityid=ENTITY_ID, relay_state="/projects", binding=BINDING_HTTP_REDIRECT, **kwargs
    )
    location = dict(info["headers"])["Location"]
    return request_id, location.removeprefix(OKTA_URL)


def post_request(sp, **kwargs) -> tuple[str, dict]:
    """(request id, form fields) of an HTTP-POST AuthnRequest."""
    request_id, request = sp.create_authn_request(SSO_URL, binding=BINDING_HTTP_POST, **kwargs)
    encoded = base64.b64encode(str(request).encode()).decode()
    return request_id, {"SAMLRequest": encoded, "RelayState": "/dashboard?id=my-project"}


def signed_in_sso(okta, path: str):
    """Follow an SP's redirect to Okta while signed in: the auto-post form page."""
    response = okta.get(path)
    assert response.status_code == 200, response.data
    return response.get_data(as_text=True)


def parse(sp, saml_response: str, request_id: str | None = None):
    """The pysaml2 SP's view of the Response (signatures, audience, destination checked)."""
    outstanding = {request_id: "/"} if request_id else {}
    return sp.parse_authn_request_response(saml_response, BINDING_HTTP_POST, outstanding)


def decoded(saml_response: str) -> str:
    return base64.b64decode(saml_response).decode()


# --- SP-initiated ---------------------------------------------------------------------------


def test_redirect_binding_signs_in_then_posts_the_response(okta, sp):
    request_id, path = redirect_request(sp)
    response = okta.get(path)
    assert response.status_code == 302
    from_uri = from_uri_of(response)
    assert from_uri.startswith(f"{SSO_PATH}?SAMLRequest=")

    signed = sign_in(okta, from_uri=from_uri)
    assert signed.status_code == 302
    assert location_path(signed) == from_uri

    action, fields = form_fields(signed_in_sso(okta, from_uri))
    assert action == ACS
    assert fields["RelayState"] == "/projects"
    result = parse(sp, fields["SAMLResponse"], request_id)
    assert result.in_response_to == request_id
    assert result.response.destination == ACS
    assert result.issuer() == ENTITY_ID
    assert result.name_id.text == "alice.martin@example.com"
    assert result.name_id.format == "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
    assert result.ava == {
        "login": ["alice.martin@example.com"],
        "name": ["Alice Martin"],
        "email": ["alice.martin@example.com"],
        "groups": ["sonar-developers"],
    }


def test_the_assertion_says_what_okta_says(okta, sp):
    request_id, path = redirect_request(sp)
    sign_in(okta)
    _action, fields = form_fields(signed_in_sso(okta, path))
    assertion = parse(sp, fields["SAMLResponse"], request_id).assertion
    assert [a.text for r in assertion.conditions.audience_restriction for a in r.audience] == [
        "sonarqube"
    ]
    confirmation = assertion.subject.subject_confirmation[0]
    assert confirmation.method == "urn:oasis:names:tc:SAML:2.0:cm:bearer"
    assert confirmation.subject_confirmation_data.in_response_to == request_id
    assert confirmation.subject_confirmation_data.recipient == ACS
    statement = assertion.authn_statement[0]
    assert statement.session_index == request_id
    assert (
        statement.authn_context.authn_context_class_ref.text
        == "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
    )
    names = {a.name: a.name_format for a in assertion.attribute_statement[0].attribute}
    assert set(names.values()) == {"urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"}


def test_validity_window_is_five_minutes_either_side(okta, sp):
    request_id, path = redirect_request(sp)
    sign_in(okta)
    _action, fields = form_fields(signed_in_sso(okta, path))
    assertion = parse(sp, fields["SAMLResponse"], request_id).assertion
    issued = datetime.fromisoformat(assertion.issue_instant)
    assert datetime.fromisoformat(assertion.conditions.not_before) == issued - timedelta(minutes=5)
    assert datetime.fromisoformat(assertion.conditions.not_on_or_after) == issued + timedelta(
        minutes=5
    )
    assert re.fullmatch(r"id\d{25}", assertion.id)


def test_response_and_assertion_are_signed_rsa_sha256(okta, sp):
    request_id, path = redirect_request(sp)
    sign_in(okta)
    _action, fields = form_fields(signed_in_sso(okta, path))
    xml = decoded(fields["SAMLResponse"])
    assert xml.count("<ds:Signature>") == 2
    assert xml.count(f'<ds:SignatureMethod Algorithm="{SIG_RSA_SHA256}"/>') == 2
    assert xml.count('<ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>') == 2
    assert re.search(r"<saml2p:Response [^>]*>\s*<saml2:Issuer", xml)
    result = parse(sp, fields["SAMLResponse"], request_id)  # both signatures verified
    assert result.response.signature is not None
    assert result.assertion.signature is not None


def test_a_tampered_response_is_refused_by_the_sp(okta, sp):
    request_id, path = redirect_request(sp)
    sign_in(okta)
    _action, fields = form_fields(signed_in_sso(okta, path))
    xml = decoded(fields["SAMLResponse"]).replace("alice.martin@", "mallory@")
    with pytest.raises(Exception, match=r"(?i)sign"):
        parse(sp, base64.b64encode(xml.encode()).decode(), request_id)


def test_post_binding(okta, sp):
    request_id, form = post_request(sp)
    response = okta.post(SSO_PATH, data=form)
    assert response.status_code == 302
    from_uri = from_uri_of(response)
    sign_in(okta, from_uri=from_uri)
    action, fields = form_fields(signed_in_sso(okta, from_uri))
    assert action == ACS
    assert fields["RelayState"] == "/dashboard?id=my-project"
    assert parse(sp, fields["SAMLResponse"], request_id).in_response_to == request_id


def test_post_binding_with_a_session_answers_at_once(okta, sp):
    sign_in(okta)
    request_id, form = post_request(sp)
    response = okta.post(SSO_PATH, data=form)
    assert response.status_code == 200
    _action, fields = form_fields(response.get_data(as_text=True))
    assert parse(sp, fields["SAMLResponse"], request_id).in_response_to == request_id


def test_second_sso_is_silent(okta, sp):
    sign_in(okta)
    for _ in range(2):
        request_id, path = redirect_request(sp)
        _action, fields = form_fields(signed_in_sso(okta, path))
        assert parse(sp, fields["SAMLResponse"], request_id).name_id.text == ALICE[1]


def test_the_form_works_without_javascript(okta, sp):
    sign_in(okta)
    _request_id, path = redirect_request(sp)
    page = signed_in_sso(okta, path)
    assert re.search(r"<noscript>.*<input[^>]+type=\"submit\" value=\"Continue\"", page, re.S)
    assert 'document.getElementById("appForm").submit()' in page


def test_sso_is_logged(okta, sp, db):
    sign_in(okta)
    _request_id, path = redirect_request(sp)
    signed_in_sso(okta, path)
    logs = okta.get('/api/v1/logs?filter=eventType eq "user.authentication.sso"', headers=SSWS)
    (event,) = logs.get_json()
    assert event["displayMessage"] == "User single sign on to app"
    assert event["actor"]["alternateId"] == ALICE[1]
    assert event["target"][0]["id"] == APP_ID
    assert event["debugContext"]["debugData"]["initiationType"] == "SP_INITIATED"


# --- refusals ---------------------------------------------------------------------------------


def test_unassigned_user_gets_app_not_assigned(okta, sp):
    sign_in(okta, "henry.dubois@example.com")
    _request_id, path = redirect_request(sp)
    response = okta.get(path)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "App Not Assigned" in page
    assert (
        "Sorry, you cannot access SonarQube because you are not assigned this app in Okta." in page
    )
    logs = okta.get(
        '/api/v1/logs?filter=eventType eq "app.generic.unauth_app_access_attempt"', headers=SSWS
    ).get_json()
    assert [(e["outcome"]["result"], e["actor"]["alternateId"]) for e in logs] == [
        ("FAILURE", "henry.dubois@example.com")
    ]


def test_a_group_assignment_is_enough(okta, sp):
    sign_in(okta, "dave.lee@example.com")  # in sonar-developers, not assigned directly
    request_id, path = redirect_request(sp)
    _action, fields = form_fields(signed_in_sso(okta, path))
    assert parse(sp, fields["SAMLResponse"], request_id).name_id.text == "dave.lee@example.com"


def test_suspended_user_is_refused_an_assertion(db):
    app = apps.require_app(db, APP_ID)
    kate = users.require_user(db, "00ukatenovak00000011")  # SUSPENDED, in sonar-developers
    with pytest.raises(AppNotAssigned) as refused:
        saml_idp.issue_response(
            db,
            clock.now(db),
            app,
            kate,
            base_url=OKTA_URL,
            authenticated_at=clock.now(db),
            request=None,
            relay_state=None,
        )
    assert refused.value.status == 403


def test_suspending_the_user_ends_sso(okta, sp):
    sign_in(okta)
    response = okta.post(f"/api/v1/users/{ALICE[0]}/lifecycle/suspend", headers=SSWS)
    assert response.status_code == 200
    _request_id, path = redirect_request(sp)
    assert okta.get(path).headers["Location"].startswith("/login/login.htm?fromURI=")


def test_inactive_app_gets_not_found(okta, sp):
    sign_in(okta)
    okta.post(f"/api/v1/apps/{APP_ID}/lifecycle/deactivate", headers=SSWS)
    _request_id, path = redirect_request(sp)
    response = okta.get(path)
    assert response.status_code == 404
    assert "Page Not Found" in response.get_data(as_text=True)


def test_inactive_app_domain_refusal(db):
    app = apps.deactivate_app(db, clock.now(db), APP_ID)
    alice = users.require_user(db, ALICE[0])
    with pytest.raises(PageNotFound):
        saml_idp.require_sso_access(db, clock.now(db), app, alice)


@pytest.mark.parametrize(
    "path",
    [
        "/app/devenvorg_sonarqube_1/exkunknown0000000000/sso/saml",
        "/app/someothername/exksonarqube0devenv7/sso/saml",
    ],
)
def test_unknown_app_gets_not_found(okta, path):
    response = okta.get(path)
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")


@pytest.mark.parametrize(
    "saml_request",
    ["not base64 !!", base64.b64encode(b"\x00garbage").decode(), deflate_and_base64_encode("<x")],
)
def test_unparsable_redirect_request_gets_the_error_page(okta, saml_request):
    response = okta.get(SSO_PATH, query_string={"SAMLRequest": saml_request})
    assert response.status_code == 400
    assert "Bad Request" in response.get_data(as_text=True)


def test_unparsable_post_request_gets_the_error_page(okta):
    encoded = base64.b64encode(b"<samlp:AuthnRequest").decode()
    response = okta.post(SSO_PATH, data={"SAMLRequest": encoded})
    assert response.status_code == 400


def test_a_signed_authn_request_is_accepted_unverified(okta, devenv_keys, tmp_path):
    key_pem, cert_pem = signing_keys.new_key_pair("sonarqube", datetime.now().astimezone())
    (tmp_path / "sp.key").write_text(key_pem)
    (tmp_path / "sp.crt").write_text(cert_pem)
    signer = sp_client(
        metadata(okta), key_file=str(tmp_path / "sp.key"), cert_file=str(tmp_path / "sp.crt")
    )
    _request_id, request = signer.create_authn_request(SSO_URL, sign=True, sign_alg=SIG_RSA_SHA256)
    sign_in(okta)
    encoded = base64.b64encode(str(request).encode()).decode()
    response = okta.post(SSO_PATH, data={"SAMLRequest": encoded})
    assert response.status_code == 200


# --- ForceAuthn -------------------------------------------------------------------------------


def test_force_authn_asks_for_the_password_again(okta, sp):
    sign_in(okta)
    request_id, path = redirect_request(sp, force_authn="true")
    response = okta.get(path)
    assert response.status_code == 302
    from_uri = from_uri_of(response)
    assert okta.get("/app/UserHome").status_code == 302  # the old session is over
    signed = sign_in(okta, from_uri=from_uri)
    _action, fields = form_fields(signed_in_sso(okta, location_path(signed)))
    assert parse(sp, fields["SAMLResponse"], request_id).in_response_to == request_id


def test_force_authn_marker_cannot_be_forged(okta, sp):
    sign_in(okta)
    _request_id, path = redirect_request(sp, force_authn="true")
    forged = f"{path}&forceAuthnAt=2000-01-01T00:00:00%2B00:00&forceAuthnSeal=00"
    assert okta.get(forged).status_code == 302


def test_force_authn_is_ignored_unless_honoured(okta, sp, db):
    set_sign_on(okta, db, honorForceAuthn=False)
    sign_in(okta)
    request_id, path = redirect_request(sp, force_authn="true")
    _action, fields = form_fields(signed_in_sso(okta, path))
    assert parse(sp, fields["SAMLResponse"], request_id).in_response_to == request_id


# --- IdP-initiated ----------------------------------------------------------------------------


def embed_link(okta) -> str:
    app = okta.get(f"/api/v1/apps/{APP_ID}", headers=SSWS).get_json()
    return app["_links"]["appLinks"][0]["href"].removeprefix(OKTA_URL)


def test_embed_link_sends_an_unsolicited_response(okta, sp):
    link = embed_link(okta)
    response = okta.get(link)
    assert response.status_code == 302
    assert from_uri_of(response) == link
    sign_in(okta)
    action, fields = form_fields(signed_in_sso(okta, link))
    assert action == ACS
    assert "RelayState" not in fields
    result = parse(sp, fields["SAMLResponse"])
    assert result.in_response_to is None
    assert (
        result.assertion.subject.subject_confirmation[0].subject_confirmation_data.in_response_to
        is None
    )
    assert result.ava["login"] == [ALICE[1]]


def test_embed_link_carries_the_default_relay_state(okta, sp, db):
    set_sign_on(okta, db, defaultRelayState="/projects")
    sign_in(okta)
    _action, fields = form_fields(signed_in_sso(okta, embed_link(okta)))
    assert fields["RelayState"] == "/projects"


def test_sso_url_without_a_request_is_idp_initiated(okta, sp):
    sign_in(okta)
    _action, fields = form_fields(signed_in_sso(okta, SSO_PATH))
    assert parse(sp, fields["SAMLResponse"]).in_response_to is None


def test_embed_link_of_another_app_id_is_not_found(okta):
    link = embed_link(okta).replace(APP_ID, "0oanotanapp000000000")
    assert okta.get(link).status_code == 404


# --- attribute and group statements -----------------------------------------------------------


def set_statements(okta, db, statements: list[dict], **sign_on: object) -> None:
    set_sign_on(okta, db, attributeStatements=statements, **sign_on)


def ava_for(okta, sp, db) -> tuple[dict, object]:
    app = apps.require_app(db, APP_ID)
    now = clock.now(db)
    issued = saml_idp.issue_response(
        db,
        now,
        app,
        users.require_user(db, ALICE[0]),
        base_url=OKTA_URL,
        authenticated_at=now,
        request=None,
        relay_state=None,
    )
    result = parse(sp, issued.saml_response)
    return result.ava, result


@pytest.mark.parametrize(
    ("filter_type", "filter_value", "expected"),
    [
        ("STARTS_WITH", "sonar-", ["sonar-developers"]),
        ("EQUALS", "engineering", ["engineering"]),
        ("EQUALS", "Engineering", None),
        ("CONTAINS", "ne", ["Everyone", "engineering"]),
        ("REGEX", "sonar-.*", ["sonar-developers"]),
        ("REGEX", "sonar", None),  # the whole name must match
        ("REGEX", ".*", ["Everyone", "sonar-developers", "engineering"]),
        ("REGEX", "engineering|Everyone", ["Everyone", "engineering"]),
    ],
)
def test_group_statement_filters(okta, sp, db, filter_type, filter_value, expected):
    statement = {
        "type": "GROUP",
        "name": "groups",
        "namespace": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic",
        "filterType": filter_type,
        "filterValue": filter_value,
    }
    set_statements(okta, db, [statement])
    ava, result = ava_for(okta, sp, db)
    assert ava.get("groups") == expected
    if expected:
        (attribute,) = result.assertion.attribute_statement[0].attribute
        assert attribute.name_format == "urn:oasis:names:tc:SAML:2.0:attrname-format:basic"


def test_expression_statements(okta, sp, db):
    def expression(name: str, *values: str) -> dict:
        uri = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
        return {"type": "EXPRESSION", "name": name, "namespace": uri, "values": list(values)}

    set_statements(
        okta,
        db,
        [
            expression("upper", "String.toUpperCase(user.lastName)"),
            expression("several", "user.department", "user.title"),
            expression("missing", "user.mobilePhone"),
            expression("constant", '"devenv"'),
        ],
    )
    ava, _result = ava_for(okta, sp, db)
    assert ava == {
        "upper": ["MARTIN"],
        "several": ["Engineering", "Senior Software Engineer"],
        "constant": ["devenv"],
    }


def test_name_id_template_and_format(okta, sp, db):
    set_statements(
        okta,
        db,
        [],
        subjectNameIdTemplate="${user.firstName}.${user.lastName}",
        subjectNameIdFormat="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    )
    _ava, result = ava_for(okta, sp, db)
    assert result.name_id.text == "Alice.Martin"
    assert result.name_id.format == "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
    assert not result.assertion.attribute_statement


def test_app_username_is_the_default_name_id(okta, sp, db):
    okta.post(
        f"/api/v1/apps/{APP_ID}/users/{ALICE[0]}",
        json={"credentials": {"userName": "amartin"}},
        headers=SSWS,
    )
    _ava, result = ava_for(okta, sp, db)
    assert result.name_id.text == "amartin"


def signatures(xml: str) -> tuple[bool, bool]:
    """(the Response is signed, the Assertion is signed)."""
    response_part = xml[: xml.index("<saml2p:Status")]
    assertion_part = xml[xml.index("<saml2:Assertion") :]
    return "<ds:Signature>" in response_part, "<ds:Signature>" in assertion_part


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"responseSigned": False}, (False, True)),
        ({"assertionSigned": False}, (True, False)),
        ({}, (True, True)),
    ],
)
def test_signing_follows_the_settings(okta, db, settings, expected):
    set_statements(okta, db, [], **settings, signatureAlgorithm="RSA_SHA1", digestAlgorithm="SHA1")
    app, now = apps.require_app(db, APP_ID), clock.now(db)
    alice = users.require_user(db, ALICE[0])
    issued = saml_idp.issue_response(
        db, now, app, alice, base_url=OKTA_URL, authenticated_at=now, request=None, relay_state=None
    )
    assert signatures(issued.xml) == expected
    assert 'Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"' in issued.xml


# --- assertion encryption -----------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["AES256_CBC", "AES128_GCM"])
def test_encrypted_assertion(okta, db, tmp_path, algorithm):
    key_pem, cert_pem = signing_keys.new_key_pair("sonarqube", datetime.now().astimezone())
    (tmp_path / "sp.key").write_text(key_pem)
    (tmp_path / "sp.crt").write_text(cert_pem)
    encryption = {
        "enabled": True,
        "encryptionAlgorithm": algorithm,
        "keyTransportAlgorithm": "RSA_OAEP",
        "x5c": [signing_keys.certificate_base64(cert_pem)],
    }
    set_statements(okta, db, [], assertionEncryption=encryption)
    sp = sp_client(
        metadata(okta), key_file=str(tmp_path / "sp.key"), cert_file=str(tmp_path / "sp.crt")
    )
    app = apps.require_app(db, APP_ID)
    now = clock.now(db)
    alice = users.require_user(db, ALICE[0])
    issued = saml_idp.issue_response(
        db, now, app, alice, base_url=OKTA_URL, authenticated_at=now, request=None, relay_state=None
    )
    assert "<saml2:EncryptedAssertion>" in issued.xml
    assert ALICE[1] not in issued.xml
    assert parse(sp, issued.saml_response).name_id.text == ALICE[1]


def test_encryption_settings_are_checked(okta, db):
    body = apps.body_of(apps.require_app(db, APP_ID))
    body.pop(apps.INTERNAL)
    body["settings"]["signOn"]["assertionEncryption"] = {"enabled": True, "x5c": ["nope"]}
    response = okta.put(f"/api/v1/apps/{APP_ID}", json=body, headers=SSWS)
    assert response.status_code == 400
    assert response.get_json()["errorCode"] == "E0000001"


# --- Single Logout --------------------------------------------------------------------------------


@pytest.fixture
def slo_sp(okta, db, tmp_path):
    """SP-initiated SLO enabled on the app, and an SP that signs its LogoutRequests."""
    key_pem, cert_pem = signing_keys.new_key_pair("sonarqube", datetime.now().astimezone())
    (tmp_path / "sp.key").write_text(key_pem)
    (tmp_path / "sp.crt").write_text(cert_pem)
    set_statements(
        okta,
        db,
        [],
        slo={"enabled": True, "issuer": "sonarqube", "logoutUrl": f"{SONAR_URL}/logout"},
        spCertificate={"x5c": [signing_keys.certificate_base64(cert_pem)]},
    )
    return sp_client(
        metadata(okta), key_file=str(tmp_path / "sp.key"), cert_file=str(tmp_path / "sp.crt")
    )


def logout_request(sp, binding: str, *, sign: bool = True):
    _request_id, request = sp.create_logout_request(
        f"{OKTA_URL}{SLO_PATH}",
        ENTITY_ID,
        name_id=NameID(
            text=ALICE[1], format="urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"
        ),
        sign=sign and binding == BINDING_HTTP_POST,
        sign_alg=SIG_RSA_SHA256,
    )
    return sp.apply_binding(
        binding, str(request), f"{OKTA_URL}{SLO_PATH}", "/after", sign=sign, sigalg=SIG_RSA_SHA256
    )


def test_metadata_lists_single_logout_when_enabled(okta, slo_sp):
    document = metadata(okta)
    assert (
        f'<md:SingleLogoutService Binding="{BINDING_HTTP_POST}" Location="{OKTA_URL}{SLO_PATH}"'
        in document
    )


def test_slo_redirect_binding_ends_the_session(okta, slo_sp):
    sign_in(okta)
    http = logout_request(slo_sp, BINDING_HTTP_REDIRECT)
    response = okta.get(dict(http["headers"])["Location"].removeprefix(OKTA_URL))
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{SONAR_URL}/logout"
    query = parse_qs(location.query)
    assert query["RelayState"] == ["/after"]
    assert "Signature" in query
    logout = slo_sp.parse_logout_request_response(query["SAMLResponse"][0], BINDING_HTTP_REDIRECT)
    assert logout.response.status.status_code.value == "urn:oasis:names:tc:SAML:2.0:status:Success"
    assert okta.get("/app/UserHome").status_code == 302


def test_slo_post_binding(okta, slo_sp):
    sign_in(okta)
    http = logout_request(slo_sp, BINDING_HTTP_POST)
    saml_request = re.search(r'name="SAMLRequest" value="([^"]+)"', http["data"]).group(1)
    response = okta.post(SLO_PATH, data={"SAMLRequest": saml_request, "RelayState": "/after"})
    assert response.status_code == 200
    action, fields = form_fields(response.get_data(as_text=True))
    assert action == f"{SONAR_URL}/logout"
    logout = slo_sp.parse_logout_request_response(fields["SAMLResponse"], BINDING_HTTP_POST)
    assert logout.response.signature is not None


def test_unsigned_logout_request_is_refused(okta, slo_sp):
    sign_in(okta)
    http = logout_request(slo_sp, BINDING_HTTP_REDIRECT, sign=False)
    response = okta.get(dict(http["headers"])["Location"].removeprefix(OKTA_URL))
    assert response.status_code == 400
    assert okta.get("/app/UserHome").status_code == 200
    logs = okta.get(
        '/api/v1/logs?filter=eventType eq "user.authentication.slo"', headers=SSWS
    ).get_json()
    assert [(e["outcome"]["result"], e["outcome"]["reason"]) for e in logs] == [
        ("FAILURE", "Malformed Request")
    ]


def test_slo_without_configuration_is_refused(okta):
    response = okta.get(SLO_PATH, query_string={"SAMLRequest": "abc"})
    assert response.status_code == 400
    assert "Single Logout is not enabled" in response.get_data(as_text=True)


def test_slo_redirect_signature_covers_the_query_string_as_sent(okta, slo_sp, tmp_path):
    """The SP's own percent-encoding (lower-case hex here) is what its signature covers."""
    http = logout_request(slo_sp, BINDING_HTTP_REDIRECT, sign=False)
    query = parse_qs(urlsplit(dict(http["headers"])["Location"]).query)

    def encoded(value: str) -> str:
        return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(value, safe=""))

    signed = (
        f"SAMLRequest={encoded(query['SAMLRequest'][0])}&RelayState={encoded('/after')}"
        f"&SigAlg={encoded(SIG_RSA_SHA256)}"
    )
    key = import_rsa_key_from_file(str(tmp_path / "sp.key"))
    signature = base64.b64encode(SIGNER_ALGS[SIG_RSA_SHA256].sign(signed.encode(), key)).decode()
    sign_in(okta)
    response = okta.get(f"{SLO_PATH}?{signed}&Signature={encoded(signature)}")
    assert response.status_code == 302
    assert okta.get("/app/UserHome").status_code == 302


def test_slo_from_another_issuer_is_refused(okta, slo_sp, db):
    set_sign_on(okta, db, slo={"enabled": True, "issuer": "other", "logoutUrl": f"{SONAR_URL}/l"})
    sign_in(okta)
    http = logout_request(slo_sp, BINDING_HTTP_REDIRECT)
    response = okta.get(dict(http["headers"])["Location"].removeprefix(OKTA_URL))
    assert response.status_code == 400
    assert okta.get("/app/UserHome").status_code == 200
