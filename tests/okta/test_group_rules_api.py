"""Group rules through the official okta SDK: lifecycle, evaluation and refusals."""

import json
import os

import pytest

os.environ.setdefault("MOCK_OKTA_PBKDF2_ROUNDS", "1000")

from okta.pagination import PaginationHelper

from mock_common.db import connect
from tests.okta.api_helpers import SSWS

PASSWORD = "Passw0rd!2024"
EXPRESSION_TYPE = "urn:okta:expression:1.0"


@pytest.fixture
def db(okta_app):
    conn = connect(okta_app.config["DATABASE"])
    yield conn
    conn.conn.close()


def error_of(result):
    """The SDK's error: the last item (calls without a response body return a pair on error)."""
    return result[-1]


def add_group(sdk, name):
    group, _, err = sdk(lambda c: c.add_group({"profile": {"name": name}}))
    assert err is None, err
    return group


def create_user(sdk, login, *, activate=True, **profile):
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
    user, _, err = sdk(lambda c: c.create_user(body, activate=activate))
    assert err is None, err
    return user


def update_profile(sdk, user, **profile):
    _, _, err = sdk(lambda c: c.update_user(user.id, {"profile": profile}))
    assert err is None, err


def rule_body(name, expression, group_ids, exclude=()):
    return {
        "type": "group_rule",
        "name": name,
        "conditions": {
            "people": {"users": {"exclude": list(exclude)}, "groups": {"exclude": []}},
            "expression": {"value": expression, "type": EXPRESSION_TYPE},
        },
        "actions": {"assignUserToGroups": {"groupIds": list(group_ids)}},
    }


def create_rule(sdk, name, expression, group_ids, exclude=(), *, activate=False):
    rule, _, err = sdk(
        lambda c: c.create_group_rule(rule_body(name, expression, group_ids, exclude))
    )
    assert err is None, err
    if activate:
        _, resp, err = sdk(lambda c: c.activate_group_rule(rule.id))
        assert err is None
        assert resp.status_code == 204
    return rule


def members(sdk, group):
    users, _, err = sdk(lambda c: c.list_group_users(group.id))
    assert err is None, err
    return [u.profile.login for u in users]


@pytest.fixture
def engineers(sdk):
    return add_group(sdk, "engineers")


# --- the rule object and its lifecycle ------------------------------------------------------


def test_create_group_rule_is_inactive(sdk, engineers):
    rule = create_rule(
        sdk,
        "Engineering group rule",
        'user.department=="Engineering"',
        [engineers.id],
        exclude=["00u22w79JPMEeeuLr0g4"],
    )
    assert rule.id.startswith("0pr")
    assert len(rule.id) == 20
    assert (rule.type, rule.status.value, rule.name) == (
        "group_rule",
        "INACTIVE",
        "Engineering group rule",
    )
    assert rule.conditions.expression.value == 'user.department=="Engineering"'
    assert rule.conditions.expression.type == EXPRESSION_TYPE
    assert rule.conditions.people.users.exclude == ["00u22w79JPMEeeuLr0g4"]
    assert rule.actions.assign_user_to_groups.group_ids == [engineers.id]
    assert rule.created == rule.last_updated


def test_get_rule_with_group_names(okta, sdk, engineers):
    rule = create_rule(sdk, "r", 'user.department=="Engineering"', [engineers.id])
    fetched, _, err = sdk(lambda c: c.get_group_rule(rule.id))
    assert err is None
    assert fetched.id == rule.id
    body = okta.get(
        f"/api/v1/groups/rules/{rule.id}?expand=groupIdToGroupNameMap", headers=SSWS
    ).get_json()
    assert body["_embedded"] == {"groupIdToGroupNameMap": {engineers.id: "engineers"}}
    assert body["allGroupsValid"] is True


def test_list_rules_with_search_and_paging(sdk, engineers):
    names = ["Engineering", "Sales", "Engineering leads"]
    rules = [create_rule(sdk, name, "user.title != null", [engineers.id]) for name in names]
    found, _, _ = sdk(lambda c: c.list_group_rules(search="Engineering"))
    assert [r.name for r in found] == ["Engineering", "Engineering leads"]
    first, resp, _ = sdk(lambda c: c.list_group_rules(limit=2))
    assert [r.id for r in first] == [rules[0].id, rules[1].id]
    cursor = PaginationHelper.extract_next_cursor(resp.headers)
    rest, resp, _ = sdk(lambda c: c.list_group_rules(limit=2, after=cursor))
    assert [r.id for r in rest] == [rules[2].id]


def test_unknown_rule_is_E0000007(sdk):
    _, _, err = sdk(lambda c: c.get_group_rule("0prUnknownUnknown000"))
    assert (err.status, err.error_code) == (404, "E0000007")
    err = error_of(sdk(lambda c: c.activate_group_rule("0prUnknownUnknown000")))
    assert (err.status, err.error_code) == (404, "E0000007")


@pytest.mark.parametrize(
    ("expression", "cause"),
    [
        (
            'user.department=="Engineering" AND',
            "Syntax error: expected a value but found end of expression at position 34",
        ),
        (
            'String.startsWith(String.toLowerCase(user.id,"auth0|"))',
            "Parameter count mismatch for String.toLowerCase: 2 given",
        ),
        (
            'profile.department == "x"',
            "Invalid property profile.department in expression at position 0",
        ),
        (
            "String.toLowerCase(user.department)",
            "The expression must evaluate to a Boolean, not a str value",
        ),
        (
            'user.nosuchattr=="x"',
            'Invalid property nosuchattr in expression user.nosuchattr=="x"',
        ),
        (
            'user.department == "Eng" || String.stringContains(user.favouriteTeam, "x")',
            "Invalid property favouriteTeam in expression "
            'user.department == "Eng" || String.stringContains(user.favouriteTeam, "x")',
        ),
    ],
)
def test_invalid_expression_is_E0000001(sdk, engineers, expression, cause):
    _, _, err = sdk(lambda c: c.create_group_rule(rule_body("bad", expression, [engineers.id])))
    assert (err.status, err.error_code) == (400, "E0000001")
    assert err.error_summary == "Api validation failed: validateRule"
    assert err.error_causes == [{"errorSummary": cause}]


def test_a_custom_attribute_some_profile_has_may_be_used(okta, sdk, engineers):
    profile = {
        "login": "nia@example.com",
        "email": "nia@example.com",
        "firstName": "Nia",
        "lastName": "Long",
        "favouriteTeam": "Blue",  # the org's profiles now have this custom attribute
    }
    assert okta.post("/api/v1/users", headers=SSWS, json={"profile": profile}).status_code == 200
    rule = create_rule(sdk, "blue", 'user.favouriteTeam == "Blue"', [engineers.id], activate=True)
    assert rule.conditions.expression.value == 'user.favouriteTeam == "Blue"'
    assert members(sdk, engineers) == ["nia@example.com"]


def test_rule_must_target_existing_okta_groups(sdk):
    everyone, _, _ = sdk(lambda c: c.list_groups(q="Everyone"))
    for group_id in (everyone[0].id, "00gUnknownUnknown000"):
        _, _, err = sdk(
            lambda c, g=group_id: c.create_group_rule(rule_body("r", "user.title != null", [g]))
        )
        assert (err.status, err.error_code) == (400, "E0000001")
        assert err.error_summary == "Api validation failed: actions.assignUserToGroups.groupIds"


def test_wrong_expression_type_is_E0000001(okta, engineers):
    body = rule_body("r", "user.title != null", [engineers.id])
    body["conditions"]["expression"]["type"] = "urn:okta:expression:2.0"
    response = okta.post("/api/v1/groups/rules", json=body, headers=SSWS)
    assert response.status_code == 400
    assert (
        response.get_json()["errorSummary"] == "Api validation failed: conditions.expression.type"
    )


def test_replace_inactive_rule(sdk, engineers):
    rule = create_rule(sdk, "r", 'user.department=="Engineering"', [engineers.id])
    body = rule_body("renamed", 'user.department=="R&D"', [engineers.id])
    replaced, _, err = sdk(lambda c: c.replace_group_rule(rule.id, body))
    assert err is None
    assert (replaced.name, replaced.conditions.expression.value) == (
        "renamed",
        'user.department=="R&D"',
    )
    assert replaced.status.value == "INACTIVE"


def test_replace_cannot_change_actions(sdk, engineers):
    other = add_group(sdk, "others")
    rule = create_rule(sdk, "r", "user.title != null", [engineers.id])
    _, _, err = sdk(
        lambda c: c.replace_group_rule(rule.id, rule_body("r", "user.title != null", [other.id]))
    )
    assert (err.status, err.error_code) == (400, "E0000001")
    assert err.error_causes == [
        {"errorSummary": "actions: The actions of a group rule cannot be updated"}
    ]


def test_replace_or_delete_of_an_active_rule_is_E0000001(sdk, engineers):
    rule = create_rule(sdk, "r", "user.title != null", [engineers.id], activate=True)
    _, _, err = sdk(
        lambda c: c.replace_group_rule(
            rule.id, rule_body("r2", "user.title != null", [engineers.id])
        )
    )
    assert (err.status, err.error_code) == (400, "E0000001")
    assert err.error_causes == [
        {"errorSummary": "status: Cannot update a group rule whose status is ACTIVE"}
    ]
    err = error_of(sdk(lambda c: c.delete_group_rule(rule.id)))
    assert (err.status, err.error_code) == (400, "E0000001")


def test_delete_inactive_rule_is_202(sdk, engineers):
    rule = create_rule(sdk, "r", "user.title != null", [engineers.id])
    _, resp, err = sdk(lambda c: c.delete_group_rule(rule.id))
    assert err is None
    assert resp.status_code == 202
    _, _, err = sdk(lambda c: c.get_group_rule(rule.id))
    assert err.error_code == "E0000007"


# --- evaluation -----------------------------------------------------------------------------


def test_activation_moves_users_in_and_profile_changes_move_them_out(sdk, engineers):
    alice = create_user(sdk, "alice@example.com", department="Engineering")
    create_user(sdk, "bob@example.com", department="Sales")
    create_rule(sdk, "eng", 'user.department == "Engineering"', [engineers.id], activate=True)
    assert members(sdk, engineers) == ["alice@example.com"]

    create_user(sdk, "carol@example.com", department="Engineering")
    assert members(sdk, engineers) == ["alice@example.com", "carol@example.com"]

    update_profile(sdk, alice, department="Sales")
    assert members(sdk, engineers) == ["carol@example.com"]
    update_profile(sdk, alice, department="Engineering")
    assert members(sdk, engineers) == ["alice@example.com", "carol@example.com"]


def test_an_inactive_rule_does_nothing(sdk, engineers):
    create_rule(sdk, "eng", 'user.department == "Engineering"', [engineers.id])
    create_user(sdk, "alice@example.com", department="Engineering")
    assert members(sdk, engineers) == []


def test_rule_on_group_membership(sdk):
    developers, reviewers = add_group(sdk, "developers"), add_group(sdk, "sonar-reviewers")
    create_rule(
        sdk, "devs review", f'isMemberOfAnyGroup("{developers.id}")', [reviewers.id], activate=True
    )
    dave = create_user(sdk, "dave@example.com")
    assert members(sdk, reviewers) == []
    sdk(lambda c: c.assign_user_to_group(developers.id, dave.id))
    assert members(sdk, reviewers) == ["dave@example.com"]
    sdk(lambda c: c.unassign_user_from_group(developers.id, dave.id))
    assert members(sdk, reviewers) == []


def test_rules_may_cascade(sdk, engineers):
    sonar = add_group(sdk, "sonar-users")
    create_rule(sdk, "eng", 'user.department == "Engineering"', [engineers.id], activate=True)
    create_rule(sdk, "sonar", 'isMemberOfGroupName("engineers")', [sonar.id], activate=True)
    erin = create_user(sdk, "erin@example.com", department="Engineering")
    assert members(sdk, sonar) == ["erin@example.com"]
    update_profile(sdk, erin, department="Sales")
    assert (members(sdk, engineers), members(sdk, sonar)) == ([], [])


def test_excluded_users_are_not_added(sdk, engineers):
    frank = create_user(sdk, "frank@example.com", department="Engineering")
    create_user(sdk, "grace@example.com", department="Engineering")
    create_rule(
        sdk,
        "eng",
        'user.department == "Engineering"',
        [engineers.id],
        exclude=[frank.id],
        activate=True,
    )
    assert members(sdk, engineers) == ["grace@example.com"]


def test_manual_removal_puts_the_user_on_the_exclusion_list(sdk, db, engineers):
    heidi = create_user(sdk, "heidi@example.com", department="Engineering")
    rule = create_rule(
        sdk, "eng", 'user.department == "Engineering"', [engineers.id], activate=True
    )
    sdk(lambda c: c.unassign_user_from_group(engineers.id, heidi.id))
    fetched, _, _ = sdk(lambda c: c.get_group_rule(rule.id))
    assert fetched.conditions.people.users.exclude == [heidi.id]
    update_profile(sdk, heidi, title="Staff Engineer")
    assert members(sdk, engineers) == []
    (event,) = [
        json.loads(r["body"])
        for r in db.query(
            "select body from system_log where event_type = "
            "'group.user_membership.rule.add_exclusion'"
        )
    ]
    assert [t["id"] for t in event["target"]] == [heidi.id, rule.id]


def test_a_manual_member_who_starts_matching_becomes_rule_managed(sdk, engineers):
    ivan = create_user(sdk, "ivan@example.com", department="Sales")
    sdk(lambda c: c.assign_user_to_group(engineers.id, ivan.id))
    create_rule(sdk, "eng", 'user.department == "Engineering"', [engineers.id], activate=True)
    assert members(sdk, engineers) == ["ivan@example.com"]  # still there, manually
    update_profile(sdk, ivan, department="Engineering")
    update_profile(sdk, ivan, department="Sales")
    assert members(sdk, engineers) == []


def test_deactivation_keeps_the_memberships(sdk, engineers):
    judy = create_user(sdk, "judy@example.com", department="Engineering")
    rule = create_rule(
        sdk, "eng", 'user.department == "Engineering"', [engineers.id], activate=True
    )
    _, resp, err = sdk(lambda c: c.deactivate_group_rule(rule.id))
    assert err is None
    assert resp.status_code == 204
    update_profile(sdk, judy, department="Sales")
    assert members(sdk, engineers) == ["judy@example.com"]
    sdk(lambda c: c.activate_group_rule(rule.id))  # back on: Judy no longer matches
    assert members(sdk, engineers) == []


@pytest.mark.parametrize(("remove_users", "left"), [(True, []), (False, ["kim@example.com"])])
def test_delete_rule_removes_or_keeps_its_members(sdk, engineers, remove_users, left):
    kim = create_user(sdk, "kim@example.com", department="Engineering")
    rule = create_rule(
        sdk, "eng", 'user.department == "Engineering"', [engineers.id], activate=True
    )
    sdk(lambda c: c.deactivate_group_rule(rule.id))
    _, resp, err = sdk(lambda c: c.delete_group_rule(rule.id, remove_users=remove_users))
    assert err is None
    assert resp.status_code == 202
    assert members(sdk, engineers) == left
    update_profile(sdk, kim, department="Sales")  # kept members are manual members now
    assert members(sdk, engineers) == left


STATUS_STEPS = {
    # How each status is reached through the API (the user has a password unless noted).
    "STAGED": [],
    "PROVISIONED": ["provisioned"],
    "ACTIVE": ["activate"],
    "RECOVERY": ["activate", "reset_password?sendEmail=false"],
    "PASSWORD_EXPIRED": ["activate", "expire_password"],
    "SUSPENDED": ["activate", "suspend"],
    "DEPROVISIONED": ["activate", "deactivate"],
}


@pytest.mark.parametrize("status", sorted(STATUS_STEPS))
def test_rules_apply_to_every_status_but_deprovisioned(okta, sdk, engineers, status):
    steps = STATUS_STEPS[status]
    body = {
        "profile": {
            "login": "leo@example.com",
            "email": "leo@example.com",
            "firstName": "Leo",
            "lastName": "Lee",
            "department": "Engineering",
        }
    }
    if "provisioned" not in steps:  # without a password, activation leaves PROVISIONED
        body["credentials"] = {"password": {"value": PASSWORD}}
    activate = "true" if "provisioned" in steps else "false"
    created = okta.post(f"/api/v1/users?activate={activate}", headers=SSWS, json=body)
    user_id = created.get_json()["id"]
    for step in (s for s in steps if s != "provisioned"):
        response = okta.post(f"/api/v1/users/{user_id}/lifecycle/{step}", headers=SSWS)
        assert response.status_code == 200, response.get_json()
    assert okta.get(f"/api/v1/users/{user_id}", headers=SSWS).get_json()["status"] == status
    create_rule(sdk, "eng", 'user.department == "Engineering"', [engineers.id], activate=True)
    expected = [] if status == "DEPROVISIONED" else ["leo@example.com"]
    assert members(sdk, engineers) == expected


def test_a_staged_user_created_under_an_active_rule_joins_its_group(sdk, engineers):
    # Observed on a real org: a rule on user.lastName listed a STAGED user as a member.
    create_rule(sdk, "eng", 'user.department == "Engineering"', [engineers.id], activate=True)
    create_user(sdk, "leo@example.com", activate=False, department="Engineering")
    assert members(sdk, engineers) == ["leo@example.com"]


def test_deleting_a_target_group_invalidates_the_rule(okta, sdk, engineers):
    rule = create_rule(sdk, "eng", "user.title != null", [engineers.id])
    sdk(lambda c: c.delete_group(engineers.id))
    body = okta.get(f"/api/v1/groups/rules/{rule.id}", headers=SSWS).get_json()
    assert (body["status"], body["allGroupsValid"]) == ("INVALID", False)
    err = error_of(sdk(lambda c: c.activate_group_rule(rule.id)))
    assert (err.status, err.error_code) == (400, "E0000001")
    _, resp, err = sdk(lambda c: c.delete_group_rule(rule.id))
    assert err is None
    assert resp.status_code == 202


def test_rule_memberships_are_logged_with_the_rule(sdk, db, engineers):
    create_user(sdk, "mia@example.com", department="Engineering")
    rule = create_rule(
        sdk, "eng", 'user.department == "Engineering"', [engineers.id], activate=True
    )
    events = [
        json.loads(r["body"])
        for r in db.query(
            "select body from system_log where event_type = 'group.user_membership.add'"
        )
    ]
    ours = [e for e in events if e["target"][1]["id"] == engineers.id]
    assert [e["debugContext"]["debugData"] for e in ours] == [{"ruleId": rule.id}]
    assert ours[0]["actor"]["type"] == "SystemPrincipal"
