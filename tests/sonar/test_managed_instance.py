"""What a managed instance (SCIM on) refuses and allows: reference/sonarqube.md §4.1, §4.2.

Managed users and groups are made by inserting their `scim_users` / `scim_groups` rows, as
SonarQube's ScimUserDao and ScimGroupDao would.
"""

import json

import pytest

from mock_common.db import connect
from mock_sonar import clock
from mock_sonar.accounts import groups, users
from mock_sonar.storage.ids import new_uuid
from tests.conftest import ADMIN, basic

PASSWORD = "Str0ng-Passw0rd!"
MANAGED = "Operation not allowed when the instance is externally managed."
USERS = "/api/v2/users-management/users"
GROUPS = "/api/v2/authorizations/groups"
MEMBERSHIPS = "/api/v2/authorizations/group-memberships"


@pytest.fixture
def ids(sonar, sonar_app):
    """A managed instance with a local user and group and a managed (SCIM) user and group."""
    sonar.post(
        "/api/users/create",
        headers=ADMIN,
        data={"login": "dev", "name": "Dev", "password": PASSWORD},
    )
    sonar.post("/api/user_groups/create", headers=ADMIN, data={"name": "local-team"})
    sonar.post(
        "/api/user_groups/add_user", headers=ADMIN, data={"name": "local-team", "login": "dev"}
    )
    store = connect(sonar_app.config["DATABASE"])
    try:
        idp_user = users.create_external_user(
            store,
            clock.now(store),
            name="Idp User",
            email="idp@example.com",
            provider="saml",
            external_id="idp@example.com",
            login_seed="idp@example.com",
        )
        idp_team = groups.create_group(store, clock.now(store), "idp-team")
        store["scim_users"].insert(
            {"scim_uuid": new_uuid(), "user_uuid": idp_user["uuid"], "attributes": "{}"}
        )
        store["scim_groups"].insert({"scim_uuid": new_uuid(), "group_uuid": idp_team["uuid"]})
        local_team = groups.require_group(store, "local-team")
        dev = users.require_user(store, "dev")
        membership = next(
            store.query(
                "select uuid from groups_users where group_uuid = ? and user_uuid = ?",
                [local_team["uuid"], dev["uuid"]],
            )
        )["uuid"]
    finally:
        store.conn.close()
    assert sonar.post("/api/scim_management/enable", headers=ADMIN).status_code == 204
    return {
        "dev": dev["uuid"],
        "idp": idp_user["uuid"],
        "idp_login": idp_user["login"],
        "local_team": local_team["uuid"],
        "idp_team": idp_team["uuid"],
        "membership": membership,
    }


def call(client, ids: dict, method: str, path: str, body: object = None):
    """A v1 form post or a v2 JSON request; `{key}` in the path and body takes an id."""
    path = path.format(**ids)
    if path.startswith("/api/v2/"):
        text = json.dumps(_fill(body, ids)) if body is not None else None
        content_type = "application/merge-patch+json" if method == "PATCH" else "application/json"
        return client.open(
            path,
            method=method,
            headers=ADMIN,
            data=text,
            content_type=content_type if text else None,
        )
    data = _fill(body or {}, ids)
    return client.open(path, method=method, headers=ADMIN, data=data)


def _fill(value: object, ids: dict) -> object:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def error_body(path: str, message: str) -> dict:
    if path.startswith("/api/v2/"):
        return {"message": message}
    return {"errors": [{"msg": message}]}


REFUSED = [
    ("POST", "/api/users/create", {"login": "new", "name": "New", "password": PASSWORD}, MANAGED),
    ("POST", USERS, {"login": "new", "name": "New", "password": PASSWORD}, MANAGED),
    ("POST", "/api/users/update_login", {"login": "dev", "newLogin": "dev2"}, MANAGED),
    (
        "POST",
        "/api/users/update_identity_provider",
        {"login": "dev", "newExternalProvider": "saml"},
        MANAGED,
    ),
    (
        "POST",
        "/api/users/update",
        {"login": "dev", "name": "X"},
        "It is not allowed to update name for this user",
    ),
    (
        "POST",
        "/api/users/update",
        {"login": "dev", "email": "x@example.com"},
        "It is not allowed to update email for this user",
    ),
    (
        "POST",
        "/api/users/update",
        {"login": "{idp_login}", "name": "X"},
        "It is not allowed to update name for this user",
    ),
    ("PATCH", USERS + "/{dev}", {"name": "X"}, "It is not allowed to update name for this user"),
    ("PATCH", USERS + "/{dev}", {"login": "dev2"}, MANAGED),
    ("POST", "/api/users/deactivate", {"login": "{idp_login}"}, MANAGED),
    ("DELETE", USERS + "/{idp}", None, MANAGED),
    ("POST", "/api/user_groups/create", {"name": "new-team"}, MANAGED),
    ("POST", GROUPS, {"name": "new-team"}, MANAGED),
    ("POST", "/api/user_groups/update", {"currentName": "local-team", "name": "x"}, MANAGED),
    ("PATCH", GROUPS + "/{local_team}", {"name": "x"}, MANAGED),
    ("POST", "/api/user_groups/add_user", {"name": "local-team", "login": "admin"}, MANAGED),
    ("POST", "/api/user_groups/remove_user", {"name": "local-team", "login": "dev"}, MANAGED),
    ("POST", MEMBERSHIPS, {"userId": "{idp}", "groupId": "{local_team}"}, MANAGED),
    ("DELETE", MEMBERSHIPS + "/{membership}", None, MANAGED),
    (
        "POST",
        "/api/user_groups/delete",
        {"name": "idp-team"},
        "Deleting managed groups is not allowed.",
    ),
    ("DELETE", GROUPS + "/{idp_team}", None, MANAGED),
]


@pytest.mark.parametrize(("method", "path", "body", "message"), REFUSED)
def test_refused_while_managed(sonar, ids, method, path, body, message):
    response = call(sonar, ids, method, path, body)
    assert response.status_code == 400
    assert response.get_json() == error_body(path, message)


ALLOWED = [
    ("POST", "/api/users/deactivate", {"login": "dev"}, 200),
    ("DELETE", USERS + "/{dev}", None, 204),
    ("POST", "/api/user_groups/delete", {"name": "local-team"}, 204),
    ("DELETE", GROUPS + "/{local_team}", None, 204),
    ("POST", "/api/users/update", {"login": "{idp_login}", "scmAccount": "idp-gh"}, 200),
    ("PATCH", USERS + "/{idp}", {"scmAccounts": ["idp-gh"]}, 200),
    ("POST", "/api/user_tokens/generate", {"name": "t", "login": "{idp_login}"}, 200),
    ("GET", "/api/user_tokens/search?login={idp_login}", None, 200),
    ("POST", "/api/user_tokens/revoke", {"name": "t", "login": "{idp_login}"}, 204),
    ("POST", "/api/users/change_password", {"login": "dev", "password": "N3w-Passw0rd!!"}, 204),
]


@pytest.mark.parametrize(("method", "path", "body", "status"), ALLOWED)
def test_allowed_while_managed(sonar, ids, method, path, body, status):
    assert call(sonar, ids, method, path, body).status_code == status


def test_a_user_can_manage_their_own_tokens_while_managed(sonar, ids):
    response = sonar.post(
        "/api/user_tokens/generate", headers=basic("dev", PASSWORD), data={"name": "mine"}
    )
    assert response.status_code == 200


def test_users_search_shows_and_filters_managed_users(sonar, ids):
    managed = sonar.get("/api/users/search?managed=true", headers=ADMIN).get_json()["users"]
    local = sonar.get("/api/users/search?managed=false", headers=ADMIN).get_json()["users"]
    assert [(u["login"], u["managed"], u["externalProvider"]) for u in managed] == [
        (ids["idp_login"], True, "saml")
    ]
    assert sorted(u["login"] for u in local) == ["admin", "dev"]


def test_groups_search_shows_and_filters_managed_groups(sonar, ids):
    body = sonar.get("/api/user_groups/search?managed=true", headers=ADMIN).get_json()
    assert body["groups"] == [
        {"name": "idp-team", "membersCount": 0, "default": False, "managed": True}
    ]


def test_v2_lists_show_managed_flags(sonar, ids):
    user = sonar.get(f"{USERS}/{ids['idp']}", headers=ADMIN).get_json()
    group = sonar.get(f"{GROUPS}/{ids['idp_team']}", headers=ADMIN).get_json()
    local = sonar.get(f"{GROUPS}?managed=false", headers=ADMIN).get_json()["groups"]
    assert (user["managed"], group["managed"]) == (True, True)
    assert "idp-team" not in [g["name"] for g in local]


def test_disabling_scim_makes_everything_local_and_editable_again(sonar, ids):
    assert sonar.post("/api/scim_management/disable", headers=ADMIN).status_code == 204
    response = sonar.post("/api/user_groups/delete", headers=ADMIN, data={"name": "idp-team"})
    assert response.status_code == 204
    assert sonar.get(f"{USERS}/{ids['idp']}", headers=ADMIN).get_json()["managed"] is False
