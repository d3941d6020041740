"""mock_okta's SAML Responses checked by a second, independent SAML library: OneLogin's
python3-saml, the Python port of java-saml (the library SonarQube's SAML SP is built on).

A real browser-like HTTP client (requests, with cookies) follows the SP-initiated flow against
mock_okta served on a loopback port; python3-saml then validates the Response in strict mode
with the IdP settings read from mock_okta's published metadata.
"""

import base64
import html
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

os.environ.setdefault("MOCK_OKTA_PBKDF2_ROUNDS", "1000")

from onelogin.saml2.authn_request import OneLogin_Saml2_Authn_Request
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings

import mock_okta
from mock_common import clock
from mock_common.db import connect
from mock_okta import fixtures
from mock_okta.applications import signing_keys
from okta_sonar_devenv.live import live_server
from tests.conftest import fixture_variables
from tests.okta.api_helpers import SSWS
from tests.okta.sso_helpers import ALICE, APP_ID, EXTERNAL_KEY, PASSWORD

pytestmark = pytest.mark.contract
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "default.json"
SONAR_URL = "http://sonar.test"
ACS = f"{SONAR_URL}/oauth2/callback/saml"
#: The ACS request as SonarQube's servlet sees it.
ACS_REQUEST = {"https": "off", "http_host": "sonar.test", "script_name": "/oauth2/callback/saml"}


@pytest.fixture
def okta_org(tmp_path, devenv_keys) -> Iterator[str]:
    """mock_okta live on a loopback port, seeded with the default world."""
    database = str(tmp_path / "okta.sqlite3")
    app = mock_okta.create_app({"DATABASE": database, "TESTING": True})
    with live_server(app) as okta_url:
        app.config["BASE_URL"] = okta_url
        db = connect(database)
        variables = fixture_variables(devenv_keys, sonar_url=SONAR_URL, okta_url=okta_url)
        fixtures.seed(db, clock.now(db), json.loads(FIXTURE.read_text()), variables)
        db.conn.close()
        yield okta_url


def onelogin_settings(okta_url: str, sp_keys: tuple[str, str] | None = None):
    """The fixture's SonarQube as a python3-saml SP; the IdP from mock_okta's metadata."""
    document = requests.get(f"{okta_url}/app/{EXTERNAL_KEY}/sso/saml/metadata", timeout=10).text
    idp = OneLogin_Saml2_IdPMetadataParser.parse(document)["idp"]
    sp = {
        "entityId": "sonarqube",
        "assertionConsumerService": {
            "url": ACS,
            "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
        },
        "NameIDFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
    }
    if sp_keys:
        sp["privateKey"], sp["x509cert"] = sp_keys
    settings = {
        "strict": True,
        "debug": False,
        "sp": sp,
        "idp": idp,
        "security": {
            "wantMessagesSigned": True,
            "wantAssertionsSigned": True,
            "wantAssertionsEncrypted": bool(sp_keys),
            "rejectDeprecatedAlgorithm": True,
        },
    }
    return OneLogin_Saml2_Settings(settings, sp_validation_only=True)


def browser_sso(okta_url: str, settings) -> tuple[str, str, str | None]:
    """Walk the SP-initiated flow with a cookie-keeping client: (request id, SAMLResponse, RS)."""
    authn = OneLogin_Saml2_Authn_Request(settings)
    browser = requests.Session()
    sso = f"{okta_url}/app/devenvorg_sonarqube_1/{EXTERNAL_KEY}/sso/saml"
    page = browser.get(
        sso, params={"SAMLRequest": authn.get_request(), "RelayState": "/projects"}, timeout=10
    )
    assert page.url.startswith(f"{okta_url}/login/login.htm?fromURI=")
    token = re.search(r'name="_xsrfToken" value="([^"]+)"', page.text).group(1)
    from_uri = html.unescape(re.search(r'name="fromURI" value="([^"]*)"', page.text).group(1))
    form = {"username": ALICE[1], "password": PASSWORD, "_xsrfToken": token, "fromURI": from_uri}
    answer = browser.post(f"{okta_url}/login/login.htm", data=form, timeout=10)
    assert answer.status_code == 200, answer.text
    assert re.search(r'<form id="appForm" action="([^"]+)"', answer.text).group(1) == ACS
    fields = dict(re.findall(r'<input name="(\w+)" type="hidden" value="([^"]*)"', answer.text))
    relay_state = html.unescape(fields["RelayState"]) if "RelayState" in fields else None
    return authn.get_id(), html.unescape(fields["SAMLResponse"]), relay_state


def validate(settings, saml_response: str, request_id: str | None):
    response = OneLogin_Saml2_Response(settings, saml_response)
    request = {**ACS_REQUEST, "post_data": {"SAMLResponse": saml_response}}
    return response, response.is_valid(request, request_id)


def test_python3_saml_accepts_the_response(okta_org):
    settings = onelogin_settings(okta_org)
    request_id, saml_response, relay_state = browser_sso(okta_org, settings)
    response, valid = validate(settings, saml_response, request_id)
    assert valid, response.get_error()
    assert relay_state == "/projects"
    assert response.get_issuers() == [f"http://www.okta.com/{EXTERNAL_KEY}"]
    assert response.get_audiences() == ["sonarqube"]
    assert response.get_nameid() == ALICE[1]
    assert response.get_attributes() == {
        "login": [ALICE[1]],
        "name": ["Alice Martin"],
        "email": [ALICE[1]],
        "groups": ["sonar-developers"],
    }


def test_python3_saml_refuses_a_tampered_response(okta_org):
    settings = onelogin_settings(okta_org)
    request_id, saml_response, _relay_state = browser_sso(okta_org, settings)
    xml = base64.b64decode(saml_response).decode()
    tampered = xml.replace(">sonar-developers<", ">sonar-admins<")
    assert tampered != xml
    encoded = base64.b64encode(tampered.encode()).decode()
    response, valid = validate(settings, encoded, request_id)
    assert not valid
    assert "ignature" in response.get_error()


def test_python3_saml_refuses_a_response_to_another_request(okta_org):
    settings = onelogin_settings(okta_org)
    _request_id, saml_response, _relay_state = browser_sso(okta_org, settings)
    response, valid = validate(settings, saml_response, "ONELOGIN_another_request")
    assert not valid
    assert "InResponseTo" in response.get_error()


def test_python3_saml_decrypts_an_encrypted_assertion(okta_org):
    key_pem, cert_pem = signing_keys.new_key_pair("sonarqube", datetime.now(UTC))
    app = requests.get(f"{okta_org}/api/v1/apps/{APP_ID}", headers=SSWS, timeout=10).json()
    app["settings"]["signOn"]["assertionEncryption"] = {
        "enabled": True,
        "encryptionAlgorithm": "AES256_GCM",
        "keyTransportAlgorithm": "RSA_OAEP",
        "x5c": [signing_keys.certificate_base64(cert_pem)],
    }
    put = requests.put(f"{okta_org}/api/v1/apps/{APP_ID}", json=app, headers=SSWS, timeout=10)
    assert put.status_code == 200, put.text
    settings = onelogin_settings(okta_org, (key_pem, cert_pem))
    request_id, saml_response, _relay_state = browser_sso(okta_org, settings)
    assert "EncryptedAssertion" in base64.b64decode(saml_response).decode()
    response, valid = validate(settings, saml_response, request_id)
    assert valid, response.get_error()
    assert response.get_attributes()["groups"] == ["sonar-developers"]
