"""Admin Console: the app's Assignments tab (the red "!", Provision User, Assign, Remove)."""

import re

from tests.okta.console_helpers import (
    APP_ID,
    APP_URL,
    console_fixture,  # noqa: F401  (a fixture)
    seeded_template,  # noqa: F401  (a fixture)
    visible_text,
)

ASSIGNED_BEFORE = (
    "User was assigned this application before Provisioning was enabled and not provisioned "
    "in the downstream application. Click Provision User."
)
ALICE = "00ualicemartin000001"
DAVE = "00udavelee0000000004"


def person_row(html: str, user_id: str) -> str:
    """The visible text of one person's row of the Assignments table."""
    start = html.index(f'<tr data-user-id="{user_id}"')
    return visible_text(html[start : html.index("</tr>", start)])


def test_assignments_list_people_direct_and_by_group(console):
    html = console.text(f"{APP_URL}?tab=assignments")
    text = visible_text(html)
    alice, dave = person_row(html, ALICE), person_row(html, DAVE)
    assert "Alice Martin" in alice
    assert "Individual" in alice  # assigned directly
    assert "Dave Lee" in dave
    assert "Group" in dave  # through sonar-developers
    assert "Individual" not in dave
    assert "Provision User" not in text  # provisioning is not enabled yet
    groups = visible_text(console.text(f"{APP_URL}?tab=assignments&filter=groups"))
    assert "sonar-developers" in groups


def test_assignments_list_people_by_name_under_visible_headers(console):
    html = console.text(f"{APP_URL}?tab=assignments")
    table = html[html.index('data-testid="assigned-people"') :]
    headers = re.findall(r'<th scope="col">([^<]*)</th>', table[: table.index("</thead>")])
    assert headers == ["Person", "Type", "Actions"]
    names = re.findall(r'<a href="/admin/user/profile/view/[^"]+">([^<]+)</a>', table)
    assert len(names) == 7
    assert names == sorted(names, key=str.lower)


def test_users_assigned_before_provisioning_show_the_red_exclamation(console):
    console.enable_scim()
    html = console.text(f"{APP_URL}?tab=assignments")
    assert html.count('data-testid="provisioning-alert"') == 7
    assert ASSIGNED_BEFORE in html
    assert ">Provision User</a>" in html


def test_provision_user_asks_then_queues_the_push(console):
    console.enable_scim()
    dialog = console.text(f"{APP_URL}?tab=assignments&provision={ALICE}")
    assert '<h2 id="provision-title">Provision User</h2>' in dialog
    assert ">OK</button>" in dialog
    response = console.post(f"{APP_URL}assignments/people/{ALICE}/provision")
    assert response.status_code == 302
    events = console.query(
        "select kind from provisioning_events where resource = ? and status = 'PENDING'", [ALICE]
    )
    assert {"kind": "PROVISION_USER"} in events


def test_a_queued_provision_user_shows_as_pending_and_the_tab_reloads_itself(console):
    console.enable_scim()
    console.post(f"{APP_URL}assignments/people/{ALICE}/provision")

    html = console.text(f"{APP_URL}?tab=assignments")

    row = html.split(f'data-user-id="{ALICE}"', 1)[1].split("</tr>", 1)[0]
    assert 'data-testid="provisioning-pending"' in row
    assert 'data-testid="provisioning-alert"' not in row
    assert ">Provision User</a>" not in row
    assert html.count('data-testid="provisioning-alert"') == 6  # the others still need it
    assert '<meta http-equiv="refresh" content="2">' in html  # without JavaScript
    assert "location.replace(location.href)" in html  # with it
    # An open dialog is not reloaded under the admin's hands.
    dialog = console.text(f"{APP_URL}?tab=assignments&assign=people")
    assert 'http-equiv="refresh"' not in dialog


def test_a_tab_without_pushes_in_flight_does_not_reload(console):
    console.deliver()  # provisioning is off: the fixture's assignments are noted, not pushed
    assert console.query("select 1 from provisioning_events where status = 'PENDING'") == []
    html = console.text(f"{APP_URL}?tab=assignments")
    assert 'http-equiv="refresh"' not in html


def test_provision_user_for_a_provisioned_person_shows_the_refusal(console):
    console.enable_scim()
    response = console.post(f"{APP_URL}assignments/people/00uhenrydubois000008/provision")
    assert response.status_code == 404
    assert "AppUser" in response.get_data(as_text=True)


def test_assign_to_people_dialog_and_assign(console):
    html = console.text(f"{APP_URL}?tab=assignments&assign=people")
    assert "Assign SonarQube to People" in html
    assert ">Assigned</button>" in html  # Alice already is
    assert ">Done</a>" in html
    response = console.post(f"{APP_URL}assignments/people", {"userId": "00uhenrydubois000008"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{APP_URL}?tab=assignments&assign=people"
    rows = console.query(
        "select direct from app_users where app_id = ? and user_id = ?",
        [APP_ID, "00uhenrydubois000008"],
    )
    assert rows == [{"direct": 1}]


def test_assign_to_groups_and_remove_the_group(console):
    assert "Assign SonarQube to Groups" in console.text(f"{APP_URL}?tab=assignments&assign=groups")
    console.post(f"{APP_URL}assignments/groups", {"groupId": "00gsonarqa0000000002"})
    assert "sonar-qa" in visible_text(console.text(f"{APP_URL}?tab=assignments&filter=groups"))
    assert console.query(
        "select user_id from app_users where app_id = ? and user_id = '00ufrankosei00000006'",
        [APP_ID],
    )
    console.post(f"{APP_URL}assignments/groups/00gsonarqa0000000002/remove")
    assert not console.query("select 1 from app_groups where group_id = '00gsonarqa0000000002'")


def test_unassigning_a_person_granted_by_a_group_shows_okta_refusal(console):
    console.post(f"{APP_URL}assignments/people", {"userId": "00udavelee0000000004"})
    response = console.post(f"{APP_URL}assignments/people/00udavelee0000000004/remove")
    assert response.status_code == 403
    html = response.get_data(as_text=True)
    assert "Deactivate application for user forbidden." in html
    assert "while their group memberships grant them access" in html


def test_unassigning_a_person(console):
    console.post(f"{APP_URL}assignments/people/00ubobnguyen00000002/remove")
    assert not console.query(
        "select 1 from app_users where user_id = '00ubobnguyen00000002' and app_id = ?", [APP_ID]
    )


def test_assign_without_choosing_shows_an_error(console):
    response = console.post(f"{APP_URL}assignments/people", {})
    assert response.status_code == 400
    assert "Select a person to assign." in response.get_data(as_text=True)


def test_the_assign_to_groups_dialog_searches_by_name(console):
    html = console.text(f"{APP_URL}?tab=assignments&assign=groups&assign_q=SONAR-")
    assert 'placeholder="Search by group name"' in html
    listed = html.split('data-testid="assign-groups"', 1)[1].split("</table>", 1)[0]
    assert "sonar-developers" in listed
    assert "Engineering" not in listed
    assert "Everyone" not in listed
