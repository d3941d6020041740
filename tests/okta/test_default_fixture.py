"""The default world (SPEC §3) as the Management API shows it after seeding."""

import json
from pathlib import Path

import pytest

from mock_common import clock
from mock_common.db import connect
from mock_okta import fixtures
from tests.conftest import fixture_variables
from tests.okta.api_helpers import SSWS

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "default.json"
APP = "0oasonarqubedevenv01"


@pytest.fixture
def seeded(okta_app, okta, devenv_keys):
    db = connect(okta_app.config["DATABASE"])
    fixtures.seed(
        db,
        clock.now(db),
        json.loads(FIXTURE.read_text()),
        fixture_variables(devenv_keys),
    )
    db.conn.close()
    return okta


def get(client, path: str):
    response = client.get(path, headers=SSWS)
    assert response.status_code == 200, response.data
    return response.get_json()


def test_users_and_statuses(seeded):
    users = {
        u["profile"]["login"]: u["status"] for u in get(seeded, "/api/v1/users?search=status pr")
    }
    assert len(users) == 13
    assert users["kate.novak@example.com"] == "SUSPENDED"
    assert users["leo.garcia@example.com"] == "STAGED"


def test_the_group_rule_filled_engineering(seeded):
    members = {
        u["profile"]["login"] for u in get(seeded, "/api/v1/groups/00gengineering000004/users")
    }
    assert "alice.martin@example.com" in members
    assert "carol.smith@example.com" not in members
    rules = get(seeded, "/api/v1/groups/rules")
    assert [(r["name"], r["status"]) for r in rules] == [("Engineering department", "ACTIVE")]


def test_the_sonarqube_saml_app(seeded):
    app = get(seeded, f"/api/v1/apps/{APP}")
    assert app["label"] == "SonarQube"
    assert app["name"] == "devenvorg_sonarqube_1"
    assert app["signOnMode"] == "SAML_2_0"
    sign_on = app["settings"]["signOn"]
    assert sign_on["ssoAcsUrl"] == "http://localhost:9000/oauth2/callback/saml"
    assert sign_on["audience"] == "sonarqube"
    assert (sign_on["responseSigned"], sign_on["assertionSigned"]) == (True, True)
    assert sign_on["signatureAlgorithm"] == "RSA_SHA256"
    assert [s["name"] for s in sign_on["attributeStatements"]] == [
        "login",
        "name",
        "email",
        "groups",
    ]


def test_assignments(seeded):
    app_users = {
        u["credentials"]["userName"]: u["scope"] for u in get(seeded, f"/api/v1/apps/{APP}/users")
    }
    assert app_users["alice.martin@example.com"] == "USER"
    assert app_users["bob.nguyen@example.com"] == "USER"
    assert app_users["dave.lee@example.com"] == "GROUP"
    assert "henry.dubois@example.com" not in app_users
    app_groups = [g["id"] for g in get(seeded, f"/api/v1/apps/{APP}/groups")]
    assert app_groups == ["00gsonardevelopers01"]


def test_metadata_names_the_issuer_sonarqube_trusts(seeded):
    response = seeded.get("/app/exksonarqube0devenv7/sso/saml/metadata")
    assert response.status_code == 200
    assert b'entityID="http://www.okta.com/exksonarqube0devenv7"' in response.data
    assert b"/app/devenvorg_sonarqube_1/exksonarqube0devenv7/sso/saml" in response.data
