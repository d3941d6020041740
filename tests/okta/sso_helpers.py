"""Helpers for the SSO tests: the default world seeded, a pysaml2 SP, a browser's sign-in."""

import html
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
from saml2.client import Saml2Client
from saml2.config import SPConfig

from mock_common import clock
from mock_common.db import connect
from mock_okta import fixtures
from mock_okta.applications import signing_keys
from tests.conftest import fixture_variables
from tests.okta.api_helpers import SSWS

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "default.json"
APP_ID = "0oasonarqubedevenv01"
APP_NAME = "devenvorg_sonarqube_1"
EXTERNAL_KEY = "exksonarqube0devenv7"
OKTA_URL = "http://okta.test"
SONAR_URL = "http://sonar.test"
SSO_PATH = f"/app/{APP_NAME}/{EXTERNAL_KEY}/sso/saml"
SLO_PATH = f"/app/{APP_NAME}/{EXTERNAL_KEY}/slo/saml"
ACS = f"{SONAR_URL}/oauth2/callback/saml"
ENTITY_ID = f"http://www.okta.com/{EXTERNAL_KEY}"
PASSWORD = "Passw0rd!"
ALICE = ("00ualicemartin000001", "alice.martin@example.com")


def seed_default_world(okta_app, devenv_keys: str) -> None:
    """Load fixtures/default.json (Okta at okta.test, SonarQube at sonar.test)."""
    db = connect(okta_app.config["DATABASE"])
    variables = fixture_variables(devenv_keys, sonar_url=SONAR_URL, okta_url=OKTA_URL)
    fixtures.seed(db, clock.now(db), json.loads(FIXTURE.read_text()), variables)
    db.conn.close()


def sp_client(
    idp_metadata: str,
    *,
    key_file: str | None = None,
    cert_file: str | None = None,
    entity_id: str = "sonarqube",
    acs: str = ACS,
    slo_url: str = f"{SONAR_URL}/logout",
) -> Saml2Client:
    """A pysaml2 SP configured like the fixture's SonarQube, trusting the IdP's metadata."""
    sp: dict = {
        "endpoints": {
            "assertion_consumer_service": [(acs, BINDING_HTTP_POST)],
            "single_logout_service": [
                (slo_url, BINDING_HTTP_POST),
                (slo_url, BINDING_HTTP_REDIRECT),
            ],
        },
        "want_response_signed": True,
        "want_assertions_signed": True,
        "allow_unsolicited": True,
        "authn_requests_signed": False,
    }
    config: dict = {
        "entityid": entity_id,
        "metadata": {"inline": [idp_metadata]},
        "service": {"sp": sp},
        "allow_unknown_attributes": True,
    }
    if key_file and cert_file:
        config.update(
            key_file=key_file,
            cert_file=cert_file,
            encryption_keypairs=[{"key_file": key_file, "cert_file": cert_file}],
        )
    sp_config = SPConfig()
    sp_config.load(config)
    return Saml2Client(config=sp_config)


def metadata(client) -> str:
    """The app's public IdP metadata."""
    response = client.get(f"/app/{EXTERNAL_KEY}/sso/saml/metadata")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def xsrf_token(page: str) -> str:
    """The sign-in form's CSRF token."""
    return re.search(r'name="_xsrfToken" value="([^"]+)"', page).group(1)


def sign_in(client, username: str = ALICE[1], password: str = PASSWORD, from_uri: str = ""):
    """Open the sign-in page and submit it; returns the POST's response."""
    page = client.get("/login/login.htm").get_data(as_text=True)
    form = {
        "username": username,
        "password": password,
        "_xsrfToken": xsrf_token(page),
        "fromURI": from_uri,
    }
    return client.post("/login/login.htm", data=form)


def form_fields(page: str) -> tuple[str, dict[str, str]]:
    """(action, hidden fields) of the auto-submitting SAML form."""
    action = html.unescape(re.search(r'<form id="appForm" action="([^"]+)"', page).group(1))
    fields = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input name="(\w+)" type="hidden" value="([^"]*)"', page)
    }
    return action, fields


def location_path(response) -> str:
    """The Location header without scheme and host."""
    parts = urlsplit(response.headers["Location"])
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def from_uri_of(response) -> str:
    """The fromURI of a redirect to the sign-in page."""
    parts = urlsplit(response.headers["Location"])
    assert parts.path == "/login/login.htm"
    return parse_qs(parts.query)["fromURI"][0]


def set_sign_on(client, app_id: str = APP_ID, **settings: object) -> dict:
    """Change an app's settings.signOn through the Apps API; returns the app."""
    body = client.get(f"/api/v1/apps/{app_id}", headers=SSWS).get_json()
    body["settings"]["signOn"].update(settings)
    response = client.put(f"/api/v1/apps/{app_id}", json=body, headers=SSWS)
    assert response.status_code == 200, response.data
    return response.get_json()


def sp_key_files(folder: Path, name: str = "sp") -> tuple[str, str, str]:
    """(key file, certificate file, certificate as base64 DER) of a new SP key pair."""
    key_pem, cert_pem = signing_keys.new_key_pair("sonarqube", datetime.now(UTC))
    key_file, cert_file = folder / f"{name}.key", folder / f"{name}.crt"
    key_file.write_text(key_pem)
    cert_file.write_text(cert_pem)
    return str(key_file), str(cert_file), signing_keys.certificate_base64(cert_pem)
