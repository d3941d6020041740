"""API tokens through the official okta SDK, and the console's Create Token."""

import pytest

from mock_okta.config import DEFAULT_API_TOKEN
from tests.okta.api_helpers import SSWS


def test_list_and_get_the_fixture_token(sdk):
    tokens, _, err = sdk(lambda c: c.list_api_tokens())
    assert err is None
    assert [t.name for t in tokens] == ["devenv"]
    token, _, err = sdk(lambda c: c.get_api_token(tokens[0].id))
    assert err is None
    assert token.user_id is not None
    assert token.token_window == "P30D"


def test_create_token_in_the_console_then_use_and_revoke_it(okta):
    created = okta.post("/_mock/api-tokens", headers=SSWS, json={"name": "ci"})
    assert created.status_code == 201
    body = created.get_json()
    value = body["token"]
    assert value.startswith("00")
    headers = {"Authorization": f"SSWS {value}"}
    assert okta.get("/api/v1/users", headers=headers).status_code == 200
    listed = okta.get("/api/v1/api-tokens", headers=SSWS).get_json()
    assert all("token" not in t for t in listed)
    assert okta.delete(f"/api/v1/api-tokens/{body['id']}", headers=SSWS).status_code == 204
    assert okta.get("/api/v1/users", headers=headers).get_json()["errorCode"] == "E0000011"


def test_revoke_current(okta):
    value = okta.post("/_mock/api-tokens", headers=SSWS, json={"name": "x"}).get_json()["token"]
    headers = {"Authorization": f"SSWS {value}"}
    assert okta.delete("/api/v1/api-tokens/current", headers=headers).status_code == 204
    assert okta.get("/api/v1/users", headers=headers).status_code == 401
    assert (
        okta.get(
            "/api/v1/users", headers={"Authorization": f"SSWS {DEFAULT_API_TOKEN}"}
        ).status_code
        == 200
    )


def test_rename_and_errors(okta):
    token_id = okta.get("/api/v1/api-tokens", headers=SSWS).get_json()[0]["id"]
    renamed = okta.put(f"/api/v1/api-tokens/{token_id}", headers=SSWS, json={"name": "new"})
    assert renamed.get_json()["name"] == "new"
    assert (
        okta.put(f"/api/v1/api-tokens/{token_id}", headers=SSWS, json={"name": ""}).status_code
        == 400
    )
    missing = okta.get("/api/v1/api-tokens/00Tnope", headers=SSWS)
    assert missing.status_code == 404
    assert missing.get_json()["errorCode"] == "E0000007"
    assert okta.post("/_mock/api-tokens", json={"name": "x"}).status_code == 401


@pytest.mark.parametrize("name", ["line\nbreak", "nul\x00", "bell\x07", "x" * 256])
def test_a_token_name_with_control_characters_or_too_long_is_refused(okta, name):
    created = okta.post("/_mock/api-tokens", headers=SSWS, json={"name": name})
    assert created.status_code == 400
    assert created.get_json()["errorCode"] == "E0000001"
    token_id = okta.get("/api/v1/api-tokens", headers=SSWS).get_json()[0]["id"]
    renamed = okta.put(f"/api/v1/api-tokens/{token_id}", headers=SSWS, json={"name": name})
    assert renamed.status_code == 400
    assert renamed.get_json()["errorCode"] == "E0000001"
    names = [token["name"] for token in okta.get("/api/v1/api-tokens", headers=SSWS).get_json()]
    assert name not in names


def admin_id(okta) -> str:
    return okta.get("/api/v1/users/me", headers=SSWS).get_json()["id"]


@pytest.mark.parametrize("action", ["suspend", "deactivate"])
def test_a_token_stops_working_when_its_owner_is_no_longer_active(okta, action):
    owner = admin_id(okta)
    response = okta.post(f"/api/v1/users/{owner}/lifecycle/{action}", headers=SSWS)
    assert response.status_code == 200
    refused = okta.get("/api/v1/users", headers=SSWS)
    assert (refused.status_code, refused.get_json()["errorCode"]) == (401, "E0000011")


def advance(okta, days: float) -> None:
    response = okta.post("/_mock/clock", json={"advanceSeconds": days * 86400}, headers=SSWS)
    assert response.status_code == 200


def test_a_token_unused_for_its_window_expires(okta):
    assert okta.get("/api/v1/users", headers=SSWS).status_code == 200
    advance(okta, 31)
    refused = okta.get("/api/v1/users", headers=SSWS)
    assert (refused.status_code, refused.get_json()["errorCode"]) == (401, "E0000011")


def test_each_use_moves_the_window(okta):
    for _ in range(3):
        advance(okta, 29)
        assert okta.get("/api/v1/users", headers=SSWS).status_code == 200
