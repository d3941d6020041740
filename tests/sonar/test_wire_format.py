"""The bytes SonarQube puts on the wire: 204 answers without a Content-Type."""

from collections.abc import Callable

import pytest

from tests.conftest import ADMIN
from tests.sonar.conftest import SCIM, create_user, post_json
from tests.sonar.ui_helper import PASSWORD

V2 = "/api/v2"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


def _local_user(client, login: str = "jane") -> dict:
    data = {"login": login, "name": login.title(), "password": PASSWORD}
    assert client.post("/api/users/create", headers=ADMIN, data=data).status_code == 200
    users = client.get(f"{V2}/users-management/users?q={login}", headers=ADMIN).get_json()
    return users["users"][0]


def _local_group(client, name: str = "team") -> dict:
    response = client.post(f"{V2}/authorizations/groups", headers=ADMIN, json={"name": name})
    assert response.status_code == 201, response.data
    return response.get_json()


def _membership(client) -> str:
    user, group = _local_user(client), _local_group(client)
    body = {"userId": user["id"], "groupId": group["id"]}
    response = client.post(f"{V2}/authorizations/group-memberships", headers=ADMIN, json=body)
    assert response.status_code == 201, response.data
    return response.get_json()["id"]


def _scim_group(client, scim: dict) -> str:
    body = {"schemas": [GROUP_SCHEMA], "displayName": "team", "members": []}
    response = post_json(client, f"{SCIM}/Groups", body, scim)
    assert response.status_code == 201, response.data
    return response.get_json()["id"]


#: Every kind of 204 the app sends: (name, request made after any arrangement).
NO_CONTENT: list[tuple[str, Callable]] = [
    ("scim_management/enable", lambda c, s: c.post("/api/scim_management/enable", headers=ADMIN)),
    (
        "scim_management/disable",
        lambda c, s: c.post("/api/scim_management/disable", headers=ADMIN),
    ),
    (
        "settings/set",
        lambda c, s: c.post(
            "/api/settings/set", headers=ADMIN, data={"key": "sonar.lf.logoUrl", "value": "x"}
        ),
    ),
    (
        "settings/reset",
        lambda c, s: c.post(
            "/api/settings/reset", headers=ADMIN, data={"keys": "sonar.lf.logoUrl"}
        ),
    ),
    (
        "user_tokens/revoke",
        lambda c, s: c.post("/api/user_tokens/revoke", headers=ADMIN, data={"name": "none"}),
    ),
    (
        "user_groups/add_user",
        lambda c, s: (
            _local_group(c)
            and _local_user(c)
            and c.post(
                "/api/user_groups/add_user", headers=ADMIN, data={"name": "team", "login": "jane"}
            )
        ),
    ),
    (
        "user_groups/remove_user",
        lambda c, s: (
            _local_group(c)
            and _local_user(c)
            and c.post(
                "/api/user_groups/remove_user",
                headers=ADMIN,
                data={"name": "team", "login": "jane"},
            )
        ),
    ),
    (
        "user_groups/delete",
        lambda c, s: (
            _local_group(c)
            and c.post("/api/user_groups/delete", headers=ADMIN, data={"name": "team"})
        ),
    ),
    (
        "users/change_password",
        lambda c, s: (
            _local_user(c)
            and c.post(
                "/api/users/change_password",
                headers=ADMIN,
                data={"login": "jane", "password": "An0ther-Passw0rd!"},
            )
        ),
    ),
    (
        "users/update_login",
        lambda c, s: (
            _local_user(c)
            and c.post(
                "/api/users/update_login", headers=ADMIN, data={"login": "jane", "newLogin": "j2"}
            )
        ),
    ),
    (
        "v2 DELETE groups/{id}",
        lambda c, s: c.delete(f"{V2}/authorizations/groups/{_local_group(c)['id']}", headers=ADMIN),
    ),
    (
        "v2 DELETE group-memberships/{id}",
        lambda c, s: c.delete(
            f"{V2}/authorizations/group-memberships/{_membership(c)}", headers=ADMIN
        ),
    ),
    (
        "v2 DELETE users/{id}",
        lambda c, s: c.delete(f"{V2}/users-management/users/{_local_user(c)['id']}", headers=ADMIN),
    ),
    (
        "SCIM DELETE Users/{id}",
        lambda c, s: c.delete(
            f"{SCIM}/Users/{create_user(c, s, 'jane@example.com')['id']}", headers=s
        ),
    ),
    (
        "SCIM DELETE Groups/{id}",
        lambda c, s: c.delete(f"{SCIM}/Groups/{_scim_group(c, s)}", headers=s),
    ),
    (
        "SCIM PATCH Groups/{id}",
        lambda c, s: post_json(
            c,
            f"{SCIM}/Groups/{_scim_group(c, s)}",
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "displayName", "value": "team-2"}],
            },
            s,
            method="PATCH",
        ),
    ),
    (
        "SCIM fault with status 204",
        lambda c, s: (
            c.post("/_mock/faults", headers=ADMIN, json={"status": 204}).status_code == 201
            and c.get(f"{SCIM}/Users", headers=s)
        ),
    ),
    ("_mock/reset", lambda c, s: c.post("/_mock/reset", headers=ADMIN)),
    (
        "_mock/state",
        lambda c, s: c.post(
            "/_mock/state", headers=ADMIN, json=c.get("/_mock/state", headers=ADMIN).get_json()
        ),
    ),
    ("DELETE _mock/faults", lambda c, s: c.delete("/_mock/faults", headers=ADMIN)),
]


@pytest.mark.parametrize(("name", "send"), NO_CONTENT, ids=[name for name, _ in NO_CONTENT])
def test_no_content_has_no_content_type(request, sonar, name, send):
    """ServletResponse.noContent() sets the status only; so do Spring's 204s (v2)."""
    # SCIM requests need SCIM on; the Web API's writes need an instance that is not managed.
    scim = request.getfixturevalue("scim") if name.startswith("SCIM") else None
    response = send(sonar, scim)
    assert response.status_code == 204, response.data
    assert response.data == b""
    assert "Content-Type" not in response.headers
