"""Admin Console: Groups > Rules (Add Rule; Actions: Activate, Deactivate, Edit, Delete)."""

import json
import re
from datetime import UTC, datetime

import pytest

from mock_common.db import atomic
from mock_okta.console.groups import TARGET_GROUPS_SHOWN
from mock_okta.directory import groups
from tests.okta.console_helpers import (
    console_fixture,  # noqa: F401  (a fixture)
    seeded_template,  # noqa: F401  (a fixture)
    visible_text,
)

RULES = "/admin/groups/rules"
ENGINEERING_RULE = "0prengineeringdept01"  # ACTIVE in the fixture
ENGINEERING = "00gengineering000004"
MARKETING = "00gmarketing00000006"
SALES = "00gsales000000000005"
ALICE = "00ualicemartin000001"  # Engineering
HENRY = "00uhenrydubois000008"  # Sales


def add_rule(console, name="Sales in marketing", expression='user.department == "Sales"'):
    """Add Rule > Save with one target group."""
    form = [("name", name), ("expression", expression), ("groupIds", MARKETING)]
    return console.post(RULES, form)


def rule_named(console, name: str) -> dict | None:
    rows = console.query("select * from group_rules where name = ?", [name])
    return rows[0] if rows else None


def sources(console, group_id: str, user_id: str) -> list[str]:
    rows = console.query(
        "select source from group_members where group_id = ? and user_id = ?", [group_id, user_id]
    )
    return [row["source"] for row in rows]


def test_the_rules_page_offers_add_rule_and_an_actions_menu(console):
    html = console.text(RULES)
    assert f'href="{RULES}?add=1"' in html
    text = visible_text(html)
    assert "Add Rule" in text
    assert "Actions" in text
    assert "Deactivate" in text


def test_the_add_rule_dialog(console):
    html = console.text(f"{RULES}?add=1")
    for label in ("Name", "Assign to"):
        assert f">{label}</label>" in html
    text = visible_text(html)
    assert "IF" in text
    assert "Use Okta Expression Language (advanced)" in text
    assert "THEN" in text
    assert ">Save</button>" in html
    assert f'<option value="{MARKETING}">marketing</option>' in html
    assert ">Everyone</option>" not in html  # rules fill Okta groups only


def options(html: str) -> list[str]:
    """The group names the Assign to list offers, in order."""
    listed = html.split('id="rule-groups"', 1)[1].split("</select>", 1)[0]
    return re.findall(r"<option [^>]*>([^<]+)</option>", listed)


def test_assign_to_searches_groups_by_name_and_keeps_the_ones_picked(console):
    db, now = console.db(), datetime.now(UTC)
    with atomic(db):
        for n in range(600):
            groups.create_group(db, now, {"name": f"team-{n:03d}"})
    db.conn.close()
    shown = options(console.text(f"{RULES}?add=1"))
    assert len(shown) == TARGET_GROUPS_SHOWN
    assert "team-599" not in shown  # beyond the first 500 by name: found by searching
    form = [
        ("name", "Big teams"),
        ("expression", 'user.department == "Sales"'),
        ("groupIds", MARKETING),
        ("groupQuery", "TEAM-59"),
    ]
    response = console.post(f"{RULES}/group-search", form)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert options(html) == ["marketing", *(f"team-{n}" for n in range(590, 600))]
    assert f'<option value="{MARKETING}" selected>' in html  # still picked
    assert 'value="Big teams"' in html
    assert (
        "user.department == &#34;Sales&#34;" in html
        or "user.department == &quot;Sales&quot;" in html
    )
    assert 'value="TEAM-59"' in html
    assert rule_named(console, "Big teams") is None  # searching saves nothing


def test_a_new_rule_is_inactive_and_changes_nobody(console):
    response = add_rule(console)
    assert response.status_code == 302
    assert response.headers["Location"] == RULES
    rule = rule_named(console, "Sales in marketing")
    assert rule["status"] == "INACTIVE"
    assert json.loads(rule["group_ids"]) == [MARKETING]
    assert rule["expression"] == 'user.department == "Sales"'
    row = console.text(RULES).split(f'data-rule-id="{rule["id"]}"')[1].split("</tr>")[0]
    assert "Inactive" in row
    assert ">Activate</button>" in row
    assert sources(console, MARKETING, HENRY) == []


def test_activating_the_rule_adds_the_people_it_matches(console):
    add_rule(console)
    rule = rule_named(console, "Sales in marketing")
    assert console.post(f"{RULES}/{rule['id']}/activate").status_code == 302
    assert rule_named(console, "Sales in marketing")["status"] == "ACTIVE"
    assert sources(console, MARKETING, HENRY) == [f"RULE:{rule['id']}"]
    assert sources(console, MARKETING, ALICE) == []
    assert "Henry Dubois" in visible_text(console.text(f"/admin/group/{MARKETING}"))


def test_an_invalid_expression_is_shown_in_the_dialog(console):
    response = add_rule(console, expression='user.department = "Sales"')
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    text = visible_text(html)
    assert "Api validation failed: validateRule" in text
    assert "Unexpected character '=' at position 16" in text
    assert 'value="Sales in marketing"' in html  # the form keeps what was typed
    assert 'user.department = "Sales"</textarea>' in html.replace("&#34;", '"')
    assert f'<option value="{MARKETING}" selected>' in html
    assert rule_named(console, "Sales in marketing") is None


@pytest.mark.parametrize(
    ("form", "cause"),
    [
        ([("name", " "), ("expression", "true"), ("groupIds", MARKETING)], "name: The field"),
        (
            [("name", "No groups"), ("expression", "true")],
            "actions.assignUserToGroups.groupIds: The field cannot be left blank",
        ),
    ],
)
def test_missing_fields_are_shown_in_the_dialog(console, form, cause):
    response = console.post(RULES, form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert cause in visible_text(html)
    assert '<h2 id="rule-title">Add Rule</h2>' in html
    assert console.query("select count(*) as n from group_rules")[0]["n"] == 1


def test_edit_changes_the_name_and_condition_of_an_inactive_rule(console):
    console.post(f"{RULES}/{ENGINEERING_RULE}/deactivate")
    html = console.text(f"{RULES}?edit={ENGINEERING_RULE}")
    assert '<h2 id="rule-title">Edit Rule</h2>' in html
    assert f'<option value="{ENGINEERING}" selected>engineering</option>' in html
    assert 'value="Engineering department"' in html
    form = [
        ("name", "Engineering and QA"),
        ("expression", 'user.department == "Engineering" OR user.department == "Sales"'),
        ("groupIds", MARKETING),  # "Assign to" cannot be edited: ignored
    ]
    assert console.post(f"{RULES}/{ENGINEERING_RULE}", form).status_code == 302
    rule = console.query("select * from group_rules where id = ?", [ENGINEERING_RULE])[0]
    assert rule["name"] == "Engineering and QA"
    assert "Sales" in rule["expression"]
    assert json.loads(rule["group_ids"]) == [ENGINEERING]
    assert rule["status"] == "INACTIVE"


def test_edit_keeps_the_rules_exclusions(console):
    console.post(f"/admin/group/{ENGINEERING}/people/{ALICE}/remove")  # excluded from the rule
    console.post(f"{RULES}/{ENGINEERING_RULE}/deactivate")
    form = [("name", "Engineering"), ("expression", 'user.department == "Engineering"')]
    console.post(f"{RULES}/{ENGINEERING_RULE}", form)
    rule = console.query("select * from group_rules where id = ?", [ENGINEERING_RULE])[0]
    assert json.loads(rule["exclude_user_ids"]) == [ALICE]


def test_an_invalid_edit_is_shown_in_the_dialog(console):
    console.post(f"{RULES}/{ENGINEERING_RULE}/deactivate")
    form = [("name", "Engineering department"), ("expression", "user.department ==")]
    response = console.post(f"{RULES}/{ENGINEERING_RULE}", form)
    assert response.status_code == 400
    text = visible_text(response.get_data(as_text=True))
    assert "Edit Rule" in text
    assert "expected a value but found end of expression" in text
    rule = console.query("select * from group_rules where id = ?", [ENGINEERING_RULE])[0]
    assert rule["expression"] == 'user.department == "Engineering"'


def test_edit_is_hidden_and_refused_while_active(console):
    assert f"{RULES}?edit={ENGINEERING_RULE}" not in console.text(RULES)
    assert "Edit Rule" not in console.text(f"{RULES}?edit={ENGINEERING_RULE}")
    form = [("name", "Renamed"), ("expression", "true")]
    response = console.post(f"{RULES}/{ENGINEERING_RULE}", form)
    assert response.status_code == 400
    text = visible_text(response.get_data(as_text=True))
    assert "Cannot update a group rule whose status is ACTIVE" in text
    assert "Edit Rule" not in text
    rule = console.query("select * from group_rules where id = ?", [ENGINEERING_RULE])[0]
    assert rule["name"] == "Engineering department"


def test_edit_and_delete_appear_once_the_rule_is_deactivated(console):
    console.post(f"{RULES}/{ENGINEERING_RULE}/deactivate")
    html = console.text(RULES)
    assert f"{RULES}?edit={ENGINEERING_RULE}" in html
    assert f"{RULES}?delete={ENGINEERING_RULE}" in html


def test_the_delete_dialog_asks_for_confirmation(console):
    console.post(f"{RULES}/{ENGINEERING_RULE}/deactivate")
    html = console.text(f"{RULES}?delete={ENGINEERING_RULE}")
    text = visible_text(html)
    assert "Delete Rule" in text
    assert "Engineering department" in text
    assert "Leave users in the group" in text
    assert "Remove users from the group" in text
    assert f'action="{RULES}/{ENGINEERING_RULE}/delete"' in html
    assert console.query("select count(*) as n from group_rules")[0]["n"] == 1


@pytest.mark.parametrize(("users", "alice_after"), [("leave", ["MANUAL"]), ("remove", [])])
def test_delete_leaves_or_removes_the_rules_members(console, users, alice_after):
    assert sources(console, ENGINEERING, ALICE) == [f"RULE:{ENGINEERING_RULE}"]
    console.post(f"{RULES}/{ENGINEERING_RULE}/deactivate")
    response = console.post(f"{RULES}/{ENGINEERING_RULE}/delete", {"users": users})
    assert response.status_code == 302
    assert console.query("select * from group_rules") == []
    assert sources(console, ENGINEERING, ALICE) == alice_after
    assert "No rules." in visible_text(console.text(RULES))


def test_delete_is_hidden_and_refused_while_active(console):
    assert f"{RULES}?delete={ENGINEERING_RULE}" not in console.text(RULES)
    assert "Delete Rule" not in console.text(f"{RULES}?delete={ENGINEERING_RULE}")
    response = console.post(f"{RULES}/{ENGINEERING_RULE}/delete", {"users": "remove"})
    assert response.status_code == 400
    assert "Cannot delete a group rule whose status is ACTIVE" in visible_text(
        response.get_data(as_text=True)
    )
    assert console.query("select status from group_rules")[0]["status"] == "ACTIVE"


def test_an_unknown_rule_is_a_404_page(console):
    response = console.get(f"{RULES}?edit=0prnosuchrule0000000")
    assert response.status_code == 404
    assert "Not found: Resource not found: 0prnosuchrule0000000" in visible_text(
        response.get_data(as_text=True)
    )


@pytest.mark.parametrize(
    ("path", "form"),
    [
        (RULES, {"name": "Forged", "expression": "true", "groupIds": SALES}),
        (f"{RULES}/{ENGINEERING_RULE}", {"name": "Forged", "expression": "true"}),
        (f"{RULES}/{ENGINEERING_RULE}/delete", {"users": "remove"}),
        (f"{RULES}/{ENGINEERING_RULE}/deactivate", {}),
    ],
)
def test_a_post_without_the_csrf_token_is_refused(console, path, form):
    response = console.client.post(path, data=form)
    assert response.status_code == 403
    assert "could not be verified" in visible_text(response.get_data(as_text=True))
    rules = console.query("select name, status from group_rules")
    assert rules == [{"name": "Engineering department", "status": "ACTIVE"}]
