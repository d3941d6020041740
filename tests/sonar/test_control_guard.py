"""Only an administrator can drive the control plane, and only the expected Host names reach
the app (SPEC §6): the Web API's credentials on every `/_mock` route, JSON bodies only."""

import pytest

from mock_sonar import create_app
from mock_sonar.accounts.sessions import XSRF_COOKIE, XSRF_HEADER
from tests.conftest import ADMIN, basic, bearer

ROUTES = [
    ("GET", "/_mock/state"),
    ("POST", "/_mock/state"),
    ("POST", "/_mock/reset"),
    ("POST", "/_mock/clock"),
    ("POST", "/_mock/faults"),
    ("DELETE", "/_mock/faults"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_every_control_route_needs_a_login(sonar, method, path):
    for headers in ({}, basic("admin", "wrong"), bearer("squ_" + "0" * 40)):
        assert sonar.open(path, method=method, json={}, headers=headers).status_code == 401


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_user_who_is_not_an_administrator_is_refused(sonar, method, path):
    created = sonar.post(
        "/api/users/create",
        data={"login": "dev", "name": "Dev", "password": "Dev-Passw0rd!"},
        headers=ADMIN,
    )
    assert created.status_code == 200
    response = sonar.open(path, method=method, json={}, headers=basic("dev", "Dev-Passw0rd!"))
    assert response.status_code == 403
    assert response.get_json() == {"errors": [{"msg": "Insufficient privileges"}]}


def test_the_state_with_its_secrets_is_not_readable_anonymously(sonar):
    assert sonar.get("/_mock/state").get_data() == b""
    assert "users" in sonar.get("/_mock/state", headers=ADMIN).get_json()


def test_an_administrators_token_drives_it(sonar, admin_token):
    assert sonar.post("/_mock/reset", headers=bearer(admin_token)).status_code == 204


def test_driving_it_is_not_a_use_of_the_token(sonar, admin_token):
    def token_used(state: dict) -> str | None:
        return next(t for t in state["user_tokens"] if t["name"] == "tests")["last_connection_date"]

    sonar.post("/_mock/clock", json={"advanceSeconds": 60}, headers=bearer(admin_token))
    assert token_used(sonar.get("/_mock/state", headers=bearer(admin_token)).get_json()) is None
    sonar.get("/api/users/search", headers=bearer(admin_token))
    assert token_used(sonar.get("/_mock/state", headers=ADMIN).get_json()) is not None


def test_a_browser_session_needs_the_xsrf_token(sonar):
    login = sonar.post("/api/authentication/login", data={"login": "admin", "password": "admin"})
    assert login.status_code == 200
    assert sonar.post("/_mock/reset").status_code == 401
    xsrf = sonar.get_cookie(XSRF_COOKIE).value
    assert sonar.post("/_mock/reset", headers={XSRF_HEADER: xsrf}).status_code == 204


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "advanceSeconds=60"),
        ("text/plain", '{"advanceSeconds": 60}'),
        (None, '{"advanceSeconds": 60}'),
    ],
)
def test_only_json_bodies_are_taken(sonar, content_type, body):
    frozen = sonar.post("/_mock/clock", json={"freeze": "2025-01-15T10:00:00Z"}, headers=ADMIN)
    assert frozen.status_code == 200
    before = sonar.get("/_mock/state", headers=ADMIN).get_json()
    headers = {**ADMIN, **({"Content-Type": content_type} if content_type else {})}
    response = sonar.post("/_mock/clock", data=body, headers=headers)
    assert response.status_code == 415
    assert response.get_json() == {"errors": [{"msg": "Unsupported media type."}]}
    assert sonar.get("/_mock/state", headers=ADMIN).get_json() == before


@pytest.mark.parametrize("host", ["evil.example", "sonar.test.evil.example", "10.0.0.2:9000"])
def test_a_foreign_host_is_refused_everywhere(sonar, host):
    for path in ("/api/users/search", "/_mock/state", "/sessions/new", "/api/scim/v2/Users"):
        assert sonar.get(path, headers={**ADMIN, "Host": host}).status_code == 400, path
    refused = sonar.get("/api/users/search", headers={**ADMIN, "Host": host}).get_data(as_text=True)
    assert "is not allowed" in refused
    assert "DEVENV_ALLOWED_HOSTS" in refused


@pytest.mark.parametrize("host", ["localhost:9000", "127.0.0.1:9000", "sonar.test", "a.localhost"])
def test_the_public_host_and_loopback_names_are_answered(sonar, host):
    assert sonar.get("/api/users/search", headers={**ADMIN, "Host": host}).status_code == 200


def test_more_hosts_can_be_allowed(sonar_app):
    config = {"DATABASE": sonar_app.config["DATABASE"], "BASE_URL": "http://sonar.test"}
    allowed = create_app({**config, "ALLOWED_HOSTS": "devbox.lan"}).test_client()
    assert allowed.get("/api/server/version", headers={"Host": "devbox.lan"}).status_code == 200
    assert allowed.get("/api/server/version", headers={"Host": "x.lan"}).status_code == 400
