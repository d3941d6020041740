"""The mock-okta command line and the control plane (SPEC §2, §6)."""

import json
from importlib.metadata import version
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mock_common.fixture_files import load_fixture
from mock_okta.cli import cli
from tests.okta.api_helpers import SSWS

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "default.json"


@pytest.fixture
def run(tmp_path):
    db_path = str(tmp_path / "cli.sqlite3")

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["--db", db_path, *args])

    return invoke


def test_every_command_has_help():
    for name, command in cli.commands.items():
        assert isinstance(command, click.Command)
        assert command.help, f"mock-okta {name} has no help"


def test_init_seed_reset(run):
    assert run("init").exit_code == 0
    assert "admin@example.com\tACTIVE" in run("users").output
    result = run("seed", str(FIXTURE))
    assert result.exit_code == 0, result.output
    listed = run("users").output
    assert "alice.martin@example.com\tACTIVE" in listed
    assert "kate.novak@example.com\tSUSPENDED" in listed
    assert "leo.garcia@example.com\tSTAGED" in listed
    assert run("reset").exit_code == 0
    assert "alice.martin@example.com" in run("users").output


def test_create_token_works_as_ssws(run, tmp_path):
    run("init")
    token = run("create-token", "ci").output.strip()
    assert token.startswith("00")
    from mock_okta import create_app

    app = create_app({"DATABASE": str(tmp_path / "cli.sqlite3")})
    response = app.test_client().get("/api/v1/users", headers={"Authorization": f"SSWS {token}"})
    assert response.status_code == 200


def test_seed_reports_bad_json(run, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    result = run("seed", str(bad))
    assert result.exit_code == 1
    assert "not valid JSON" in result.output


def test_reset_and_state_round_trip(okta, tmp_path):
    created = okta.post(
        "/api/v1/users",
        headers=SSWS,
        json={
            "profile": {
                "login": "x@example.com",
                "email": "x@example.com",
                "firstName": "X",
                "lastName": "Y",
            }
        },
    )
    assert created.status_code == 200
    state = okta.get("/_mock/state", headers=SSWS).get_json()
    assert any(u["login"] == "x@example.com" for u in state["users"])
    assert okta.post("/_mock/reset", headers=SSWS).status_code == 204
    assert okta.get("/api/v1/users/x@example.com", headers=SSWS).status_code == 404
    assert okta.post("/_mock/state", json=state, headers=SSWS).status_code == 204
    assert okta.get("/api/v1/users/x@example.com", headers=SSWS).status_code == 200


def test_bad_state_is_refused_without_change(okta):
    response = okta.post("/_mock/state", json={"users": [{"nope": 1}]}, headers=SSWS)
    assert response.status_code == 400
    assert response.get_json()["errorCode"] == "E0000001"
    assert okta.get("/api/v1/users/admin@example.com", headers=SSWS).status_code == 200


def test_clock(okta):
    assert okta.post(
        "/_mock/clock", json={"freeze": "2025-01-15T10:00:00+00:00"}, headers=SSWS
    ).get_json() == {"now": "2025-01-15T10:00:00+00:00"}
    created = okta.post(
        "/api/v1/users",
        headers=SSWS,
        json={
            "profile": {
                "login": "x@example.com",
                "email": "x@example.com",
                "firstName": "X",
                "lastName": "Y",
            }
        },
    )
    assert created.get_json()["created"] == "2025-01-15T10:00:00.000Z"
    assert okta.post("/_mock/clock", json={"advanceSeconds": "x"}, headers=SSWS).status_code == 400


def test_organization_endpoint_is_public(okta):
    body = okta.get("/.well-known/okta-organization").get_json()
    assert body["id"].startswith("00o")
    assert body["_links"]["organization"]["href"] == "http://okta.test"


def test_default_fixture_json_is_consistent():
    data = json.loads(FIXTURE.read_text())
    ids = {u["id"] for u in data["okta"]["users"]}
    for group in data["okta"]["groups"]:
        assert set(group["members"]) <= ids
    app = data["okta"]["apps"][0]
    settings = data["sonar"]["settings"]
    assert settings["sonar.auth.saml.providerId"] == f"http://www.okta.com/{app['externalKey']}"
    assert app["externalKey"] in settings["sonar.auth.saml.loginUrl"]


def seed_body(name: str, **variables: str) -> dict:
    fixture = load_fixture(Path(__file__).resolve().parents[2] / "fixtures" / name)
    return {"fixture": fixture, "variables": {"SONAR_URL": "http://sonar.test", **variables}}


def test_seed_loads_a_fixture_and_reset_returns_to_it(okta):
    assert okta.post("/_mock/seed", json=seed_body("default.json"), headers=SSWS).status_code == 204
    alice = okta.get("/api/v1/users/alice.martin@example.com", headers=SSWS)
    assert alice.status_code == 200
    assert (
        okta.post(
            "/api/v1/users/alice.martin@example.com/lifecycle/suspend", headers=SSWS
        ).status_code
        == 200
    )
    assert okta.post("/_mock/reset", headers=SSWS).status_code == 204
    again = okta.get("/api/v1/users/alice.martin@example.com", headers=SSWS).get_json()
    assert again["status"] == "ACTIVE"
    app = okta.get("/api/v1/apps/0oasonarqubedevenv01", headers=SSWS).get_json()
    assert app["settings"]["signOn"]["ssoAcsUrl"] == "http://sonar.test/oauth2/callback/saml"


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ({"fixture": []}, "fixture: must be a fixture object"),
        ({"fixture": {}, "variables": {"SONAR_URL": 5}}, "variables: must be an object of strings"),
        ({"fixture": {}, "variables": {"DEVENV_KEYS": "/etc"}}, "may not set DEVENV_KEYS"),
    ],
)
def test_seed_refuses_what_it_cannot_load(okta, body, cause):
    response = okta.post("/_mock/seed", json=body, headers=SSWS)
    assert response.status_code == 400
    assert cause in response.get_json()["errorCauses"][0]["errorSummary"]


def test_a_fixture_that_fails_halfway_changes_nothing(okta):
    before = okta.get("/_mock/state", headers=SSWS).get_json()
    broken = {"okta": {"users": [{"profile": {"login": "a@example.com"}}, {"nope": True}]}}
    response = okta.post("/_mock/seed", json={"fixture": broken}, headers=SSWS)
    assert response.status_code == 400
    assert "The fixture cannot be loaded" in response.get_json()["errorSummary"]
    assert okta.get("/_mock/state", headers=SSWS).get_json() == before


def test_version_and_status_for_tools_to_poll(okta):
    result = CliRunner().invoke(cli, ["--version"])
    assert result.output == f"mock-okta, version {version('okta-sonar-devenv')}\n"
    assert okta.get("/_mock/status").status_code == 401
    status = okta.get("/_mock/status", headers=SSWS)
    assert status.get_json() == {"status": "UP", "version": version("okta-sonar-devenv")}
