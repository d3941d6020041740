"""SCIM /Groups as Okta's Push Groups (both dialects) and Entra send it."""

from datetime import UTC, datetime

import pytest

from mock_sonar import create_app
from mock_sonar.accounts import groups, scim_mapping
from tests.conftest import ADMIN
from tests.sonar.conftest import SCIM, create_user, okta_headers, post_json, sample, sonar_user

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


def sonar_group(client, name: str) -> dict | None:
    """The group as api/user_groups/search shows it."""
    groups = client.get("/api/user_groups/search?ps=500", headers=ADMIN).get_json()["groups"]
    found = [g for g in groups if g["name"] == name]
    return found[0] if found else None


def create_group(client, headers, name: str, members: list[str] | None = None) -> dict:
    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": name,
        "members": [{"value": m} for m in members or []],
    }
    response = post_json(client, f"{SCIM}/Groups", body, headers)
    assert response.status_code == 201, response.data
    return response.get_json()


def test_okta_custom_app_push_sequence(sonar, scim):
    """Lookup, POST with no members, GET, PUT with the members (reference/okta.md §2.3)."""
    jane = create_user(sonar, scim, "jane@example.com")
    lookup = sonar.get(
        f'{SCIM}/Groups?filter=displayName eq "sonar-qa"&startIndex=1&count=100', headers=scim
    ).get_json()
    assert lookup["totalResults"] == 0
    created = post_json(
        sonar,
        f"{SCIM}/Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "sonar-qa", "members": []},
        scim,
    )
    assert created.status_code == 201
    group = created.get_json()
    assert created.headers["Location"].endswith(f"/Groups/{group['id']}")
    current = sonar.get(f"{SCIM}/Groups/{group['id']}", headers=scim).get_json()
    assert current["members"] == []
    body = {
        "schemas": [GROUP_SCHEMA],
        "id": group["id"],
        "displayName": "sonar-qa",
        "members": [{"value": jane["id"], "display": "jane@example.com"}],
    }
    response = post_json(sonar, f"{SCIM}/Groups/{group['id']}", body, scim, method="PUT")
    assert response.status_code == 200
    assert [m["value"] for m in response.get_json()["members"]] == [jane["id"]]
    assert sonar_group(sonar, "sonar-qa") == {
        "name": "sonar-qa",
        "membersCount": 1,
        "default": False,
        "managed": True,
    }
    assert "sonar-qa" in sonar_user(sonar, "jane@example.com")["groups"]


def test_okta_oin_create_membership_and_rename(sonar, scim):
    jane = create_user(sonar, scim, "jane@example.com")
    john = create_user(sonar, scim, "john@example.com")
    response = post_json(
        sonar, f"{SCIM}/Groups", sample("okta-scim20-reference-create-group.json"), scim
    )
    group = response.get_json()
    assert group["displayName"] == "Test SCIMv2"
    path = f"{SCIM}/Groups/{group['id']}"
    post_json(
        sonar,
        path,
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": "Test SCIMv2",
            "members": [{"value": john["id"]}],
        },
        scim,
        method="PUT",
    )
    patch = sample(
        "okta-scim20-reference-group-membership-patch.json",
        REMOVED_USER_ID=john["id"],
        ADDED_USER_ID=jane["id"],
    )
    response = post_json(sonar, path, patch, scim, method="PATCH")
    assert response.status_code == 204
    assert response.data == b""
    members = sonar.get(path, headers=scim).get_json()["members"]
    assert [(m["value"], m["display"]) for m in members] == [(jane["id"], "jane@example.com")]
    rename = sample("okta-scim20-reference-group-rename-patch.json", GROUP_ID=group["id"])
    assert post_json(sonar, path, rename, scim, method="PATCH").status_code == 204
    assert sonar.get(path, headers=scim).get_json()["displayName"] == "Test SCIMv2 renamed"
    assert sonar_group(sonar, "Test SCIMv2 renamed")["managed"] is True


def test_push_now_with_an_empty_group_replaces_members_with_nothing(sonar, scim):
    jane = create_user(sonar, scim, "jane@example.com")
    group = create_group(sonar, scim, "sonar-dev", [jane["id"]])
    path = f"{SCIM}/Groups/{group['id']}"
    response = post_json(
        sonar,
        path,
        sample("okta-scim20-reference-group-push-now-replace.json"),
        scim,
        method="PATCH",
    )
    assert response.status_code == 204
    assert sonar.get(path, headers=scim).get_json()["members"] == []


def test_entra_removes_members_with_a_value_list(sonar, scim):
    jane = create_user(sonar, scim, "jane@example.com")
    john = create_user(sonar, scim, "john@example.com")
    group = create_group(sonar, scim, "team", [jane["id"], john["id"]])
    path = f"{SCIM}/Groups/{group['id']}"
    patch = sample("entra-group-remove-member-patch.json", USER_ID=jane["id"])
    assert post_json(sonar, path, patch, scim, method="PATCH").status_code == 204
    assert [m["value"] for m in sonar.get(path, headers=scim).get_json()["members"]] == [john["id"]]


def test_display_name_filter_is_exact(sonar, scim):
    create_group(sonar, scim, "Team-A")

    def count(name):
        return sonar.get(
            f"{SCIM}/Groups", query_string={"filter": f'displayName eq "{name}"'}, headers=scim
        ).get_json()["totalResults"]

    assert count("Team-A") == 1
    assert count("team-a") == 0


def test_unsupported_group_filter(sonar, scim):
    response = sonar.get(
        f"{SCIM}/Groups", query_string={"filter": 'displayName co "x"'}, headers=scim
    )
    assert response.status_code == 400
    assert response.get_json()["detail"] == (
        'Unsupported filter or value: displayName co "x". The only supported filter and '
        'operator is \'displayName eq "displayName"'
    )


def test_duplicate_display_name_is_a_conflict(sonar, scim):
    create_group(sonar, scim, "team")
    response = post_json(
        sonar, f"{SCIM}/Groups", {"schemas": [GROUP_SCHEMA], "displayName": "team"}, scim
    )
    assert response.status_code == 409
    assert response.get_json()["scimType"] == "uniqueness"


def test_a_local_group_of_the_same_name_is_adopted(sonar, scim):
    sonar.post("/api/scim_management/disable", headers=ADMIN)
    assert (
        sonar.post("/api/user_groups/create", headers=ADMIN, data={"name": "legacy"}).status_code
        == 200
    )
    sonar.post("/api/scim_management/enable", headers=ADMIN)
    assert sonar_group(sonar, "legacy")["managed"] is False
    create_group(sonar, scim, "legacy")
    assert sonar_group(sonar, "legacy")["managed"] is True


def test_adoption_can_be_switched_off(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "s.sqlite3"), "SCIM_ADOPT_LOCAL_GROUPS": False})
    client = app.test_client()
    client.post("/api/user_groups/create", headers=ADMIN, data={"name": "legacy"})
    client.post("/api/scim_management/enable", headers=ADMIN)
    token = client.post("/api/user_tokens/generate", headers=ADMIN, data={"name": "t"}).get_json()[
        "token"
    ]
    response = post_json(
        client,
        f"{SCIM}/Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "legacy"},
        okta_headers(token),
    )
    assert response.status_code == 409


def test_unknown_member_is_refused_without_creating_the_group(sonar, scim):
    response = post_json(
        sonar,
        f"{SCIM}/Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "team", "members": [{"value": "nobody"}]},
        scim,
    )
    assert response.status_code == 400
    assert response.get_json()["detail"] == "User nobody not found"
    assert sonar_group(sonar, "team") is None


def test_delete_group(sonar, scim):
    group = create_group(sonar, scim, "team")
    assert sonar.delete(f"{SCIM}/Groups/{group['id']}", headers=scim).status_code == 204
    assert sonar_group(sonar, "team") is None
    assert sonar.get(f"{SCIM}/Groups/{group['id']}", headers=scim).status_code == 404


DEFAULT_GROUP_REFUSED = "Default group 'sonar-users' cannot be used to perform this action"


def map_default_group(db) -> str:
    """A SCIM id on sonar-users, as a state imported from elsewhere could hold; its SCIM id."""
    return scim_mapping.map_group(db, datetime.now(UTC), groups.default_group(db)["uuid"], {})


def test_the_default_group_is_never_adopted(sonar, scim):
    jane = create_user(sonar, scim, "jane@example.com")
    response = post_json(
        sonar,
        f"{SCIM}/Groups",
        {"schemas": [GROUP_SCHEMA], "displayName": "sonar-users", "members": []},
        scim,
    )
    assert response.status_code == 400
    assert response.headers["Content-Type"] == "application/scim+json"
    assert response.get_json()["detail"] == DEFAULT_GROUP_REFUSED
    assert sonar_group(sonar, "sonar-users")["managed"] is False
    assert sonar_user(sonar, jane["userName"])["groups"] == ["sonar-users"]
    listed = sonar.get(f'{SCIM}/Groups?filter=displayName eq "sonar-users"', headers=scim)
    assert listed.get_json()["totalResults"] == 0


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("PUT", {"schemas": [GROUP_SCHEMA], "displayName": "sonar-users", "members": []}),
        (
            "PATCH",
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "members", "value": []}],
            },
        ),
        (
            "PATCH",
            {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "displayName", "value": "everyone"}],
            },
        ),
    ],
)
def test_a_mapped_default_group_keeps_its_name_and_members(sonar, scim, db, method, body):
    jane = create_user(sonar, scim, "jane@example.com")
    scim_id = map_default_group(db)
    response = post_json(sonar, f"{SCIM}/Groups/{scim_id}", body, scim, method=method)
    assert response.status_code == 400
    assert response.get_json()["detail"] == DEFAULT_GROUP_REFUSED
    assert sonar_user(sonar, jane["userName"])["groups"] == ["sonar-users"]
    assert sonar_group(sonar, "sonar-users")["membersCount"] == 2


def test_a_mapped_default_group_accepts_a_push_that_changes_nothing(sonar, scim, db):
    jane = create_user(sonar, scim, "jane@example.com")
    scim_id = map_default_group(db)
    body = {
        "schemas": [GROUP_SCHEMA],
        "displayName": "sonar-users",
        "members": [{"value": jane["id"]}],
    }
    response = post_json(sonar, f"{SCIM}/Groups/{scim_id}", body, scim, method="PUT")
    assert response.status_code == 200
    assert [m["value"] for m in response.get_json()["members"]] == [jane["id"]]


def test_the_default_group_cannot_be_deleted(sonar, scim, db):
    scim_id = map_default_group(db)
    response = sonar.delete(f"{SCIM}/Groups/{scim_id}", headers=scim)
    assert response.status_code == 400
    assert response.get_json()["detail"] == DEFAULT_GROUP_REFUSED
    assert sonar_group(sonar, "sonar-users") is not None


def test_sonar_administrators_is_adopted_like_any_group(sonar, scim):
    """The docs warn that provisioning can use this group to gain access (user-groups page):
    its pushed members become administrators, its local members stay."""
    jane = create_user(sonar, scim, "jane@example.com")
    create_group(sonar, scim, "sonar-administrators", [jane["id"]])
    assert sonar_group(sonar, "sonar-administrators")["managed"] is True
    assert sorted(sonar_user(sonar, jane["userName"])["groups"]) == [
        "sonar-administrators",
        "sonar-users",
    ]
    admins = sonar.get("/api/users/search?q=admin", headers=ADMIN).get_json()["users"]
    assert "sonar-administrators" in next(u for u in admins if u["login"] == "admin")["groups"]


def test_group_patch_can_answer_200_with_the_group(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "s.sqlite3"), "SCIM_GROUP_PATCH_STATUS": 200})
    client = app.test_client()
    client.post("/api/scim_management/enable", headers=ADMIN)
    token = client.post("/api/user_tokens/generate", headers=ADMIN, data={"name": "t"}).get_json()[
        "token"
    ]
    group = create_group(client, okta_headers(token), "team")
    response = post_json(
        client,
        f"{SCIM}/Groups/{group['id']}",
        sample("okta-scim20-reference-group-push-now-replace.json"),
        okta_headers(token),
        method="PATCH",
    )
    assert response.status_code == 200
    assert response.get_json()["displayName"] == "team"


def test_disabling_scim_makes_everything_local_and_forgets_ids(sonar, scim):
    jane = create_user(sonar, scim, "jane@example.com")
    create_group(sonar, scim, "team", [jane["id"]])
    assert sonar.post("/api/scim_management/disable", headers=ADMIN).status_code == 204
    assert sonar.post("/api/scim_management/enable", headers=ADMIN).status_code == 204
    assert sonar.get(f"{SCIM}/Users/{jane['id']}", headers=scim).status_code == 404
    assert sonar_user(sonar, "jane@example.com")["managed"] is False
    assert sonar_group(sonar, "team")["managed"] is False


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE", "GET"])
def test_unknown_group_id_is_a_scim_404(sonar, scim, method):
    body = (
        sample("okta-scim20-reference-group-push-now-replace.json")
        if method == "PATCH"
        else {"schemas": [GROUP_SCHEMA], "displayName": "x"}
    )
    response = post_json(sonar, f"{SCIM}/Groups/nope", body, scim, method=method)
    assert response.status_code == 404
    assert response.get_json()["detail"] == "Group nope not found"


PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def rename_patch(name: str) -> dict:
    return {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "displayName", "value": name}],
    }


@pytest.mark.parametrize(
    ("name", "detail"),
    [
        ("   ", "displayName must not be blank"),
        ("team\x00a", "displayName must not contain the NUL character"),
        ("team\r\na", "displayName must not contain control characters"),
    ],
)
def test_blank_group_names_and_control_characters_are_refused(sonar, scim, name, detail):
    created = post_json(
        sonar, f"{SCIM}/Groups", {"schemas": [GROUP_SCHEMA], "displayName": name}, scim
    )
    assert created.status_code == 400
    assert created.get_json()["scimType"] == "invalidValue"
    assert created.get_json()["detail"] == detail
    group = create_group(sonar, scim, "team")
    path = f"{SCIM}/Groups/{group['id']}"
    renamed = post_json(sonar, path, rename_patch(name), scim, method="PATCH")
    assert renamed.status_code == 400
    assert renamed.get_json()["detail"] == detail
    assert sonar.get(path, headers=scim).get_json()["displayName"] == "team"


@pytest.mark.parametrize("existing", ["team-b", "legacy", "sonar-users", "sonar-administrators"])
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_rename_onto_an_existing_name_is_a_conflict(sonar, scim, existing, method):
    sonar.post("/api/scim_management/disable", headers=ADMIN)
    sonar.post("/api/user_groups/create", headers=ADMIN, data={"name": "legacy"})
    sonar.post("/api/scim_management/enable", headers=ADMIN)
    create_group(sonar, scim, "team-b")
    group = create_group(sonar, scim, "team-a")
    path = f"{SCIM}/Groups/{group['id']}"
    body = (
        {"schemas": [GROUP_SCHEMA], "displayName": existing, "members": []}
        if method == "PUT"
        else rename_patch(existing)
    )
    response = post_json(sonar, path, body, scim, method=method)
    assert response.status_code == 409
    assert response.get_json() == {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "status": "409",
        "scimType": "uniqueness",
        "detail": f"Group '{existing}' already exists",
    }
    assert sonar.get(path, headers=scim).get_json()["displayName"] == "team-a"


def test_a_patch_path_naming_no_group_attribute_is_invalid_path(sonar, scim):
    group = create_group(sonar, scim, "team")
    patch = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "replace", "path": "owner", "value": "x"}],
    }
    response = post_json(sonar, f"{SCIM}/Groups/{group['id']}", patch, scim, method="PATCH")
    assert response.status_code == 400
    assert response.get_json()["scimType"] == "invalidPath"
    assert response.get_json()["detail"] == "'owner' is not an attribute of the schema"


def test_last_modified_moves_on_every_change(sonar, scim):
    assert (
        sonar.post(
            "/_mock/clock", json={"freeze": "2025-01-15T10:00:00+00:00"}, headers=ADMIN
        ).status_code
        == 200
    )
    jane = create_user(sonar, scim, "jane@example.com")
    group = create_group(sonar, scim, "team")
    path = f"{SCIM}/Groups/{group['id']}"

    def last_modified_after(seconds: int, change: dict | None, method: str = "PATCH") -> str:
        sonar.post("/_mock/clock", json={"advanceSeconds": seconds}, headers=ADMIN)
        if change is not None:
            assert post_json(sonar, path, change, scim, method=method).status_code in (200, 204)
        return sonar.get(path, headers=scim).get_json()["meta"]["lastModified"]

    add = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "add", "path": "members", "value": [{"value": jane["id"]}]}],
    }
    assert group["meta"]["lastModified"] == "2025-01-15T10:00:00+00:00"
    assert last_modified_after(60, add) == "2025-01-15T10:01:00+00:00"
    assert last_modified_after(60, rename_patch("team-2")) == "2025-01-15T10:02:00+00:00"
    remove = {
        "schemas": [PATCH_OP],
        "Operations": [{"op": "remove", "path": f'members[value eq "{jane["id"]}"]'}],
    }
    assert last_modified_after(60, remove) == "2025-01-15T10:03:00+00:00"
    same = {"schemas": [GROUP_SCHEMA], "displayName": "team-2", "members": []}
    assert last_modified_after(60, same, "PUT") == "2025-01-15T10:03:00+00:00"
    assert sonar.get(path, headers=scim).get_json()["meta"]["created"] == (
        "2025-01-15T10:00:00+00:00"
    )
