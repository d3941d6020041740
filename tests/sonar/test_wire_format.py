"""The bytes SonarQube puts on the wire: 204 answers without a Content-Type; JSON compact and
in raw UTF-8, as Gson's JsonWriter (Web API v1), Jackson (v2) and the SCIM server write it."""

import json
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


ZOE = "Zoë Ångström"
EQUIPE = "Équipe ünïcode"


def assert_sonar_json(response, content_type: str, *texts: str) -> object:
    """The body is JSON exactly as a compact, non-escaping writer makes it, in UTF-8 (JSON's
    own encoding: the Content-Type names no other charset), with these texts as raw UTF-8."""
    assert response.headers["Content-Type"] == content_type
    raw = response.get_data()
    data = json.loads(raw.decode("utf-8"))
    assert raw == json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    for text in texts:
        assert text.encode("utf-8") in raw
    return data


@pytest.fixture
def zoe(sonar):
    """A local user and a group whose names are not ASCII."""
    data = {"login": "zoe", "name": ZOE, "email": "zoe@example.com", "password": PASSWORD}
    assert sonar.post("/api/users/create", headers=ADMIN, data=data).status_code == 200
    response = sonar.post("/api/user_groups/create", headers=ADMIN, data={"name": EQUIPE})
    assert response.status_code == 200
    return sonar


@pytest.mark.parametrize(
    "path",
    [
        "/api/users/search?q=zoe",
        "/api/user_groups/users?name=sonar-users&q=zoe",
        f"{V2}/users-management/users?q=zoe",
    ],
)
def test_web_api_users_are_compact_raw_utf8(zoe, path):
    assert_sonar_json(zoe.get(path, headers=ADMIN), "application/json", ZOE)


@pytest.mark.parametrize(
    "path", ["/api/user_groups/search?q=quipe", f"{V2}/authorizations/groups?q=quipe"]
)
def test_web_api_groups_are_compact_raw_utf8(zoe, path):
    assert_sonar_json(zoe.get(path, headers=ADMIN), "application/json", EQUIPE)


def test_web_api_errors_are_compact_raw_utf8(zoe):
    v1 = zoe.post("/api/user_groups/create", headers=ADMIN, data={"name": EQUIPE})
    assert v1.status_code == 400
    body = assert_sonar_json(v1, "application/json", EQUIPE)
    assert body == {"errors": [{"msg": f"Group '{EQUIPE}' already exists"}]}
    v2 = zoe.post(f"{V2}/authorizations/groups", headers=ADMIN, json={"name": EQUIPE})
    assert v2.status_code == 400
    body = assert_sonar_json(v2, "application/json", EQUIPE)
    assert body == {"message": f"Group '{EQUIPE}' already exists"}


def test_scim_resources_and_errors_are_compact_raw_utf8(sonar, scim):
    created = create_user(sonar, scim, "zoe@example.com", displayName=ZOE)
    path = f"{SCIM}/Users/{created['id']}"
    assert_sonar_json(sonar.get(path, headers=scim), "application/scim+json", ZOE)
    listed = sonar.get(f'{SCIM}/Users?filter=userName eq "zoe@example.com"', headers=scim)
    assert_sonar_json(listed, "application/scim+json", ZOE)
    body = {"schemas": [GROUP_SCHEMA], "displayName": EQUIPE, "members": []}
    group = post_json(sonar, f"{SCIM}/Groups", body, scim)
    assert_sonar_json(group, "application/scim+json", EQUIPE)
    conflict = post_json(sonar, f"{SCIM}/Groups", body, scim)
    assert conflict.status_code == 409
    assert_sonar_json(conflict, "application/scim+json", EQUIPE)
    discovery = sonar.get(f"{SCIM}/ServiceProviderConfig", headers=scim)
    assert_sonar_json(discovery, "application/scim+json")


def test_an_injected_scim_fault_is_compact(sonar, scim):
    fault = sonar.post("/_mock/faults", headers=ADMIN, json={"status": 503})
    assert_sonar_json(fault, "application/json")
    response = sonar.get(f"{SCIM}/Users", headers=scim)
    assert response.status_code == 503
    assert_sonar_json(response, "application/scim+json")


def test_control_plane_json_is_compact_raw_utf8(zoe):
    state = assert_sonar_json(zoe.get("/_mock/state", headers=ADMIN), "application/json", ZOE)
    assert ZOE in {user["name"] for user in state["users"]}
    clock = zoe.post("/_mock/clock", headers=ADMIN, json={"freeze": "2025-01-15T10:00:00Z"})
    assert_sonar_json(clock, "application/json")
