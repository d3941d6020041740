"""Web API v2: users-management/users, authorizations/groups, group-memberships (§6.6, §6.8)."""

import json

import pytest

from mock_common.db import connect
from mock_sonar.accounts import groups, users
from tests.conftest import ADMIN, basic

PASSWORD = "Str0ng-Passw0rd!"
USERS = "/api/v2/users-management/users"
GROUPS = "/api/v2/authorizations/groups"
MEMBERSHIPS = "/api/v2/authorizations/group-memberships"
MERGE_PATCH = "application/merge-patch+json"


@pytest.fixture
def store(sonar_app):
    """A direct connection to the app's database."""
    connection = connect(sonar_app.config["DATABASE"])
    yield connection
    connection.conn.close()


def create_user(client, login: str, **fields) -> dict:
    body = {"login": login, "name": login.title(), "password": PASSWORD, **fields}
    response = client.post(USERS, headers=ADMIN, json=body)
    assert response.status_code == 200, response.data
    return response.get_json()


def create_group(client, name: str, **fields) -> dict:
    response = client.post(GROUPS, headers=ADMIN, json={"name": name, **fields})
    assert response.status_code == 201, response.data
    return response.get_json()


def patch(client, path: str, body: object, headers=ADMIN):
    return client.patch(path, headers=headers, data=json.dumps(body), content_type=MERGE_PATCH)


def message(text: str) -> dict:
    return {"message": text}


def rejected(field: str, value: str, error: str) -> str:
    return f"Value {value} for field {field} was rejected. Error: {error}."


# --- users -----------------------------------------------------------------------------------


def test_create_user_returns_it_with_200(sonar):
    response = sonar.post(
        USERS,
        headers=ADMIN,
        json={
            "login": "jane",
            "name": "Jane Doe",
            "email": "jane@example.com",
            "password": PASSWORD,
            "scmAccounts": ["jd"],
        },
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body == {
        "id": body["id"],
        "login": "jane",
        "name": "Jane Doe",
        "email": "jane@example.com",
        "active": True,
        "local": True,
        "managed": False,
        "externalLogin": "jane",
        "externalProvider": "sonarqube",
        "externalId": "jane",
        "avatar": "9e26471d35a78862c17e467d87cddedf",
        "sonarQubeLastConnectionDate": None,
        "sonarLintLastConnectionDate": None,
        "scmAccounts": ["jd"],
    }


def test_list_users_shows_active_users_with_a_page(sonar):
    create_user(sonar, "jane")
    body = sonar.get(USERS, headers=ADMIN).get_json()
    assert body["page"] == {"pageIndex": 1, "pageSize": 50, "total": 2}
    assert [u["login"] for u in body["users"]] == ["admin", "jane"]


def test_list_users_active_false_lists_deactivated_users(sonar):
    jane = create_user(sonar, "jane")
    sonar.delete(f"{USERS}/{jane['id']}", headers=ADMIN)
    body = sonar.get(f"{USERS}?active=false", headers=ADMIN).get_json()
    assert [(u["login"], u["active"]) for u in body["users"]] == [("jane", False)]


def test_list_users_filters_by_group_and_by_absence_from_it(sonar):
    jane = create_user(sonar, "jane")
    team = create_group(sonar, "team")
    sonar.post(MEMBERSHIPS, headers=ADMIN, json={"userId": jane["id"], "groupId": team["id"]})
    inside = sonar.get(f"{USERS}?groupId={team['id']}", headers=ADMIN).get_json()
    outside = sonar.get(f"{USERS}?groupId!={team['id']}", headers=ADMIN).get_json()
    assert [u["login"] for u in inside["users"]] == ["jane"]
    assert [u["login"] for u in outside["users"]] == ["admin"]


def test_list_users_for_a_non_admin_hides_private_fields(sonar):
    create_user(sonar, "jane", email="jane@example.com")
    create_user(sonar, "bob")
    body = sonar.get(f"{USERS}?q=jane", headers=basic("bob", PASSWORD)).get_json()
    user = body["users"][0]
    assert set(user) == {
        "id",
        "login",
        "name",
        "email",
        "active",
        "local",
        "externalProvider",
        "avatar",
    }


@pytest.mark.parametrize("param", ["groupId", "groupId!", "externalIdentity"])
def test_admin_only_filters_are_403_for_others(sonar, param):
    create_user(sonar, "bob")
    response = sonar.get(f"{USERS}?{param}=x", headers=basic("bob", PASSWORD))
    assert response.status_code == 403
    assert response.get_json() == message(
        f"Parameter {param} requires Administer System permission."
    )


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("pageSize=501", rejected("pageSize", "501", "must be less than or equal to 500")),
        ("pageSize=-1", rejected("pageSize", "-1", "must be greater than or equal to 0")),
        (
            "pageIndex=0",
            rejected("pageIndex", "0", "must be greater than 0")
            + rejected("pageIndex", "0", "must be greater than or equal to 1"),
        ),
        ("managed=true", "The 'managed' parameter is only available for managed instances."),
    ],
)
def test_list_users_refuses_bad_parameters(sonar, query, text):
    response = sonar.get(f"{USERS}?{query}", headers=ADMIN)
    assert response.status_code == 400
    assert response.get_json() == message(text)


@pytest.mark.parametrize(
    "query", ["pageSize=ten", "active=maybe", "pageIndex=99999999999999999999"]
)
def test_list_users_refuses_unconvertible_parameters(sonar, query):
    response = sonar.get(f"{USERS}?{query}", headers=ADMIN)
    assert response.status_code == 400
    key, value = query.split("=")
    assert response.get_json()["message"].startswith(
        f"Value {value} for field {key} was rejected. Error: Failed to convert"
    )


def test_page_size_zero_only_counts(sonar):
    body = sonar.get(f"{USERS}?pageSize=0", headers=ADMIN).get_json()
    assert body == {"users": [], "page": {"pageIndex": 1, "pageSize": 0, "total": 1}}


def test_fetch_user_by_id(sonar):
    jane = create_user(sonar, "jane")
    response = sonar.get(f"{USERS}/{jane['id']}", headers=ADMIN)
    assert response.status_code == 200
    assert response.get_json() == jane


def test_fetch_unknown_user_is_404(sonar):
    response = sonar.get(f"{USERS}/nope", headers=ADMIN)
    assert response.status_code == 404
    assert response.get_json() == message("User 'nope' not found")


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ({"name": "Jane", "password": PASSWORD}, rejected("login", "{}", "must not be null")),
        (
            {"login": "j", "name": "Jane", "password": PASSWORD},
            rejected("login", "j", "size must be between 2 and 100"),
        ),
        ({"login": "jane", "password": PASSWORD}, rejected("name", "{}", "must not be null")),
        (
            {"login": "jane", "name": "Jane", "email": "nope", "password": PASSWORD},
            rejected("email", "nope", "must be a well-formed email address"),
        ),
        ({"login": "jane", "name": "Jane", "local": "abc"}, "Invalid request format."),
        ({"login": ["jane"], "name": "Jane"}, "Invalid request format."),
        (
            {"login": "jane", "name": "Jane", "scmAccounts": "jd", "password": PASSWORD},
            "Invalid request format.",
        ),
        ({"login": "jane", "name": "Jane"}, "Password is mandatory and must not be empty"),
        (
            {"login": "admin", "name": "A", "password": PASSWORD},
            "An active user with login 'admin' already exists",
        ),
    ],
)
def test_create_user_refuses_bad_bodies(sonar, body, text):
    response = sonar.post(USERS, headers=ADMIN, json=body)
    assert response.status_code == 400
    assert response.get_json() == message(text)


@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", '"text"', ""])
def test_malformed_json_is_400(sonar, raw):
    response = sonar.post(USERS, headers=ADMIN, data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json() == message("Invalid request format.")


def test_create_user_needs_json(sonar):
    response = sonar.post(USERS, headers=ADMIN, data={"login": "jane"})
    assert response.status_code == 415
    assert response.get_json() == message("Unsupported media type.")


def test_create_user_needs_administer_system(sonar):
    create_user(sonar, "bob")
    response = sonar.post(
        USERS,
        headers=basic("bob", PASSWORD),
        json={"login": "eve", "name": "Eve", "password": PASSWORD},
    )
    assert response.status_code == 403
    assert response.get_json() == message("Insufficient privileges")


def test_patch_user_updates_name_email_and_scm_accounts(sonar):
    jane = create_user(sonar, "jane")
    response = patch(
        sonar,
        f"{USERS}/{jane['id']}",
        {"name": "Jane Doe", "email": "jd@example.com", "scmAccounts": ["b", "a"]},
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["name"], body["email"], body["scmAccounts"]) == (
        "Jane Doe",
        "jd@example.com",
        ["a", "b"],
    )


def test_patch_user_with_null_email_clears_it(sonar):
    jane = create_user(sonar, "jane", email="jane@example.com")
    assert patch(sonar, f"{USERS}/{jane['id']}", {"email": None}).get_json()["email"] is None


def test_patch_user_renames_the_login(sonar):
    jane = create_user(sonar, "jane")
    body = patch(sonar, f"{USERS}/{jane['id']}", {"login": "jane.doe"}).get_json()
    assert (body["login"], body["externalLogin"]) == ("jane.doe", "jane.doe")


def test_patch_user_needs_merge_patch(sonar):
    jane = create_user(sonar, "jane")
    response = sonar.patch(f"{USERS}/{jane['id']}", headers=ADMIN, json={"name": "X"})
    assert response.status_code == 415
    assert response.get_json() == message("Unsupported media type.")


def test_patch_user_refuses_the_name_of_a_non_local_user(sonar):
    ext = create_user(sonar, "ext", local=False, password=None)
    response = patch(sonar, f"{USERS}/{ext['id']}", {"name": "X"})
    assert response.status_code == 400
    assert response.get_json() == message("It is not allowed to update name for this user")


def test_patch_unknown_user_is_404(sonar):
    response = patch(sonar, f"{USERS}/nope", {"name": "X"})
    assert response.status_code == 404
    assert response.get_json() == message("User 'nope' not found")


def test_delete_user_deactivates_it(sonar, store):
    jane = create_user(sonar, "jane")
    response = sonar.delete(f"{USERS}/{jane['id']}", headers=ADMIN)
    assert response.status_code == 204
    assert response.data == b""
    assert users.get_user(store, jane["id"])["active"] == 0


def test_delete_user_with_anonymize(sonar, store):
    jane = create_user(sonar, "jane")
    sonar.delete(f"{USERS}/{jane['id']}?anonymize=true", headers=ADMIN)
    assert users.get_user(store, jane["id"])["login"].startswith("sq-removed-")


def test_delete_oneself_is_refused(sonar, store):
    admin = users.require_user(store, "admin")
    response = sonar.delete(f"{USERS}/{admin['uuid']}", headers=ADMIN)
    assert response.status_code == 400
    assert response.get_json() == message("Self-deactivation is not possible")


def test_delete_unknown_user_is_404(sonar):
    response = sonar.delete(f"{USERS}/nope", headers=ADMIN)
    assert response.status_code == 404
    assert response.get_json() == message("User 'nope' not found")


# --- groups ----------------------------------------------------------------------------------


def test_list_groups(sonar, store):
    admins = groups.require_group(store, "sonar-administrators")
    body = sonar.get(f"{GROUPS}?q=admin", headers=ADMIN).get_json()
    assert body == {
        "groups": [
            {
                "id": admins["uuid"],
                "name": "sonar-administrators",
                "description": "System administrators",
                "managed": False,
                "default": False,
            }
        ],
        "page": {"pageIndex": 1, "pageSize": 50, "total": 1},
    }


def test_list_groups_of_a_user(sonar, store):
    admin = users.require_user(store, "admin")
    create_group(sonar, "team")
    with_admin = sonar.get(f"{GROUPS}?userId={admin['uuid']}", headers=ADMIN).get_json()
    without = sonar.get(f"{GROUPS}?userId!={admin['uuid']}", headers=ADMIN).get_json()
    assert [g["name"] for g in with_admin["groups"]] == ["sonar-administrators", "sonar-users"]
    assert [g["name"] for g in without["groups"]] == ["team"]


def test_create_group_is_201(sonar):
    response = sonar.post(GROUPS, headers=ADMIN, json={"name": "team", "description": "T"})
    assert response.status_code == 201
    body = response.get_json()
    assert body == {
        "id": body["id"],
        "name": "team",
        "description": "T",
        "managed": False,
        "default": False,
    }


@pytest.mark.parametrize(
    ("body", "text"),
    [
        (
            {"name": ""},
            rejected("name", "", "must not be empty")
            + rejected("name", "", "size must be between 1 and 255"),
        ),
        ({}, rejected("name", "{}", "must not be empty")),
        (
            {"name": "team", "description": "d" * 201},
            rejected("description", "d" * 201, "size must be between 0 and 200"),
        ),
        ({"name": "anyone"}, "Anyone group cannot be used"),
        ({"name": "sonar-users"}, "Group 'sonar-users' already exists"),
        # UserGroupValidation: a name that is empty once trimmed (Java's trim() also drops
        # control characters).
        ({"name": "   "}, "Group name cannot be empty"),
        ({"name": " \u0000\t"}, "Group name cannot be empty"),
    ],
)
def test_create_group_refuses_bad_bodies(sonar, body, text):
    response = sonar.post(GROUPS, headers=ADMIN, json=body)
    assert response.status_code == 400
    assert response.get_json() == message(text)


def test_fetch_group(sonar):
    team = create_group(sonar, "team")
    assert sonar.get(f"{GROUPS}/{team['id']}", headers=ADMIN).get_json() == team


def test_fetch_unknown_group_is_404(sonar):
    response = sonar.get(f"{GROUPS}/nope", headers=ADMIN)
    assert response.status_code == 404
    assert response.get_json() == message("Group 'nope' not found")


def test_patch_group(sonar):
    team = create_group(sonar, "team")
    response = patch(sonar, f"{GROUPS}/{team['id']}", {"name": "squad", "description": "S"})
    assert response.status_code == 200
    assert response.get_json() == {**team, "name": "squad", "description": "S"}


def test_patch_default_group_is_refused(sonar, store):
    default = groups.require_group(store, "sonar-users")
    response = patch(sonar, f"{GROUPS}/{default['uuid']}", {"description": "x"})
    assert response.status_code == 400
    assert response.get_json() == message(
        "Default group 'sonar-users' cannot be used to perform this action"
    )


def test_delete_group(sonar):
    team = create_group(sonar, "team")
    assert sonar.delete(f"{GROUPS}/{team['id']}", headers=ADMIN).status_code == 204
    assert sonar.get(f"{GROUPS}/{team['id']}", headers=ADMIN).status_code == 404


def test_delete_unknown_group_is_404(sonar):
    response = sonar.delete(f"{GROUPS}/nope", headers=ADMIN)
    assert response.status_code == 404
    assert response.get_json() == message("Group 'nope' not found")


def test_groups_need_administer_system(sonar):
    create_user(sonar, "bob")
    response = sonar.get(GROUPS, headers=basic("bob", PASSWORD))
    assert response.status_code == 403
    assert response.get_json() == message("Insufficient privileges")


# --- group memberships -----------------------------------------------------------------------


def test_create_membership_is_201_with_the_groups_users_uuid(sonar, store):
    jane, team = create_user(sonar, "jane"), create_group(sonar, "team")
    response = sonar.post(
        MEMBERSHIPS, headers=ADMIN, json={"userId": jane["id"], "groupId": team["id"]}
    )
    assert response.status_code == 201
    row = next(
        store.query(
            "select uuid from groups_users where user_uuid = ? and group_uuid = ?",
            [jane["id"], team["id"]],
        )
    )
    assert response.get_json() == {"id": row["uuid"], "groupId": team["id"], "userId": jane["id"]}


def test_list_memberships_of_a_group(sonar):
    jane, team = create_user(sonar, "jane"), create_group(sonar, "team")
    created = sonar.post(
        MEMBERSHIPS, headers=ADMIN, json={"userId": jane["id"], "groupId": team["id"]}
    ).get_json()
    body = sonar.get(f"{MEMBERSHIPS}?groupId={team['id']}", headers=ADMIN).get_json()
    assert body == {
        "groupMemberships": [created],
        "page": {"pageIndex": 1, "pageSize": 50, "total": 1},
    }


def test_list_memberships_of_a_user(sonar):
    jane = create_user(sonar, "jane")
    body = sonar.get(f"{MEMBERSHIPS}?userId={jane['id']}", headers=ADMIN).get_json()
    assert [m["userId"] for m in body["groupMemberships"]] == [jane["id"]]  # sonar-users


def test_delete_membership(sonar):
    jane, team = create_user(sonar, "jane"), create_group(sonar, "team")
    created = sonar.post(
        MEMBERSHIPS, headers=ADMIN, json={"userId": jane["id"], "groupId": team["id"]}
    ).get_json()
    assert sonar.delete(f"{MEMBERSHIPS}/{created['id']}", headers=ADMIN).status_code == 204
    body = sonar.get(f"{MEMBERSHIPS}?groupId={team['id']}", headers=ADMIN).get_json()
    assert body["groupMemberships"] == []


def test_a_duplicate_membership_is_refused(sonar):
    jane, team = create_user(sonar, "jane"), create_group(sonar, "team")
    body = {"userId": jane["id"], "groupId": team["id"]}
    sonar.post(MEMBERSHIPS, headers=ADMIN, json=body)
    response = sonar.post(MEMBERSHIPS, headers=ADMIN, json=body)
    assert response.status_code == 400
    assert response.get_json() == message("User 'jane' is already a member of group 'team'")


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"userId": "nope", "groupId": "TEAM"}, 404, "User 'nope' not found"),
        ({"userId": "JANE", "groupId": "nope"}, 404, "Group 'nope' not found"),
        (
            {"userId": "JANE", "groupId": "DEFAULT"},
            400,
            "Default group 'sonar-users' cannot be used to perform this action",
        ),
        ({"groupId": "TEAM"}, 404, "User 'null' not found"),
    ],
)
def test_create_membership_refusals(sonar, store, body, status, text):
    jane, team = create_user(sonar, "jane"), create_group(sonar, "team")
    ids = {
        "JANE": jane["id"],
        "TEAM": team["id"],
        "DEFAULT": groups.require_group(store, "sonar-users")["uuid"],
    }
    response = sonar.post(
        MEMBERSHIPS, headers=ADMIN, json={k: ids.get(v, v) for k, v in body.items()}
    )
    assert response.status_code == status
    assert response.get_json() == message(text)


def test_delete_unknown_membership_is_404(sonar):
    response = sonar.delete(f"{MEMBERSHIPS}/nope", headers=ADMIN)
    assert response.status_code == 404
    assert response.get_json() == message("Group membership 'nope' not found")


def test_the_last_administrator_membership_cannot_be_deleted(sonar, store):
    admins = groups.require_group(store, "sonar-administrators")
    row = next(store.query("select uuid from groups_users where group_uuid = ?", [admins["uuid"]]))
    response = sonar.delete(f"{MEMBERSHIPS}/{row['uuid']}", headers=ADMIN)
    assert response.status_code == 400
    assert response.get_json() == message("The last administrator user cannot be removed")
