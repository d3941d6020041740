"""Fixtures for the SCIM server tests: SCIM switched on and an admin token, as Okta uses them."""

import json
from pathlib import Path

import pytest

from mock_common.db import connect
from tests.conftest import ADMIN, bearer
from tests.sonar.saml_idp_helper import KeyPair, TestIdp, configure_sonar, key_pair

SAMPLES = Path(__file__).parent / "samples"
SCIM = "/api/scim/v2"


def sample(name: str, **variables: str) -> dict:
    """A request body from samples/, with ${NAME} placeholders filled in."""
    text = (SAMPLES / name).read_text()
    for key, value in variables.items():
        text = text.replace("${" + key + "}", value)
    return json.loads(text)


def okta_headers(token: str) -> dict[str, str]:
    """The headers Okta's SCIM client sends (reference/okta.md §1.1)."""
    return {
        **bearer(token),
        "Accept": "application/scim+json",
        "Accept-Charset": "utf-8",
        "User-Agent": "Okta SCIM Client 1.0.0",
    }


@pytest.fixture
def scim(sonar, admin_token):
    """SCIM enabled; returns the headers of an admin's user token."""
    assert sonar.post("/api/scim_management/enable", headers=ADMIN).status_code == 204
    return okta_headers(admin_token)


@pytest.fixture
def db(sonar_app):
    """A direct connection to the app's database, to arrange state the API cannot."""
    connection = connect(sonar_app.config["DATABASE"])
    yield connection
    connection.conn.close()


def post_json(client, path: str, body: dict, headers: dict, method: str = "POST"):
    """Send a SCIM body as Okta does: application/scim+json; charset=utf-8."""
    return client.open(
        path,
        method=method,
        data=json.dumps(body),
        headers={**headers, "Content-Type": "application/scim+json; charset=utf-8"},
    )


def create_user(client, headers: dict, user_name: str, **extra) -> dict:
    """POST /Users with a minimal Okta-like body; returns the created resource."""
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": user_name,
        "name": {"givenName": "Given", "familyName": "Family"},
        "emails": [{"primary": True, "value": user_name, "type": "work"}],
        "displayName": extra.pop("displayName", user_name),
        "active": True,
        **extra,
    }
    response = post_json(client, f"{SCIM}/Users", body, headers)
    assert response.status_code == 201, response.data
    return response.get_json()


def sonar_user(client, external_identity: str, deactivated: bool = False) -> dict | None:
    """The SonarQube user with this external identity, through api/users/search."""
    query = "&deactivated=true" if deactivated else ""
    users = client.get(f"/api/users/search?ps=500{query}", headers=ADMIN).get_json()["users"]
    found = [u for u in users if u.get("externalIdentity") == external_identity]
    return found[0] if found else None


@pytest.fixture(scope="session")
def saml_keys(tmp_path_factory) -> dict[str, KeyPair]:
    """Throwaway key pairs: the test IdP's, another signer's, and SonarQube's own SP pair."""
    folder = tmp_path_factory.mktemp("saml-keys")
    return {name: key_pair(folder, name) for name in ("idp", "other", "sp")}


@pytest.fixture(scope="session")
def idp(saml_keys) -> TestIdp:
    """The IdP SonarQube trusts in the SAML tests."""
    return TestIdp(saml_keys["idp"])


@pytest.fixture
def saml_sonar(sonar, idp):
    """mock_sonar with SAML enabled for `idp` (Just-in-Time) and a `sonar-developers` group."""
    configure_sonar(sonar, idp)
    group = {"name": "sonar-developers"}
    created = sonar.post("/api/user_groups/create", headers=ADMIN, data=group)
    assert created.status_code == 200, created.data
    return sonar
