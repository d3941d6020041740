"""Only the org's admin can drive the control plane, and only the expected Host names reach
the app (SPEC §6): an SSWS token on every `/_mock` route, JSON bodies only."""

import pytest

from mock_okta import create_app
from tests.okta.api_helpers import SSWS


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/_mock/state"),
        ("POST", "/_mock/state"),
        ("POST", "/_mock/reset"),
        ("POST", "/_mock/clock"),
        ("GET", "/_mock/tasks"),
        ("POST", "/_mock/provisioning/wait"),
    ],
)
def test_every_control_route_needs_an_api_token(okta, method, path):
    for headers in ({}, {"Authorization": "SSWS not-a-token"}, {"Authorization": "Basic YTpi"}):
        response = okta.open(path, method=method, json={}, headers=headers)
        assert response.status_code == 401
        assert response.get_json()["errorCode"] == "E0000011"


def test_the_state_and_its_secrets_are_not_readable_without_the_token(okta):
    assert "users" not in okta.get("/_mock/state").get_json()
    assert "users" in okta.get("/_mock/state", headers=SSWS).get_json()


def test_a_token_of_a_suspended_admin_no_longer_drives_it(okta):
    assert okta.get("/_mock/state", headers=SSWS).status_code == 200
    owner = okta.get("/api/v1/users/me", headers=SSWS).get_json()["id"]
    assert okta.post(f"/api/v1/users/{owner}/lifecycle/suspend", headers=SSWS).status_code == 200
    assert okta.get("/_mock/state", headers=SSWS).status_code == 401


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/x-www-form-urlencoded", "advanceSeconds=60"),
        ("text/plain", '{"advanceSeconds": 60}'),
        ("multipart/form-data; boundary=x", "--x--"),
        (None, '{"advanceSeconds": 60}'),
    ],
)
def test_only_json_bodies_are_taken(okta, content_type, body):
    frozen = okta.post("/_mock/clock", json={"freeze": "2025-01-15T10:00:00Z"}, headers=SSWS)
    assert frozen.status_code == 200
    before = okta.get("/_mock/state", headers=SSWS).get_json()
    headers = {**SSWS, **({"Content-Type": content_type} if content_type else {})}
    response = okta.post("/_mock/clock", data=body, headers=headers)
    assert response.status_code == 415
    assert response.get_json()["errorCode"] == "E0000003"
    assert okta.get("/_mock/state", headers=SSWS).get_json() == before


def test_a_form_post_cannot_reset_the_org(okta):
    headers = {**SSWS, "Content-Type": "application/x-www-form-urlencoded"}
    assert okta.post("/_mock/reset", data="", headers=headers).status_code == 415


def test_json_and_empty_bodies_are_taken(okta):
    assert okta.post("/_mock/reset", headers=SSWS).status_code == 204
    moved = okta.post("/_mock/clock", json={"advanceSeconds": 60}, headers=SSWS)
    assert moved.status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "okta.test.evil.example", "192.168.1.10:8080"])
def test_a_foreign_host_is_refused_everywhere(okta, host):
    for path in ("/api/v1/users", "/_mock/state", "/login/login.htm", "/admin/dashboard"):
        response = okta.get(path, headers={**SSWS, "Host": host})
        assert response.status_code == 400, path
    refused = okta.get("/api/v1/users", headers={**SSWS, "Host": host}).get_data(as_text=True)
    assert "is not allowed" in refused
    assert "DEVENV_ALLOWED_HOSTS" in refused


@pytest.mark.parametrize("host", ["localhost:8080", "127.0.0.1:8080", "okta.test", "app.localhost"])
def test_the_public_host_and_loopback_names_are_answered(okta, host):
    assert okta.get("/api/v1/users", headers={**SSWS, "Host": host}).status_code == 200


def test_more_hosts_can_be_allowed(okta_app, tmp_path):
    config = {"DATABASE": okta_app.config["DATABASE"], "BASE_URL": "http://okta.test"}
    allowed = create_app({**config, "ALLOWED_HOSTS": "devbox.lan, .example.test"}).test_client()
    for host in ("devbox.lan", "ci.example.test"):
        assert allowed.get("/api/v1/users", headers={**SSWS, "Host": host}).status_code == 200
    assert allowed.get("/api/v1/users", headers={**SSWS, "Host": "x.lan"}).status_code == 400
    anyhost = create_app({**config, "ALLOWED_HOSTS": "*"}).test_client()
    assert anyhost.get("/api/v1/users", headers={**SSWS, "Host": "x.lan"}).status_code == 200
