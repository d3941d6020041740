"""The control plane: /_mock/reset, /_mock/state, /_mock/clock, /_mock/faults (SPEC §6)."""

import json
import time
from importlib.metadata import version
from pathlib import Path

import pytest
from click.testing import CliRunner

from mock_common.db import connect
from mock_common.fixture_files import load_fixture
from mock_sonar import clock, create_app, fixtures
from mock_sonar.cli import cli as sonar_cli
from tests.conftest import ADMIN, bearer, fixture_variables
from tests.sonar.conftest import SCIM

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "default.json"


@pytest.fixture
def seeded(tmp_path, devenv_keys):
    """An app seeded from the default fixture."""
    path = str(tmp_path / "s.sqlite3")
    app = create_app({"DATABASE": path})
    db = connect(path)
    fixtures.seed(
        db,
        clock.now(db),
        json.loads(FIXTURE.read_text()),
        fixture_variables(devenv_keys),
    )
    db.conn.close()
    return app.test_client()


def logins(client) -> set[str]:
    users = client.get("/api/users/search?ps=500", headers=ADMIN).get_json()["users"]
    return {u["login"] for u in users}


def test_the_default_fixture_is_the_guides_starting_point(seeded):
    values = seeded.get(
        "/api/settings/values?keys=sonar.core.serverBaseURL,sonar.auth.saml.enabled", headers=ADMIN
    ).get_json()["settings"]
    assert {v["key"]: v["value"] for v in values} == {
        "sonar.core.serverBaseURL": "http://localhost:9000",
        "sonar.auth.saml.enabled": "true",
    }
    assert seeded.get("/api/scim_management/status", headers=ADMIN).get_json() == {"enabled": False}
    assert "alice-martin-example-com20417" in logins(seeded)


def test_reset_goes_back_to_the_fixture(seeded):
    seeded.post(
        "/api/users/create",
        headers=ADMIN,
        data={"login": "extra", "name": "Extra", "password": "Extra-Passw0rd!"},
    )
    seeded.post("/api/scim_management/enable", headers=ADMIN)
    assert "extra" in logins(seeded)
    assert seeded.post("/_mock/reset", headers=ADMIN).status_code == 204
    assert "extra" not in logins(seeded)
    assert "alice-martin-example-com20417" in logins(seeded)
    assert seeded.get("/api/scim_management/status", headers=ADMIN).get_json() == {"enabled": False}


def test_state_export_and_import_round_trip(seeded, tmp_path):
    seeded.post(
        "/api/users/create",
        headers=ADMIN,
        data={"login": "extra", "name": "Extra", "password": "Extra-Passw0rd!"},
    )
    state = seeded.get("/_mock/state", headers=ADMIN).get_json()
    other = create_app({"DATABASE": str(tmp_path / "other.sqlite3")}).test_client()
    assert other.post("/_mock/state", json=state, headers=ADMIN).status_code == 204
    assert logins(other) == logins(seeded)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ([], "The state must be a JSON object of tables"),
        ({"nope": []}, "Unknown table 'nope'"),
        ({"users": [{"uuid": "x"}]}, "Invalid state: NOT NULL constraint failed: users.login"),
    ],
)
def test_bad_state_is_refused_and_nothing_changes(seeded, state, message):
    before = logins(seeded)
    response = seeded.post("/_mock/state", json=state, headers=ADMIN)
    assert response.status_code == 400
    assert response.get_json() == {"errors": [{"msg": message}]}
    assert logins(seeded) == before


def test_clock_freeze_and_advance(sonar):
    frozen = sonar.post("/_mock/clock", json={"freeze": "2025-01-15T10:20:30+00:00"}, headers=ADMIN)
    assert frozen.get_json() == {"now": "2025-01-15T10:20:30+00:00"}
    moved = sonar.post("/_mock/clock", json={"advanceSeconds": 90}, headers=ADMIN)
    assert moved.get_json() == {"now": "2025-01-15T10:22:00+00:00"}
    token = sonar.post("/api/user_tokens/generate", headers=ADMIN, data={"name": "t"}).get_json()
    assert token["createdAt"] == "2025-01-15T10:22:00+0000"


def test_clock_rejects_bad_input(sonar):
    assert (
        sonar.post("/_mock/clock", json={"freeze": "yesterday"}, headers=ADMIN).status_code == 400
    )
    assert (
        sonar.post("/_mock/clock", json={"advanceSeconds": "1"}, headers=ADMIN).status_code == 400
    )


def test_a_fault_fails_the_next_scim_request_only(sonar, scim):
    created = sonar.post("/_mock/faults", json={"status": 503}, headers=ADMIN)
    assert created.status_code == 201
    failed = sonar.get(f"{SCIM}/Users", headers=scim)
    assert failed.status_code == 503
    assert failed.get_json()["detail"] == "Service Unavailable"
    assert sonar.get(f"{SCIM}/Users", headers=scim).status_code == 200


def test_a_fault_can_send_a_malformed_body_and_headers(sonar, scim):
    sonar.post(
        "/_mock/faults",
        json={
            "status": 429,
            "body": "Too many",
            "headers": {"Retry-After": "2"},
            "method": "POST",
            "path": "/Users",
        },
        headers=ADMIN,
    )
    assert sonar.get(f"{SCIM}/Users", headers=scim).status_code == 200
    response = sonar.post(f"{SCIM}/Users", json={"userName": "x"}, headers=scim)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert response.data == b"Too many"
    assert response.content_type.startswith("text/plain")


def test_a_delay_fault_slows_the_request_down(sonar, scim):
    sonar.post("/_mock/faults", json={"delaySeconds": 0.3}, headers=ADMIN)
    started = time.monotonic()
    assert sonar.get(f"{SCIM}/Users", headers=scim).status_code == 200
    assert time.monotonic() - started >= 0.3


@pytest.mark.parametrize(
    "spec",
    [
        {"count": 0, "status": 500},
        {"status": 42},
        {},
        {"delaySeconds": -1},
        {"status": 500, "headers": {"a": 1}},
    ],
)
def test_bad_fault_specs_are_refused(sonar, spec):
    assert sonar.post("/_mock/faults", json=spec, headers=ADMIN).status_code == 400


def test_control_plane_can_be_switched_off(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "s.sqlite3"), "CONTROL_PLANE": False})
    assert app.test_client().post("/_mock/reset", headers=ADMIN).status_code == 404


def test_seed_loads_a_fixture_and_reset_returns_to_it(sonar):
    client = sonar
    fixture = load_fixture(FIXTURE.parent / "provisioned.json")
    body = {"fixture": fixture, "variables": {"OKTA_URL": "http://okta.test"}}
    assert client.post("/_mock/seed", json=body, headers=ADMIN).status_code == 204
    assert client.get("/api/scim_management/status", headers=ADMIN).get_json() == {"enabled": True}
    client.post("/api/scim_management/disable", headers=ADMIN)
    client.post("/_mock/faults", json={"status": 503}, headers=ADMIN)
    assert client.post("/_mock/reset", headers=ADMIN).status_code == 204
    assert client.get("/api/scim_management/status", headers=ADMIN).get_json() == {"enabled": True}
    base_url = client.get(
        "/api/settings/values?keys=sonar.core.serverBaseURL", headers=ADMIN
    ).get_json()["settings"][0]["value"]
    assert base_url == "http://sonar.test"


def test_seed_clears_injected_faults_and_refuses_a_bad_fixture(sonar, scim):
    sonar.post("/_mock/faults", json={"status": 503, "count": 5}, headers=ADMIN)
    before = sonar.get("/_mock/state", headers=ADMIN).get_json()
    broken = {"sonar": {"users": [{"nope": 1}]}}
    refused = sonar.post("/_mock/seed", json={"fixture": broken}, headers=ADMIN)
    assert refused.status_code == 400
    assert refused.get_json()["errors"][0]["msg"].startswith("The fixture cannot be loaded")
    assert sonar.get("/_mock/state", headers=ADMIN).get_json() == before
    fixture = load_fixture(FIXTURE.parent / "provisioned.json")
    body = {"fixture": fixture, "variables": {"OKTA_URL": "http://okta.test"}}
    assert sonar.post("/_mock/seed", json=body, headers=ADMIN).status_code == 204
    token = bearer("squ_5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e")
    assert sonar.get(f"{SCIM}/Users", headers=token).status_code == 200


def test_version_and_status_for_tools_to_poll(sonar):
    result = CliRunner().invoke(sonar_cli, ["--version"])
    assert result.output == f"mock-sonar, version {version('okta-sonar-devenv')}\n"
    status = sonar.get("/_mock/status", headers=ADMIN)
    assert status.get_json() == {"status": "UP", "version": version("okta-sonar-devenv")}
