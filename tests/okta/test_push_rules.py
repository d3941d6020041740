"""Push Groups by rule, Push Now and Retry All Groups: the console JSON (SPEC §4.7).

reference/okta.md §2.2 (rules: group name and/or description, starts with / contains, no regex,
at most 100 matches, new matches while ACTIVE, delete or leave), §2.6 (Push Now), §2.8 (Retry All
Groups). The SCIM traffic these cause is asserted end to end in tests/e2e/test_group_push.py;
here the outbox events, the mappings and the System Log are.
"""

import os

import pytest

os.environ.setdefault("MOCK_OKTA_PBKDF2_ROUNDS", "1000")

from mock_common import clock
from mock_common.db import atomic, connect
from mock_okta.directory import groups
from mock_okta.provisioning import groups_push
from tests.okta.api_helpers import (
    SONARQUBE_APP,
    SSWS,
    database,
    enable_provisioning,
    events,
    log_types,
)


@pytest.fixture
def app_id(okta, okta_app) -> str:
    """The SonarQube app with SCIM provisioning and Push Groups on."""
    response = okta.post("/api/v1/apps", json=SONARQUBE_APP, headers=SSWS)
    assert response.status_code == 200, response.data
    app_id = response.get_json()["id"]
    enable_provisioning(okta_app, app_id)
    return app_id


def add_group(okta, name: str, description: str | None = None) -> str:
    profile = {"name": name, "description": description}
    response = okta.post("/api/v1/groups", json={"profile": profile}, headers=SSWS)
    assert response.status_code == 200, response.data
    return response.get_json()["id"]


def rules_url(app_id: str) -> str:
    return f"/_mock/apps/{app_id}/group-push/rules"


def add_rule(okta, app_id: str, **body) -> dict:
    body = {"name": "sonar", **body}
    response = okta.post(rules_url(app_id), json=body, headers=SSWS)
    assert response.status_code == 201, response.data
    return response.get_json()


def mappings(okta, app_id: str) -> list[dict]:
    response = okta.get(f"/api/v1/apps/{app_id}/group-push/mappings", headers=SSWS)
    return response.get_json()


def kinds(okta_app, app_id: str) -> list[str]:
    return [kind for kind, _ in events(okta_app, app_id)]


@pytest.fixture
def sonar_groups(okta) -> dict[str, str]:
    """The default fixture's groups: three for a "starts with sonar-" rule, three others."""
    return {
        name: add_group(okta, name, description)
        for name, description in (
            ("sonar-developers", "Developers who analyse code in SonarQube"),
            ("sonar-qa", "QA engineers reviewing quality gates"),
            ("sonar-admins", "SonarQube administrators"),
            ("engineering", "Everyone in the Engineering department"),
            ("sales", "Sales team"),
            ("marketing", "Marketing team"),
        )
    }


# --- creating a rule --------------------------------------------------------------------------


def test_a_rule_pushes_every_matching_group(okta, okta_app, app_id, sonar_groups):
    rule = add_rule(okta, app_id, groupName={"startsWith": "sonar-"})

    assert rule["id"].startswith("gPr")
    assert len(rule["id"]) == 20
    assert {k: rule[k] for k in ("name", "status", "groupName", "pushImmediately")} == {
        "name": "sonar",
        "status": "ACTIVE",
        "groupName": {"startsWith": "sonar-"},
        "pushImmediately": True,
    }
    assert "description" not in rule
    assert rule["created"].endswith("Z")
    pushed = mappings(okta, app_id)
    assert [m["id"] for m in pushed] == rule["mappingIds"]
    assert [m["sourceGroupId"] for m in pushed] == [
        sonar_groups[name] for name in ("sonar-developers", "sonar-qa", "sonar-admins")
    ]
    assert {m["status"] for m in pushed} == {"ACTIVE"}
    targets = [okta.get(f"/api/v1/groups/{m['targetGroupId']}", headers=SSWS) for m in pushed]
    assert [(t.get_json()["type"], t.get_json()["profile"]["name"]) for t in targets] == [
        ("APP_GROUP", "sonar-developers"),
        ("APP_GROUP", "sonar-qa"),
        ("APP_GROUP", "sonar-admins"),
    ]
    assert kinds(okta_app, app_id) == ["PUSH_MAPPING_CREATED"] * 3
    assert log_types(okta_app).count("app.user_management.grouppush.mapping.created.from.rule") == 3


@pytest.mark.parametrize(
    ("criteria", "matched"),
    [
        ({"groupName": {"startsWith": "SONAR-"}}, ["sonar-developers", "sonar-qa", "sonar-admins"]),
        ({"groupName": {"contains": "ing"}}, ["engineering", "marketing"]),
        ({"groupName": {"startsWith": "sonar"}, "description": {"contains": "QA"}}, ["sonar-qa"]),
        ({"description": {"startsWith": "sonarqube"}}, ["sonar-admins"]),
        ({"groupName": {"contains": "sonar-.*"}}, []),  # no regex: a literal string
    ],
)
def test_criteria(okta, app_id, sonar_groups, criteria, matched):
    rule = add_rule(okta, app_id, **criteria)
    pushed = {m["sourceGroupId"] for m in mappings(okta, app_id)}
    assert pushed == {sonar_groups[name] for name in matched}
    assert len(rule["mappingIds"]) == len(matched)


def test_only_okta_groups_are_matched(okta, app_id):
    developers = add_group(okta, "sonar-developers")
    body = {"sourceGroupId": developers, "status": "INACTIVE", "targetGroupName": "sonar-target"}
    okta.post(f"/api/v1/apps/{app_id}/group-push/mappings", json=body, headers=SSWS)
    # The APP_GROUP sonar-target and the BUILT_IN Everyone are not pushed.
    rule = add_rule(okta, app_id, groupName={"contains": "e"})
    assert rule["mappingIds"] == []


def test_a_group_already_pushed_is_not_pushed_twice(okta, okta_app, app_id, sonar_groups):
    qa = sonar_groups["sonar-qa"]
    body = {"sourceGroupId": qa, "status": "ACTIVE", "targetGroupName": "quality"}
    by_name = okta.post(f"/api/v1/apps/{app_id}/group-push/mappings", json=body, headers=SSWS)

    rule = add_rule(okta, app_id, groupName={"startsWith": "sonar-"})

    assert len(rule["mappingIds"]) == 2
    assert by_name.get_json()["id"] not in rule["mappingIds"]
    assert [m["sourceGroupId"] for m in mappings(okta, app_id)].count(qa) == 1
    duplicate = "app.user_management.grouppush.mapping.created.from.rule.error.duplicate"
    assert log_types(okta_app).count(duplicate) == 1


def test_without_push_immediately_nothing_is_pushed_until_push_now(okta, okta_app, app_id):
    add_group(okta, "sonar-qa")
    rule = add_rule(okta, app_id, groupName={"startsWith": "sonar-"}, pushImmediately=False)
    assert rule["pushImmediately"] is False
    assert [m["status"] for m in mappings(okta, app_id)] == ["ACTIVE"]
    assert kinds(okta_app, app_id) == []


def test_more_than_100_matches_are_refused(okta, okta_app, app_id):
    db = connect(okta_app.config["DATABASE"])
    with atomic(db):
        for i in range(101):
            groups.create_group(db, clock.now(db), {"name": f"team-{i:03}"})
    db.conn.close()

    response = okta.post(
        rules_url(app_id),
        json={"name": "teams", "groupName": {"startsWith": "team-"}},
        headers=SSWS,
    )

    assert response.status_code == 400
    body = response.get_json()
    assert (body["errorCode"], body["errorSummary"]) == (
        "E0000027",
        "Group push bad request : The rule matches 101 groups. No more than 100 groups can "
        "match a group push rule when it is added.",
    )
    assert okta.get(rules_url(app_id), headers=SSWS).get_json() == []
    assert mappings(okta, app_id) == []
    # Exactly 100 is allowed.
    rule = add_rule(okta, app_id, groupName={"startsWith": "team-0"})
    assert len(rule["mappingIds"]) == 100


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ({"groupName": {"startsWith": "sonar-"}}, "name: The field cannot be left blank"),
        ({"name": "x"}, "groupName: A rule needs a group name or a group description criterion"),
        (
            {"name": "x", "groupName": {"regex": "^sonar-.*$"}},
            "groupName: Use one operator, startsWith or contains; expressions (regex) are not "
            "supported",
        ),
        (
            {"name": "x", "description": {"startsWith": "a", "contains": "b"}},
            "description: Use one operator, startsWith or contains; expressions (regex) are not "
            "supported",
        ),
        ({"name": "x", "groupName": {"contains": ""}}, "groupName: The value cannot be left blank"),
        (
            {"name": "x", "groupName": {"contains": "a"}, "pushImmediately": "yes"},
            "pushImmediately: must be true or false",
        ),
    ],
)
def test_invalid_rules_are_E0000001(okta, app_id, body, cause):
    response = okta.post(rules_url(app_id), json=body, headers=SSWS)
    assert response.status_code == 400
    error = response.get_json()
    assert error["errorCode"] == "E0000001"
    assert error["errorCauses"] == [{"errorSummary": cause}]


def test_rules_need_push_groups(okta, okta_app):
    app_id = okta.post("/api/v1/apps", json=SONARQUBE_APP, headers=SSWS).get_json()["id"]
    body = {"name": "x", "groupName": {"contains": "a"}}
    response = okta.post(rules_url(app_id), json=body, headers=SSWS)
    assert (response.status_code, response.get_json()["errorCode"]) == (400, "E0000001")
    enable_provisioning(okta_app, app_id, actions=("PUSH_NEW_USERS",))
    response = okta.post(rules_url(app_id), json=body, headers=SSWS)
    assert response.get_json()["errorSummary"] == (
        "Group push bad request : Group push is not enabled for the app instance."
    )


def test_rules_need_the_api_token(okta, app_id):
    assert okta.get(rules_url(app_id)).status_code == 401


# --- while the rule is ACTIVE -------------------------------------------------------------------


def test_new_and_changed_groups_that_match_are_pushed_while_active(okta, okta_app, app_id):
    rule = add_rule(okta, app_id, groupName={"startsWith": "sonar-"})
    architects = add_group(okta, "sonar-architects")
    renamed = add_group(okta, "ops")
    okta.put(f"/api/v1/groups/{renamed}", json={"profile": {"name": "sonar-ops"}}, headers=SSWS)
    add_group(okta, "unrelated")

    pushed = [m["sourceGroupId"] for m in mappings(okta, app_id)]
    assert pushed == [architects, renamed]
    listed = okta.get(rules_url(app_id), headers=SSWS).get_json()
    assert listed[0]["id"] == rule["id"]
    assert listed[0]["mappingIds"] == [m["id"] for m in mappings(okta, app_id)]
    assert kinds(okta_app, app_id) == ["PUSH_MAPPING_CREATED"] * 2


def test_a_new_description_that_matches_is_pushed(okta, app_id):
    add_rule(okta, app_id, description={"contains": "sonarqube"})
    group = add_group(okta, "auditors", "Read-only")
    assert mappings(okta, app_id) == []
    profile = {"name": "auditors", "description": "Auditors of SonarQube projects"}
    okta.put(f"/api/v1/groups/{group}", json={"profile": profile}, headers=SSWS)
    assert [m["sourceGroupId"] for m in mappings(okta, app_id)] == [group]


def test_a_group_that_stops_matching_keeps_its_push(okta, okta_app, app_id, sonar_groups):
    rule = add_rule(okta, app_id, groupName={"startsWith": "sonar-"})
    qa = sonar_groups["sonar-qa"]
    okta.put(f"/api/v1/groups/{qa}", json={"profile": {"name": "quality"}}, headers=SSWS)
    assert len(mappings(okta, app_id)) == 3
    listed = okta.get(rules_url(app_id), headers=SSWS).get_json()
    assert listed[0]["mappingIds"] == rule["mappingIds"]
    assert kinds(okta_app, app_id)[-1] == "GROUP_RENAMED"


def test_an_inactive_rule_pushes_nothing_new_until_activated(okta, app_id):
    rule = add_rule(okta, app_id, groupName={"startsWith": "sonar-"})
    url = f"{rules_url(app_id)}/{rule['id']}/lifecycle"
    deactivated = okta.post(f"{url}/deactivate", headers=SSWS)
    assert (deactivated.status_code, deactivated.get_json()["status"]) == (200, "INACTIVE")

    group = add_group(okta, "sonar-later")
    assert mappings(okta, app_id) == []

    activated = okta.post(f"{url}/activate", headers=SSWS).get_json()
    assert activated["status"] == "ACTIVE"
    assert [m["sourceGroupId"] for m in mappings(okta, app_id)] == [group]
    assert activated["mappingIds"] == [mappings(okta, app_id)[0]["id"]]


# --- deleting a rule ----------------------------------------------------------------------------


@pytest.mark.parametrize("delete", [True, False])
def test_deleting_a_rule_unlinks_its_pushes(okta, okta_app, app_id, sonar_groups, delete):
    sales = sonar_groups["sales"]
    body = {"sourceGroupId": sales, "status": "ACTIVE", "targetGroupName": "sales"}
    okta.post(f"/api/v1/apps/{app_id}/group-push/mappings", json=body, headers=SSWS)
    rule = add_rule(okta, app_id, groupName={"startsWith": "sonar-"})

    url = f"{rules_url(app_id)}/{rule['id']}?deleteTargetGroups={str(delete).lower()}"
    assert okta.delete(url, headers=SSWS).status_code == 204

    assert [m["sourceGroupId"] for m in mappings(okta, app_id)] == [sales]
    deleted = [p for kind, p in events(okta_app, app_id) if kind == "PUSH_MAPPING_DELETED"]
    assert [p["mappingId"] for p in deleted] == rule["mappingIds"]
    assert {p["deleteTargetGroup"] for p in deleted} == {delete}
    assert okta.get(rules_url(app_id), headers=SSWS).get_json() == []
    assert okta.delete(url, headers=SSWS).status_code == 404


def test_deleting_a_rule_needs_the_choice(okta, app_id):
    rule = add_rule(okta, app_id, groupName={"startsWith": "sonar-"})
    response = okta.delete(f"{rules_url(app_id)}/{rule['id']}", headers=SSWS)
    assert (response.status_code, response.get_json()["errorCode"]) == (400, "E0000028")
    response = okta.delete(f"{rules_url(app_id)}/{rule['id']}?deleteTargetGroups=x", headers=SSWS)
    assert (response.status_code, response.get_json()["errorCode"]) == (400, "E0000001")


# --- Push Now and Retry All Groups ----------------------------------------------------------------


def push(okta, app_id: str, group_id: str, status: str = "ACTIVE") -> dict:
    body = {"sourceGroupId": group_id, "status": status, "targetGroupName": "target"}
    response = okta.post(f"/api/v1/apps/{app_id}/group-push/mappings", json=body, headers=SSWS)
    return response.get_json()


def test_push_now_queues_a_full_push(okta, okta_app, app_id):
    mapping = push(okta, app_id, add_group(okta, "sonar-qa"))
    response = okta.post(
        f"/_mock/apps/{app_id}/group-push/mappings/{mapping['id']}/push", headers=SSWS
    )
    assert (response.status_code, response.get_json()) == (202, {})
    kind, payload = events(okta_app, app_id)[-1]
    assert (kind, payload["mappingId"]) == ("PUSH_NOW", mapping["id"])


def test_push_now_of_an_inactive_or_unknown_push(okta, app_id):
    mapping = push(okta, app_id, add_group(okta, "sonar-qa"), status="INACTIVE")
    url = f"/_mock/apps/{app_id}/group-push/mappings"
    response = okta.post(f"{url}/{mapping['id']}/push", headers=SSWS)
    assert (response.status_code, response.get_json()["errorSummary"]) == (
        400,
        "Group push bad request : The group push mapping is not active.",
    )
    response = okta.post(f"{url}/gPmUnknownUnknown000/push", headers=SSWS)
    assert (response.status_code, response.get_json()["errorCode"]) == (404, "E0000007")


def test_retry_all_groups_pushes_the_failed_mappings_again(okta, okta_app, app_id):
    failed = push(okta, app_id, add_group(okta, "sonar-qa"))
    healthy = push(okta, app_id, add_group(okta, "sonar-admins"))
    with database(okta_app) as conn:
        conn.execute(
            "update group_push_mappings set status = 'ERROR', error_summary = 'x' where id = ?",
            [failed["id"]],
        )
        conn.execute(
            "insert into provisioning_tasks (id, seq, app_id, event_id, kind, mapping_id, status, "
            "error_summary, created, last_updated) values ('tsk1', 1, ?, 1, "
            "'PUSH_MAPPING_CREATED', ?, 'FAILED', 'x', '2025-01-01', '2025-01-01')",
            [app_id, failed["id"]],
        )

    response = okta.post(f"/_mock/apps/{app_id}/group-push/retry", headers=SSWS)

    assert (response.status_code, response.get_json()) == (202, {"mappingIds": [failed["id"]]})
    kind, payload = events(okta_app, app_id)[-1]
    assert (kind, payload["mappingId"]) == ("PUSH_NOW", failed["id"])
    assert healthy["id"] not in [p.get("mappingId") for k, p in events(okta_app, app_id)[2:]]
    assert okta.get("/_mock/tasks", headers=SSWS).get_json() == []


# --- who is pushed (§2.1) ------------------------------------------------------------------------


def test_pushed_members_are_provisioned_and_not_deactivated(okta, okta_app, app_id):
    group_id = add_group(okta, "sonar-qa")
    statuses = ("ACTIVE", "SUSPENDED", "DEPROVISIONED", "ACTIVE")
    db = connect(okta_app.config["DATABASE"])
    with atomic(db):
        for i, status in enumerate(statuses):
            user_id = f"00uuser{i:013}"
            db.execute(
                "insert into users (id, seq, status, created, last_updated, login, profile) "
                "values (?, ?, ?, '2025-01-01', '2025-01-01', ?, '{}')",
                [user_id, 100 + i, status, f"u{i}@example.com"],
            )
            db.execute(
                "insert into group_members values (?, ?, 'MANUAL', '2025-01-01')",
                [group_id, user_id],
            )
            if i < 3:  # the last one has no app user: not assigned
                db.execute(
                    "insert into app_users (app_id, user_id, seq, status, sync_state, "
                    "external_id, created, last_updated, user_name) values (?, ?, ?, "
                    "'PROVISIONED', 'SYNCHRONIZED', ?, '2025-01-01', '2025-01-01', ?)",
                    [app_id, user_id, 100 + i, f"scim-{i}", f"u{i}@example.com"],
                )
    members, ignored = groups_push.pushed_members(db, app_id, group_id)
    db.conn.close()
    # Suspended users keep their memberships (suspending sends nothing, §1.7).
    assert members == [
        {"value": "scim-0", "display": "u0@example.com"},
        {"value": "scim-1", "display": "u1@example.com"},
    ]
    assert ignored == ["00uuser0000000000002", "00uuser0000000000003"]
