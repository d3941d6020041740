"""Admin Console: the app's Push Groups tab (by name, by rule, Push Now, unlink, Retry)."""

from tests.okta.console_helpers import (
    APP_ID,
    APP_URL,
    console_fixture,  # noqa: F401  (a fixture)
    seeded_template,  # noqa: F401  (a fixture)
    visible_text,
)

PUSH = f"{APP_URL}push-groups"
TAB = f"{APP_URL}?tab=push-groups"
QA = "00gsonarqa0000000002"


def mappings(console) -> dict[str, dict]:
    rows = console.query(
        "select m.*, g.name from group_push_mappings m join groups g on g.id = m.source_group_id "
        "where m.app_id = ?",
        [APP_ID],
    )
    return {row["name"]: row for row in rows}


def test_the_push_groups_menu_offers_by_name_and_by_rule(console):
    console.enable_scim()
    html = console.text(TAB)
    assert ">+ Push Groups<" in html
    assert ">Find groups by name</a>" in html
    assert ">Find groups by rule</a>" in html
    for column in ("Group in Okta", "Group in SonarQube", "Last Push", "Push Status"):
        assert column in html


def test_find_groups_by_name_form(console):
    console.enable_scim()
    html = console.text(f"{TAB}&push=name")
    assert 'id="push-group-name" name="groupName"' in html
    assert 'role="combobox"' in html
    assert "/push-groups/group-suggestions" in html
    assert "Push group memberships immediately" in html
    assert 'id="push-immediately" name="pushImmediately" checked' in html


def test_push_a_group_by_name(console):
    """Guide step 6, first option."""
    console.enable_scim()
    response = console.post(f"{PUSH}/by-name", {"groupName": "sonar-qa", "pushImmediately": "on"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{APP_URL}?tab=push-groups"
    assert mappings(console)["sonar-qa"]["status"] == "ACTIVE"
    html = console.text(TAB)
    assert f'href="/admin/group/{QA}">sonar-qa</a>' in html
    assert 'data-status="ACTIVE"' in html


def test_push_by_name_without_pushing_memberships_is_inactive(console):
    console.enable_scim()
    console.post(f"{PUSH}/by-name", {"groupName": "sonar-qa"})
    assert mappings(console)["sonar-qa"]["status"] == "INACTIVE"


def test_push_an_unknown_group_shows_the_error_and_the_form(console):
    console.enable_scim()
    response = console.post(f"{PUSH}/by-name", {"groupName": "nope", "pushImmediately": "on"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "No Okta group named" in html
    assert 'id="push-by-name"' in html


def test_find_groups_by_rule_form(console):
    console.enable_scim()
    text = visible_text(console.text(f"{TAB}&push=rule"))
    for label in (
        "Rule name",
        "Group name",
        "Group description",
        "starts with",
        "contains",
        "Immediately push groups found by this rule",
        "Create Rule",
    ):
        assert label in text, label


def test_create_a_rule_pushes_the_matching_groups(console):
    """Guide step 6, second option: sonar-* groups, starts with, no regex."""
    console.enable_scim()
    response = console.post(
        f"{PUSH}/by-rule",
        {
            "ruleName": "sonar groups",
            "groupNameOperator": "startsWith",
            "groupNameValue": "sonar-",
            "descriptionOperator": "contains",
            "descriptionValue": "",
            "pushImmediately": "on",
        },
    )
    assert response.status_code == 302
    assert set(mappings(console)) == {"sonar-developers", "sonar-qa", "sonar-admins"}
    html = console.text(f"{TAB}&filter=by-rule")
    assert "sonar groups" in html
    assert "Group name starts with \u201csonar-\u201d" in html
    assert "Rule: sonar groups" in html


def test_a_rule_without_criteria_is_refused_in_the_form(console):
    console.enable_scim()
    response = console.post(f"{PUSH}/by-rule", {"ruleName": "empty", "pushImmediately": "on"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "A rule needs a group name or a group description criterion" in html
    assert 'id="push-by-rule"' in html
    assert 'value="empty"' in html


def test_push_now_deactivate_activate(console):
    console.enable_scim()
    console.post(f"{PUSH}/by-name", {"groupName": "sonar-qa", "pushImmediately": "on"})
    mapping = mappings(console)["sonar-qa"]
    html = console.text(TAB)
    assert ">Push Now</button>" in html
    assert ">Deactivate group push</button>" in html
    assert ">Unlink pushed group</a>" in html
    assert console.post(f"{PUSH}/{mapping['id']}/push").status_code == 302
    console.post(f"{PUSH}/{mapping['id']}/status", {"status": "INACTIVE"})
    assert mappings(console)["sonar-qa"]["status"] == "INACTIVE"
    assert ">Activate group push</button>" in console.text(TAB)
    console.post(f"{PUSH}/{mapping['id']}/status", {"status": "ACTIVE"})
    assert mappings(console)["sonar-qa"]["status"] == "ACTIVE"


def test_unlink_dialog_and_leave_the_group(console):
    console.enable_scim()
    console.post(f"{PUSH}/by-name", {"groupName": "sonar-qa", "pushImmediately": "on"})
    mapping = mappings(console)["sonar-qa"]
    dialog = console.text(f"{TAB}&unlink={mapping['id']}")
    assert "Unlink Pushed Group" in dialog
    assert "Delete the group in the target app (recommended)" in dialog
    assert "Leave the group in the target app" in dialog
    response = console.post(f"{PUSH}/{mapping['id']}/unlink", {"targetGroup": "leave"})
    assert response.status_code == 302
    assert "sonar-qa" not in mappings(console)
    deleted = console.query(
        "select payload from provisioning_events where kind = 'PUSH_MAPPING_DELETED'"
    )
    assert '"deleteTargetGroup": false' in deleted[0]["payload"]


def test_a_failed_push_shows_error_and_retry_all_groups(console):
    console.enable_scim()
    console.post(f"{PUSH}/by-name", {"groupName": "sonar-qa", "pushImmediately": "on"})
    console.deliver()  # nothing listens: the push fails
    html = console.text(TAB)
    assert 'data-status="ERROR"' in html
    assert 'data-testid="push-error"' in html
    assert "Unable to update Group Push mapping target App group sonar-qa" in html
    assert ">Retry All Groups</button>" in html
    assert "Errors (1)" in html
    console.post(f"{PUSH}/retry")
    pending = console.query("select kind from provisioning_events where status = 'PENDING'")
    assert {"kind": "PUSH_NOW"} in pending


def test_rule_deactivate_then_delete_with_leave(console):
    console.enable_scim()
    console.post(
        f"{PUSH}/by-rule",
        {
            "ruleName": "qa",
            "groupNameOperator": "contains",
            "groupNameValue": "qa",
            "pushImmediately": "on",
        },
    )
    rule = console.query("select id from group_push_rules")[0]["id"]
    console.post(f"{PUSH}/rules/{rule}/deactivate")
    assert console.query("select status from group_push_rules")[0]["status"] == "INACTIVE"
    dialog = console.text(f"{TAB}&filter=by-rule&deleteRule={rule}")
    assert "Delete the associated groups" in dialog
    assert "Leave associated groups" in dialog
    assert console.post(f"{PUSH}/rules/{rule}/delete", {}).status_code == 400  # no choice
    console.post(f"{PUSH}/rules/{rule}/delete", {"targetGroups": "leave"})
    assert not console.query("select id from group_push_rules")
    assert not mappings(console)


def test_the_group_field_suggests_groups_not_pushed_yet_as_the_admin_types(console):
    console.enable_scim()
    url = f"{PUSH}/group-suggestions"
    html = console.text(f"{url}?q=SONAR-")  # any case, name starts with the text
    names = [part.split('"', 1)[0] for part in html.split('data-value="')[1:]]
    assert names
    assert all(name.lower().startswith("sonar-") for name in names)
    assert 'role="option"' in html
    assert console.post(f"{PUSH}/by-name", {"groupName": names[0]}).status_code == 302
    assert f'data-value="{names[0]}"' not in console.text(f"{url}?q=sonar-")  # pushed now
    assert console.text(f"{url}?q=%25").strip() == ""  # "%" is a character, not a wildcard


def test_without_javascript_the_group_search_lists_groups_to_pick(console):
    console.enable_scim()
    html = console.text(f"{TAB}&push=name&groupQuery=sonar-d")
    assert "<noscript>" in html
    assert "push=name&amp;groupName=sonar-developers" in html
    picked = console.text(f"{TAB}&push=name&groupName=sonar-developers")
    assert 'name="groupName" value="sonar-developers"' in picked
