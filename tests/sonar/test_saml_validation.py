"""SAML "Test configuration" (reference §5.6): /saml/validation_init, the ACS hand-over and the
samlAuthResult report with its base64 JSON."""

import base64
import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from mock_sonar.saml import validation as saml_validation
from tests.conftest import ADMIN
from tests.sonar.saml_idp_helper import ATTRIBUTES, LOGIN_URL, configure_sonar, encode

REPORT_KEYS = {
    "status",
    "errors",
    "warnings",
    "availableAttributes",
    "mappedAttributes",
    "signatureEnabled",
    "encryptionEnabled",
}


@pytest.fixture
def admin_browser(saml_sonar):
    """The SAML-enabled app with a browser session of the system administrator."""
    response = saml_sonar.post(
        "/api/authentication/login", data={"login": "admin", "password": "admin"}
    )
    assert response.status_code == 200
    return saml_sonar


def start_test(client) -> str:
    """Click "Test configuration"; returns the RelayState sent to the IdP."""
    response = client.get("/saml/validation_init")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == LOGIN_URL
    return parse_qs(location.query)["RelayState"][0]


def hand_over(client, saml_response: str, relay_state: str) -> tuple[str, str]:
    """The IdP posts to the ACS, which answers the auto-submitting form; returns its fields."""
    response = client.post(
        "/oauth2/callback/saml", data={"SAMLResponse": saml_response, "RelayState": relay_state}
    )
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<form id="saml_validate" action="/saml/validation" method="POST">' in page
    assert "script-src 'nonce-" in response.headers["Content-Security-Policy"]
    fields = dict(re.findall(r'<input name="(\w+)" value="([^"]*)"', page))
    return unescape(fields["SAMLResponse"]), fields["CSRFToken"]


def run_test(client, idp, **knobs) -> dict:
    """The whole "Test configuration" round trip; returns the report's decoded JSON."""
    relay_state = start_test(client)
    assert relay_state.startswith("validation-query/")
    knobs.setdefault("attributes", ATTRIBUTES)
    saml_response, csrf = hand_over(client, encode(idp.response(**knobs)), relay_state)
    assert csrf == relay_state.split("/", 1)[1]
    form = {"SAMLResponse": saml_response, "CSRFToken": csrf}
    response = client.post("/saml/validation", data=form)
    assert response.status_code == 200
    return decode_report(response.get_data(as_text=True))


def decode_report(page: str) -> dict:
    assert "<title>SAML Authentication Test</title>" in page
    encoded = re.search(r'<div id="response" data-response="([^"]+)"', page).group(1)
    report = json.loads(base64.b64decode(encoded))
    assert set(report) == REPORT_KEYS
    return report


def test_anonymous_users_are_sent_to_unauthorized(saml_sonar):
    response = saml_sonar.get("/saml/validation_init")
    assert response.headers["Location"] == "/sessions/unauthorized"


def test_non_administrators_are_sent_to_unauthorized(saml_sonar):
    saml_sonar.application.test_client().post(
        "/api/users/create",
        headers=ADMIN,
        data={"login": "dev", "name": "Dev", "password": "Str0ng-Passw0rd!"},
    )
    credentials = {"login": "dev", "password": "Str0ng-Passw0rd!"}
    saml_sonar.post("/api/authentication/login", data=credentials)
    response = saml_sonar.get("/saml/validation_init")
    assert response.headers["Location"] == "/sessions/unauthorized"


def test_a_good_response_gives_a_success_report(admin_browser, idp):
    report = run_test(admin_browser, idp)
    assert report == {
        "status": "success",
        "errors": [],
        "warnings": [],
        "availableAttributes": ATTRIBUTES,
        "mappedAttributes": {
            "User login value": ["jdoe@example.com"],
            "User name value": ["John Doe"],
            "User email value": ["jdoe@example.com"],
            "Groups value": ["sonar-developers", "not-in-sonarqube"],
        },
        "signatureEnabled": False,
        "encryptionEnabled": False,
    }


def test_the_report_page_shows_the_sections(admin_browser, idp):
    relay_state = start_test(admin_browser)
    good = encode(idp.response(attributes=ATTRIBUTES))
    saml_response, csrf = hand_over(admin_browser, good, relay_state)
    page = admin_browser.post(
        "/saml/validation", data={"SAMLResponse": saml_response, "CSRFToken": csrf}
    ).get_data(as_text=True)
    assert '<div id="status" class="success">success</div>' in page
    for title in ("Available attributes", "Attribute mappings", "Signature of SAML requests"):
        assert f"<h2>{title}</h2>" in page


def test_the_test_logs_nobody_in_and_creates_no_user(admin_browser, idp):
    run_test(admin_browser, idp)
    users = admin_browser.application.test_client().get("/api/users/search", headers=ADMIN)
    assert "jdoe@example.com" not in json.dumps(users.get_json())


def test_a_missing_login_attribute_is_an_error(admin_browser, idp):
    without_login = {k: v for k, v in ATTRIBUTES.items() if k != "login"}
    report = run_test(admin_browser, idp, attributes=without_login)
    assert report["status"] == "error"
    assert report["errors"] == [
        "Mapping not found for the property sonar.auth.saml.user.login, the field login is not "
        "available in the SAML response."
    ]
    assert report["warnings"] == []


def test_missing_email_and_groups_are_warnings(admin_browser, idp):
    report = run_test(admin_browser, idp, attributes={"login": ["jdoe"], "name": ["John Doe"]})
    assert report["status"] == "success"
    assert report["warnings"] == [
        "Mapping not found for the property sonar.auth.saml.user.email, the field email is not "
        "available in the SAML response.",
        "Mapping not found for the property sonar.auth.saml.group.name, the field groups is not "
        "available in the SAML response.",
    ]
    assert report["mappedAttributes"] == {
        "User login value": ["jdoe"],
        "User name value": ["John Doe"],
    }


def test_a_refused_response_is_reported_with_springs_message(admin_browser, idp):
    report = run_test(admin_browser, idp, audience="someone-else")
    assert report["status"] == "error"
    [error] = report["errors"]
    assert "None of the audiences within Assertion" in error


def test_encryption_and_signature_are_reported(admin_browser, idp, saml_keys):
    configure_sonar(
        admin_browser.application.test_client(),
        idp,
        **{
            "sonar.auth.saml.signature.enabled": "true",
            "sonar.auth.saml.sp.privateKey.secured": saml_keys["sp"].key_pem,
            "sonar.auth.saml.sp.certificate.secured": saml_keys["sp"].cert_pem,
        },
    )
    report = run_test(admin_browser, idp, encrypt_for=saml_keys["sp"])
    assert report["status"] == "success"
    # SonarQube spots encryption by the prefixes Okta, Entra and others write (saml:, saml2:
    # or none); pysaml2's default `ns1:` goes unnoticed, as it would in SonarQube.
    assert (report["signatureEnabled"], report["encryptionEnabled"]) == (True, False)


@pytest.mark.parametrize(
    ("xml", "encrypted"),
    [
        ("<saml2p:Response><saml2:EncryptedAssertion/></saml2p:Response>", True),
        ("<Response><EncryptedAssertion/></Response>", True),
        ("<ns0:Response><ns1:EncryptedAssertion/></ns0:Response>", False),
        ("<saml2p:Response><saml2:Assertion/></saml2p:Response>", False),
    ],
)
def test_encryption_is_detected_as_sonarqube_detects_it(xml, encrypted):
    assert saml_validation.is_encryption_enabled(encode(xml)) is encrypted


def test_incomplete_settings_go_straight_to_an_error_report(admin_browser, idp):
    configure_sonar(
        admin_browser.application.test_client(),
        idp,
        **{"sonar.auth.saml.certificate.secured": "", "sonar.auth.saml.enabled": "false"},
    )
    response = admin_browser.get("/saml/validation_init")
    location = response.headers["Location"]
    assert location.startswith("/saml/validation?CSRFToken=")
    report = decode_report(admin_browser.get(location).get_data(as_text=True))
    assert report["status"] == "error"
    assert report["errors"] == ["Identity provider certificate is missing"]


def test_the_test_works_while_saml_is_disabled(admin_browser, idp):
    configure_sonar(
        admin_browser.application.test_client(), idp, **{"sonar.auth.saml.enabled": "false"}
    )
    assert run_test(admin_browser, idp)["status"] == "success"


def test_a_wrong_csrf_token_is_refused(admin_browser, idp):
    relay_state = start_test(admin_browser)
    good = encode(idp.response(attributes=ATTRIBUTES))
    saml_response, _ = hand_over(admin_browser, good, relay_state)
    response = admin_browser.post(
        "/saml/validation", data={"SAMLResponse": saml_response, "CSRFToken": "forged"}
    )
    assert response.headers["Location"] == "/sessions/unauthorized"


def test_the_hand_over_escapes_what_it_echoes(saml_sonar):
    response = saml_sonar.post(
        "/oauth2/callback/saml",
        data={"SAMLResponse": '"><script>alert(1)</script>', "RelayState": "validation-query/x<y"},
    )
    page = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert 'value="x&lt;y"' in page
