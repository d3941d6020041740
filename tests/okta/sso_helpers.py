"""Helpers for the SSO tests: the default world seeded, a pysaml2 SP, a browser's sign-in."""

import html
import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from saml2 import BINDING_HTTP_POST
from saml2.client import Saml2Client
from saml2.config import SPConfig

from mock_common import clock
from mock_common.db import connect
from mock_okta import fixtures
from tests.conftest import fixture_variables

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
) -> Saml2Client:
    """A pysaml2 SP configured like the fixture's SonarQube, trusting the IdP's metadata."""
    sp: dict = {
        "endpoints": {
            "assertion_consumer_service": [(ACS, BINDING_HTTP_POST)],
            "single_logout_service": [(f"{SONAR_URL}/logout", BINDING_HTTP_POST)],
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
