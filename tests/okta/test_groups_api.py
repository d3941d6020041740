"""Groups and memberships through the official okta SDK, plus raw requests it cannot send."""

import json
import os
from datetime import UTC, datetime

import pytest

os.environ.setdefault("MOCK_OKTA_PBKDF2_ROUNDS", "1000")

from okta.models import BookmarkApplication
from okta.pagination import PaginationHelper, paginate_all

from mock_common.db import connect
from mock_okta import outbox
from mock_okta.outbox import EventKind
from tests.okta.api_helpers import SSWS

PASSWORD = "Passw0rd!2024"


@pytest.fixture
def db(okta_app):
    """A connection to the org's database, for what the API does not show."""
    conn = connect(okta_app.config["DATABASE"])
    yield conn
    conn.conn.close()


def add_group(sdk, name, description=None):
    profile = {"name": name, **({"description": description} if description else {})}
    group, _, err = sdk(lambda c: c.add_group({"profile": profile}))
    assert err is None, err
    return group


def create_user(sdk, login, **profile):
    body = {
        "profile": {
            "login": login,
            "email": login,
            "firstName": "Test",
            "lastName": login.split("@")[0],
            **profile,
        },
        "credentials": {"password": {"value": PASSWORD}},
    }
    user, _, err = sdk(lambda c: c.create_user(body, activate=True))
    assert err is None, err
    return user


def error_of(result):
    """The SDK's error: the last item (calls without a response body return a pair on error)."""
    return result[-1]


def name_of(group):
    return group.profile.actual_instance.name


def events(db, event_type):
    rows = db.query("select body from system_log where event_type = ? order by seq", [event_type])
    return [json.loads(row["body"]) for row in rows]


def add_app_with_push_mapping(db, group_id, status="ACTIVE"):
    """An app and a push mapping of the group, as the apps module will store them."""
    stamp = datetime.now(UTC).isoformat()
    db["apps"].insert(
        {
            "id": "0oa00000000000000001",
            "seq": 1,
            "name": "sonarqube",
            "label": "SonarQube",
            "status": "ACTIVE",
            "sign_on_mode": "SAML_2_0",
            "external_key": "exk00000000000000001",
            "created": stamp,
            "last_updated": stamp,
            "body": "{}",
        }
    )
    db["group_push_mappings"].insert(
        {
            "id": "gPm00000000000000001",
            "seq": 1,
            "app_id": "0oa00000000000000001",
            "source_group_id": group_id,
            "status": status,
            "created": stamp,
            "last_updated": stamp,
        }
    )
    return "0oa00000000000000001"


# --- groups ---------------------------------------------------------------------------------


def test_add_group_returns_the_okta_group_object(sdk, okta_url):
    group = add_group(sdk, "sonar-developers", "pushed to SonarQube")
    assert group.id.startswith("00g")
    assert len(group.id) == 20
    assert group.type.value == "OKTA_GROUP"
    assert group.object_class == ["okta:user_group"]
    assert name_of(group) == "sonar-developers"
    assert group.profile.actual_instance.description == "pushed to SonarQube"
    assert group.created == group.last_updated == group.last_membership_updated
    assert group.links.users.href == f"{okta_url}/api/v1/groups/{group.id}/users"
    assert group.links.apps.href == f"{okta_url}/api/v1/groups/{group.id}/apps"
    assert [logo.name for logo in group.links.logo] == ["medium", "large"]


def test_group_json_uses_okta_timestamps_and_keeps_a_null_description(okta):
    response = okta.post("/api/v1/groups", json={"profile": {"name": "plain"}}, headers=SSWS)
    body = response.get_json()
    assert response.status_code == 200
    assert body["profile"] == {"name": "plain", "description": None}
    assert len(body["created"]) == 24
    assert body["created"].endswith("Z")


def test_add_group_is_logged(sdk, db):
    group = add_group(sdk, "logged")
    (event,) = events(db, "group.lifecycle.create")
    assert event["target"][0]["id"] == group.id
    assert event["actor"]["alternateId"] == "admin@example.com"


def test_get_group(sdk):
    group = add_group(sdk, "fetch-me")
    fetched, _, err = sdk(lambda c: c.get_group(group.id))
    assert err is None
    assert fetched.id == group.id
    assert name_of(fetched) == "fetch-me"


def test_get_unknown_group_is_E0000007(sdk):
    _, _, err = sdk(lambda c: c.get_group("00gUnknownUnknown000"))
    assert (err.status, err.error_code) == (404, "E0000007")
    assert err.error_summary == "Not found: Resource not found: 00gUnknownUnknown000 (UserGroup)"


def test_duplicate_group_name_is_E0000001(sdk):
    add_group(sdk, "twice")
    _, _, err = sdk(lambda c: c.add_group({"profile": {"name": "Twice"}}))
    assert (err.status, err.error_code) == (400, "E0000001")
    assert err.error_summary == "Api validation failed: name"
    assert err.error_causes == [
        {
            "errorSummary": "name: An object with this field already "
            "exists in the current organization"
        }
    ]


def test_group_without_a_name_is_E0000001(okta):
    response = okta.post("/api/v1/groups", json={"profile": {"description": "x"}}, headers=SSWS)
    assert response.status_code == 400
    assert response.get_json()["errorCauses"] == [
        {"errorSummary": "name: The field cannot be left blank"}
    ]


@pytest.mark.parametrize("body", [b"{", b"[]", b""])
def test_malformed_body_is_E0000003(okta, body):
    response = okta.post("/api/v1/groups", data=body, headers=SSWS, content_type="application/json")
    assert response.status_code == 400
    assert response.get_json()["errorCode"] == "E0000003"


def test_replace_group_changes_the_profile(sdk, db):
    group = add_group(sdk, "old-name", "old")
    replaced, _, err = sdk(
        lambda c: c.replace_group(group.id, {"profile": {"name": "new-name", "description": "new"}})
    )
    assert err is None
    assert name_of(replaced) == "new-name"
    assert replaced.profile.actual_instance.description == "new"
    assert replaced.last_updated >= group.last_updated
    assert [e["target"][0]["id"] for e in events(db, "group.profile.update")] == [group.id]


def test_rename_of_a_pushed_group_is_handed_to_the_push_engine(sdk, db):
    group = add_group(sdk, "sonar-admins")
    app_id = add_app_with_push_mapping(db, group.id)
    sdk(lambda c: c.replace_group(group.id, {"profile": {"name": "sonar-administrators"}}))
    (event,) = outbox.pending(db, app_id)
    assert event["kind"] == EventKind.GROUP_RENAMED
    assert event["payload"] == {
        "groupId": group.id,
        "oldName": "sonar-admins",
        "newName": "sonar-administrators",
    }


def test_replace_everyone_is_E0000006(sdk):
    groups, _, _ = sdk(lambda c: c.list_groups(q="Everyone"))
    _, _, err = sdk(lambda c: c.replace_group(groups[0].id, {"profile": {"name": "All"}}))
    assert (err.status, err.error_code) == (403, "E0000006")


def test_delete_group(sdk, db):
    group = add_group(sdk, "short-lived")
    _, resp, err = sdk(lambda c: c.delete_group(group.id))
    assert err is None
    assert resp.status_code == 204
    _, _, err = sdk(lambda c: c.get_group(group.id))
    assert err.error_code == "E0000007"
    assert [e["target"][0]["id"] for e in events(db, "group.lifecycle.delete")] == [group.id]


def test_delete_everyone_is_E0000006(sdk):
    groups, _, _ = sdk(lambda c: c.list_groups(filter='type eq "BUILT_IN"'))
    assert [name_of(g) for g in groups] == ["Everyone"]
    err = error_of(sdk(lambda c: c.delete_group(groups[0].id)))
    assert (err.status, err.error_code) == (403, "E0000006")
    assert err.error_summary == "You do not have permission to perform the requested action"


# --- listing --------------------------------------------------------------------------------


@pytest.fixture
def some_groups(sdk):
    return {
        name: add_group(sdk, name, f"{name} group")
        for name in ("sonar-users", "sonar-admins", "jira-users", "sonar")
    }


def test_list_groups_includes_everyone_first(sdk, some_groups):
    groups, _, err = sdk(lambda c: c.list_groups())
    assert err is None
    assert [name_of(g) for g in groups] == ["Everyone", *some_groups]
    assert groups[0].type.value == "BUILT_IN"


def test_q_is_a_name_prefix_with_the_exact_match_first(sdk, some_groups):
    groups, _, _ = sdk(lambda c: c.list_groups(q="sonar"))
    assert [name_of(g) for g in groups] == ["sonar", "sonar-users", "sonar-admins"]


def test_filter_by_type_and_id(sdk, some_groups):
    okta_groups, _, _ = sdk(lambda c: c.list_groups(filter='type eq "OKTA_GROUP"'))
    assert [name_of(g) for g in okta_groups] == list(some_groups)
    gid = some_groups["jira-users"].id
    by_id, _, _ = sdk(lambda c: c.list_groups(filter=f'id eq "{gid}" or type eq "BUILT_IN"'))
    assert [name_of(g) for g in by_id] == ["Everyone", "jira-users"]


def test_filter_by_last_updated(sdk, some_groups):
    groups, _, _ = sdk(
        lambda c: c.list_groups(
            filter='type eq "OKTA_GROUP" and lastUpdated gt "2000-01-01T00:00:00.000Z"'
        )
    )
    assert len(groups) == 4
    later, _, _ = sdk(lambda c: c.list_groups(filter='lastUpdated gt "2999-01-01T00:00:00.000Z"'))
    assert later == []


def test_filter_compares_okta_timestamps_to_the_millisecond(okta, db, some_groups):
    db.execute("update groups set last_updated = '2025-01-15T10:00:00.123456+00:00'")
    query = "/api/v1/groups?filter=" + 'lastUpdated {} "2025-01-15T10:00:00.123Z"'
    equal = okta.get(query.format("eq"), headers=SSWS).get_json()
    after = okta.get(query.format("gt"), headers=SSWS).get_json()
    assert (len(equal), after) == (5, [])


def test_search_by_profile_name(sdk, some_groups):
    groups, _, _ = sdk(lambda c: c.list_groups(search='profile.name sw "sonar-"'))
    assert [name_of(g) for g in groups] == ["sonar-users", "sonar-admins"]
    groups, _, _ = sdk(
        lambda c: c.list_groups(search='profile.description co "users" and type eq "OKTA_GROUP"')
    )
    assert [name_of(g) for g in groups] == ["sonar-users", "jira-users"]


@pytest.mark.parametrize(
    ("param", "expression"),
    [
        ("filter", 'profile.name eq "sonar"'),  # filter has no profile attributes
        ("filter", "type eq"),
        ("search", 'bogus eq "x"'),
    ],
)
def test_bad_filter_or_search_is_E0000031(sdk, param, expression):
    _, _, err = sdk(lambda c: c.list_groups(**{param: expression}))
    assert (err.status, err.error_code) == (400, "E0000031")


def test_expand_stats(okta, sdk):
    group = add_group(sdk, "counted")
    user = create_user(sdk, "counted@example.com")
    sdk(lambda c: c.assign_user_to_group(group.id, user.id))
    response = okta.get(f"/api/v1/groups/{group.id}?expand=stats", headers=SSWS)
    assert response.get_json()["_embedded"]["stats"] == {
        "usersCount": 1,
        "appsCount": 0,
        "groupPushMappingsCount": 0,
        "hasAdminPrivilege": False,
    }


def test_list_groups_pages_with_link_headers(sdk, some_groups, okta_url):
    first, resp, _ = sdk(lambda c: c.list_groups(limit=2))
    assert [name_of(g) for g in first] == ["Everyone", "sonar-users"]
    cursor = PaginationHelper.extract_next_cursor(resp.headers)
    assert cursor == some_groups["sonar-users"].id
    assert resp.headers["Link"] == (
        f'<{okta_url}/api/v1/groups?limit=2&after={cursor}>; rel="next"'
    )

    async def every_group(client):
        return [name_of(g) async for g in paginate_all(client.list_groups, limit=2)]

    assert sdk(every_group) == ["Everyone", *some_groups]


def test_last_page_has_only_a_self_link(okta, some_groups, okta_url):
    response = okta.get("/api/v1/groups?limit=10", headers=SSWS)
    assert response.headers.getlist("Link") == [f'<{okta_url}/api/v1/groups?limit=10>; rel="self"']


# --- memberships ----------------------------------------------------------------------------


def test_add_list_and_remove_members(sdk, db):
    group = add_group(sdk, "members")
    alice = create_user(sdk, "alice@example.com")
    bob = create_user(sdk, "bob@example.com")
    for user in (alice, bob):
        _, resp, err = sdk(lambda c, u=user: c.assign_user_to_group(group.id, u.id))
        assert err is None
        assert resp.status_code == 204
    members, _, _ = sdk(lambda c: c.list_group_users(group.id))
    assert [m.profile.login for m in members] == ["alice@example.com", "bob@example.com"]

    _, resp, err = sdk(lambda c: c.unassign_user_from_group(group.id, alice.id))
    assert err is None
    assert resp.status_code == 204
    members, _, _ = sdk(lambda c: c.list_group_users(group.id))
    assert [m.id for m in members] == [bob.id]
    adds = [e for e in events(db, "group.user_membership.add") if e["target"][1]["id"] == group.id]
    removes = events(db, "group.user_membership.remove")
    assert [e["target"][0]["id"] for e in adds] == [alice.id, bob.id]
    assert [(e["target"][0]["id"], e["displayMessage"]) for e in removes] == [
        (alice.id, "Remove user from group membership")
    ]


def test_membership_change_stamps_last_membership_updated(sdk):
    group = add_group(sdk, "stamped")
    user = create_user(sdk, "stamp@example.com")
    sdk(lambda c: c.assign_user_to_group(group.id, user.id))
    after, _, _ = sdk(lambda c: c.get_group(group.id))
    assert after.last_membership_updated > group.last_membership_updated
    assert after.last_updated == group.last_updated


def test_adding_a_member_twice_is_harmless(sdk):
    group = add_group(sdk, "idempotent")
    user = create_user(sdk, "twice@example.com")
    for _ in range(2):
        _, resp, err = sdk(lambda c: c.assign_user_to_group(group.id, user.id))
        assert err is None
        assert resp.status_code == 204
    members, _, _ = sdk(lambda c: c.list_group_users(group.id))
    assert [m.id for m in members] == [user.id]


def test_users_groups(sdk):
    group = add_group(sdk, "mine")
    user = create_user(sdk, "mine@example.com")
    sdk(lambda c: c.assign_user_to_group(group.id, user.id))
    groups, _, err = sdk(lambda c: c.list_user_groups(user.id))
    assert err is None
    assert [name_of(g) for g in groups] == ["Everyone", "mine"]


def test_users_groups_of_unknown_user_is_E0000007(sdk):
    _, _, err = sdk(lambda c: c.list_user_groups("00uUnknownUnknown000"))
    assert (err.status, err.error_code) == (404, "E0000007")


def test_everyone_membership_cannot_change(sdk):
    user = create_user(sdk, "everyone@example.com")
    everyone, _, _ = sdk(lambda c: c.list_groups(q="Everyone"))
    err = error_of(sdk(lambda c: c.unassign_user_from_group(everyone[0].id, user.id)))
    assert (err.status, err.error_code) == (403, "E0000006")


@pytest.mark.parametrize("method", ["put", "delete"])
def test_membership_of_unknown_user_or_group_is_E0000007(okta, sdk, method):
    group = add_group(sdk, "known")
    call = getattr(okta, method)
    response = call(f"/api/v1/groups/{group.id}/users/00uUnknownUnknown000", headers=SSWS)
    assert (response.status_code, response.get_json()["errorSummary"]) == (
        404,
        "Not found: Resource not found: 00uUnknownUnknown000 (User)",
    )
    response = call("/api/v1/groups/00gUnknownUnknown000/users/00uUnknownUnknown000", headers=SSWS)
    assert response.get_json()["errorSummary"].endswith("(UserGroup)")


def test_members_page_with_link_headers(sdk):
    group = add_group(sdk, "paged")
    users = [create_user(sdk, f"p{i}@example.com") for i in range(3)]
    for user in users:
        sdk(lambda c, u=user: c.assign_user_to_group(group.id, u.id))
    first, resp, _ = sdk(lambda c: c.list_group_users(group.id, limit=2))
    assert [u.id for u in first] == [users[0].id, users[1].id]
    cursor = PaginationHelper.extract_next_cursor(resp.headers)
    rest, resp, _ = sdk(lambda c: c.list_group_users(group.id, limit=2, after=cursor))
    assert [u.id for u in rest] == [users[2].id]
    assert PaginationHelper.extract_next_cursor(resp.headers) is None


def test_membership_changes_of_a_pushed_group_reach_the_push_engine(sdk, db):
    group = add_group(sdk, "pushed")
    app_id = add_app_with_push_mapping(db, group.id)
    user = create_user(sdk, "pushed@example.com")
    sdk(lambda c: c.assign_user_to_group(group.id, user.id))
    sdk(lambda c: c.unassign_user_from_group(group.id, user.id))
    changes = [
        e for e in outbox.pending(db, app_id) if e["kind"] == EventKind.GROUP_MEMBERSHIP_CHANGED
    ]
    assert [e["payload"] for e in changes] == [
        {"groupId": group.id, "userId": user.id, "added": True},
        {"groupId": group.id, "userId": user.id, "added": False},
    ]


def test_an_inactive_push_mapping_gets_no_membership_events(sdk, db):
    group = add_group(sdk, "paused")
    app_id = add_app_with_push_mapping(db, group.id, status="INACTIVE")
    user = create_user(sdk, "paused@example.com")
    sdk(lambda c: c.assign_user_to_group(group.id, user.id))
    assert outbox.pending(db, app_id) == []


def test_list_group_apps(sdk):
    group = add_group(sdk, "assigned")
    body = {
        "label": "Wiki",
        "signOnMode": "BOOKMARK",
        "settings": {"app": {"url": "https://wiki.example.com"}},
    }
    app, _, err = sdk(lambda c: c.create_application(BookmarkApplication.from_dict(body)))
    assert err is None, err
    assert sdk(lambda c: c.list_assigned_applications_for_group(group.id))[0] == []
    _, _, err = sdk(lambda c: c.assign_group_to_application(app.id, group.id))
    assert err is None, err
    apps, _, err = sdk(lambda c: c.list_assigned_applications_for_group(group.id))
    assert err is None
    assert [(a.id, a.label, a.sign_on_mode.value) for a in apps] == [(app.id, "Wiki", "BOOKMARK")]
