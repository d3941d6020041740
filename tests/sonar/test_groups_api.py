"""api/user_groups/* (reference/sonarqube.md §1, §6.7)."""

import pytest

from tests.conftest import ADMIN, basic

PASSWORD = "Str0ng-Passw0rd!"
ADMINS = {
    "name": "sonar-administrators",
    "description": "System administrators",
    "membersCount": 1,
    "default": False,
    "managed": False,
}
USERS = {
    "name": "sonar-users",
    "description": "Every authenticated user automatically belongs to this group",
    "membersCount": 1,
    "default": True,
    "managed": False,
}


def errors(*messages: str) -> dict:
    return {"errors": [{"msg": m} for m in messages]}


def create_user(client, login: str) -> None:
    assert (
        client.post(
            "/api/users/create",
            headers=ADMIN,
            data={"login": login, "name": login.title(), "password": PASSWORD},
        ).status_code
        == 200
    )


def create_group(client, name: str, **data) -> dict:
    response = client.post("/api/user_groups/create", headers=ADMIN, data={"name": name, **data})
    assert response.status_code == 200, response.data
    return response.get_json()["group"]


def search(client, query: str = "") -> dict:
    return client.get(f"/api/user_groups/search{query}", headers=ADMIN).get_json()


def member_logins(client, group: str, selected: str = "selected") -> list[str]:
    body = client.get(
        f"/api/user_groups/users?name={group}&selected={selected}", headers=ADMIN
    ).get_json()
    return [u["login"] for u in body["users"]]


# --- search ----------------------------------------------------------------------------------


def test_search_lists_the_bootstrap_groups(sonar):
    assert search(sonar) == {
        "paging": {"pageIndex": 1, "pageSize": 100, "total": 2},
        "groups": [ADMINS, USERS],
    }


def test_search_filters_by_name(sonar):
    create_group(sonar, "team-a")
    assert [g["name"] for g in search(sonar, "?q=TEAM")["groups"]] == ["team-a"]


def test_search_pages(sonar):
    create_group(sonar, "team-a")
    body = search(sonar, "?p=2&ps=2")
    assert body["paging"] == {"pageIndex": 2, "pageSize": 2, "total": 3}
    assert [g["name"] for g in body["groups"]] == ["team-a"]


def test_search_accepts_managed_false_on_an_unmanaged_instance(sonar):
    assert len(search(sonar, "?managed=false")["groups"]) == 2


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("managed=true", "The 'managed' parameter is only available for managed instances."),
        ("ps=501", "'ps' value (501) must be less than 500"),
        (
            "p=99999999999999999999",
            "The 'p' parameter cannot be parsed as an integer value: 99999999999999999999",
        ),
        ("managed=si", "Value of parameter 'managed' (si) must be one of: [true, false, yes, no]"),
    ],
)
def test_search_refuses_bad_parameters(sonar, query, message):
    response = sonar.get(f"/api/user_groups/search?{query}", headers=ADMIN)
    assert response.status_code == 400
    assert response.get_json() == errors(message)


def test_search_needs_administer_system(sonar):
    create_user(sonar, "bob")
    response = sonar.get("/api/user_groups/search", headers=basic("bob", PASSWORD))
    assert response.status_code == 403
    assert response.get_json() == errors("Insufficient privileges")


# --- create, update, delete ------------------------------------------------------------------


def test_create_returns_the_group_with_its_id(sonar):
    group = create_group(sonar, "team-a", description="Team A")
    assert group == {
        "id": group["id"],
        "name": "team-a",
        "description": "Team A",
        "membersCount": 0,
        "default": False,
    }
    assert len(group["id"]) == 20


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "sonar-users"}, "Group 'sonar-users' already exists"),
        ({"name": "Anyone"}, "Anyone group cannot be used"),
        ({}, "The 'name' parameter is missing"),
        ({"name": "g" * 256}, "'name' length (256) is longer than the maximum authorized (255)"),
        (
            {"name": "g", "description": "d" * 201},
            "'description' length (201) is longer than the maximum authorized (200)",
        ),
    ],
)
def test_create_refuses_bad_input(sonar, data, message):
    response = sonar.post("/api/user_groups/create", headers=ADMIN, data=data)
    assert response.status_code == 400
    assert response.get_json() == errors(message)


def test_update_renames_and_describes(sonar):
    group = create_group(sonar, "team-a")
    response = sonar.post(
        "/api/user_groups/update",
        headers=ADMIN,
        data={"currentName": "team-a", "name": "team-b", "description": "B"},
    )
    assert response.status_code == 200
    assert response.get_json() == {
        "group": {
            "id": group["id"],
            "name": "team-b",
            "description": "B",
            "membersCount": 0,
            "default": False,
        }
    }


def test_update_with_an_empty_description_clears_it(sonar):
    create_group(sonar, "team-a", description="A")
    body = sonar.post(
        "/api/user_groups/update", headers=ADMIN, data={"currentName": "team-a", "description": ""}
    ).get_json()
    assert "description" not in body["group"]


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (
            {"currentName": "sonar-users", "description": "x"},
            400,
            "Default group 'sonar-users' cannot be used to perform this action",
        ),
        (
            {"currentName": "team-a", "name": "sonar-administrators"},
            400,
            "Group 'sonar-administrators' already exists",
        ),
        (
            {"currentName": "nope", "name": "x"},
            404,
            "Could not find a user group with name 'nope'.",
        ),
        ({"name": "x"}, 400, "The 'currentName' parameter is missing"),
    ],
)
def test_update_refusals(sonar, data, status, message):
    create_group(sonar, "team-a")
    response = sonar.post("/api/user_groups/update", headers=ADMIN, data=data)
    assert response.status_code == status
    assert response.get_json() == errors(message)


def test_delete_removes_the_group(sonar):
    create_group(sonar, "team-a")
    assert (
        sonar.post("/api/user_groups/delete", headers=ADMIN, data={"name": "team-a"}).status_code
        == 204
    )
    assert [g["name"] for g in search(sonar)["groups"]] == ["sonar-administrators", "sonar-users"]


@pytest.mark.parametrize(
    ("name", "status", "message"),
    [
        ("sonar-users", 400, "Default group 'sonar-users' cannot be used to perform this action"),
        ("sonar-administrators", 400, "The last system admin group cannot be deleted"),
        ("nope", 404, "No group with name 'nope'"),
    ],
)
def test_delete_refusals(sonar, name, status, message):
    response = sonar.post("/api/user_groups/delete", headers=ADMIN, data={"name": name})
    assert response.status_code == status
    assert response.get_json() == errors(message)


# --- memberships -----------------------------------------------------------------------------


def test_add_user_makes_a_member(sonar):
    create_user(sonar, "bob")
    create_group(sonar, "team-a")
    response = sonar.post(
        "/api/user_groups/add_user", headers=ADMIN, data={"name": "team-a", "login": "bob"}
    )
    assert response.status_code == 204
    assert member_logins(sonar, "team-a") == ["bob"]


def test_add_user_twice_is_harmless(sonar):
    create_user(sonar, "bob")
    create_group(sonar, "team-a")
    for _ in range(2):
        assert (
            sonar.post(
                "/api/user_groups/add_user", headers=ADMIN, data={"name": "team-a", "login": "bob"}
            ).status_code
            == 204
        )
    assert search(sonar, "?q=team-a")["groups"][0]["membersCount"] == 1


def test_remove_user_ends_the_membership(sonar):
    create_user(sonar, "bob")
    create_group(sonar, "team-a")
    sonar.post("/api/user_groups/add_user", headers=ADMIN, data={"name": "team-a", "login": "bob"})
    assert (
        sonar.post(
            "/api/user_groups/remove_user", headers=ADMIN, data={"name": "team-a", "login": "bob"}
        ).status_code
        == 204
    )
    assert member_logins(sonar, "team-a") == []


@pytest.mark.parametrize("action", ["add_user", "remove_user"])
@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (
            {"name": "sonar-users", "login": "admin"},
            400,
            "Default group 'sonar-users' cannot be used to perform this action",
        ),
        ({"name": "nope", "login": "admin"}, 404, "No group with name 'nope'"),
        (
            {"name": "sonar-administrators", "login": "ghost"},
            404,
            "Could not find a user with login 'ghost'",
        ),
        ({"name": "sonar-administrators"}, 400, "The 'login' parameter is missing"),
    ],
)
def test_membership_refusals(sonar, action, data, status, message):
    response = sonar.post(f"/api/user_groups/{action}", headers=ADMIN, data=data)
    assert response.status_code == status
    assert response.get_json() == errors(message)


def test_the_last_administrator_cannot_leave_the_admin_group(sonar):
    response = sonar.post(
        "/api/user_groups/remove_user",
        headers=ADMIN,
        data={"name": "sonar-administrators", "login": "admin"},
    )
    assert response.status_code == 400
    assert response.get_json() == errors("The last administrator user cannot be removed")


def test_users_lists_members_with_their_selection(sonar):
    create_user(sonar, "bob")
    create_group(sonar, "team-a")
    sonar.post("/api/user_groups/add_user", headers=ADMIN, data={"name": "team-a", "login": "bob"})
    response = sonar.get("/api/user_groups/users?name=team-a", headers=ADMIN)
    assert response.status_code == 200
    assert response.get_json() == {
        "users": [{"login": "bob", "name": "Bob", "selected": True}],
        "p": 1,
        "ps": 25,
        "total": 1,
        "paging": {"pageIndex": 1, "pageSize": 25, "total": 1},
    }


@pytest.mark.parametrize(
    ("selected", "logins"),
    [("selected", ["bob"]), ("deselected", ["admin", "eve"]), ("all", ["admin", "bob", "eve"])],
)
def test_users_selection_modes(sonar, selected, logins):
    create_user(sonar, "bob")
    create_user(sonar, "eve")
    create_group(sonar, "team-a")
    sonar.post("/api/user_groups/add_user", headers=ADMIN, data={"name": "team-a", "login": "bob"})
    assert member_logins(sonar, "team-a", selected) == logins


def test_users_refuses_an_unknown_selection(sonar):
    response = sonar.get("/api/user_groups/users?name=sonar-users&selected=some", headers=ADMIN)
    assert response.status_code == 400
    assert response.get_json() == errors(
        "Value of parameter 'selected' (some) must be one of: [selected, deselected, all]"
    )


def test_users_needs_a_group_name(sonar):
    response = sonar.get("/api/user_groups/users", headers=ADMIN)
    assert response.status_code == 400
    assert response.get_json() == errors("The 'name' parameter is missing")
