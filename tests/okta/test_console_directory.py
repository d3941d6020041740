"""Admin Console: Directory > People (Add person, profile, lifecycle) and Groups (Rules)."""

import re

import pytest

from mock_common import clock
from mock_okta import reactions
from tests.okta.console_helpers import (
    console_fixture,  # noqa: F401  (a fixture)
    next_page,
    people_pages,
    seeded_template,  # noqa: F401  (a fixture)
    visible_text,
)

ALICE = "00ualicemartin000001"
CAROL = "00ucarolsmith0000003"
KATE = "00ukatenovak00000011"  # SUSPENDED in the fixture
LEO = "00uleogarcia00000012"  # STAGED in the fixture
PERSON = "/admin/user/profile/view/"


def status_of(console, user_id: str) -> str | None:
    rows = console.query("select status from users where id = ?", [user_id])
    return rows[0]["status"] if rows else None


def test_people_list_search_and_status_filter(console):
    text = visible_text(console.text("/admin/users"))
    assert "Person & username" in text
    assert "Alice Martin" in text
    assert "Suspended" in text
    assert "Staged" in text
    assert "Add person" in text
    found = visible_text(console.text("/admin/users?q=car"))
    assert "Carol Smith" in found
    assert "Alice Martin" not in found
    suspended = visible_text(console.text("/admin/users?status=SUSPENDED"))
    assert "Kate Novak" in suspended
    assert "Alice Martin" not in suspended


def test_add_person(console):
    form = console.text("/admin/users?add=1")
    for label in ("First name", "Last name", "Username", "Primary email", "Activation"):
        assert f">{label}</label>" in form
    response = console.post(
        "/admin/users",
        {
            "firstName": "Mia",
            "lastName": "Park",
            "login": "mia.park@example.com",
            "email": "mia.park@example.com",
            "activation": "now",
            "setPassword": "on",
            "password": "Passw0rd!123",
        },
    )
    assert response.status_code == 302
    user = console.query("select id, status from users where login = 'mia.park@example.com'")[0]
    assert user["status"] == "ACTIVE"
    assert response.headers["Location"] == f"{PERSON}{user['id']}"


def test_add_person_errors_are_shown_in_the_dialog(console):
    response = console.post(
        "/admin/users",
        {
            "firstName": "Al",
            "lastName": "",
            "login": "alice.martin@example.com",
            "email": "x@example.com",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "lastName: The field cannot be left blank" in html
    assert 'value="Al"' in html
    assert "Add Person" in html


def test_person_page_shows_profile_groups_and_apps(console):
    text = visible_text(console.text(f"{PERSON}{ALICE}"))
    assert "Alice Martin" in text
    assert "Title Senior Software Engineer" in text
    assert "sonar-developers" in text
    assert "engineering" in text
    assert "SonarQube" in text
    assert "More Actions" in text
    assert "Suspend" in text
    assert "Deactivate" in text


def test_edit_the_profile(console):
    assert ">Save</button>" in console.text(f"{PERSON}{ALICE}?edit=profile")
    form = {
        "login": "alice.martin@example.com",
        "firstName": "Alice",
        "lastName": "Martin-Lee",
        "email": "alice.martin@example.com",
        "title": "Principal Engineer",
        "department": "Engineering",
    }
    assert console.post(f"{PERSON}{ALICE}", form).status_code == 302
    text = visible_text(console.text(f"{PERSON}{ALICE}"))
    assert "Martin-Lee" in text
    assert "Principal Engineer" in text
    events = console.query(
        "select body from system_log where event_type = 'user.account.update_profile'"
    )
    assert '"alternateId": "admin@example.com"' in events[-1]["body"]  # the admin is the actor


def test_a_bad_profile_edit_shows_the_error(console):
    form = {
        "login": "alice.martin@example.com",
        "firstName": "",
        "lastName": "Martin",
        "email": "not-an-email",
    }
    response = console.post(f"{PERSON}{ALICE}", form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "firstName: The field cannot be left blank" in html
    assert "email: Does not match required pattern" in html


@pytest.mark.parametrize(
    ("user_id", "action", "after"),
    [
        (ALICE, "suspend", "SUSPENDED"),
        (KATE, "unsuspend", "ACTIVE"),
        (LEO, "activate", "ACTIVE"),
        (CAROL, "deactivate", "DEPROVISIONED"),
    ],
)
def test_lifecycle_buttons(console, user_id, action, after):
    response = console.post(f"{PERSON}{user_id}/lifecycle/{action}")
    assert response.status_code == 302
    assert status_of(console, user_id) == after


def test_buttons_follow_the_status(console):
    suspended = visible_text(console.text(f"{PERSON}{KATE}"))
    assert "Unsuspend" in suspended
    console.post(f"{PERSON}{CAROL}/lifecycle/deactivate")
    deactivated = console.text(f"{PERSON}{CAROL}")
    assert ">Activate</button>" in deactivated
    assert ">Delete</button>" in deactivated
    assert "Deactivated" in deactivated


def test_delete_a_deactivated_person(console):
    console.post(f"{PERSON}{CAROL}/lifecycle/deactivate")
    response = console.post(f"{PERSON}{CAROL}/lifecycle/delete")
    assert response.headers["Location"] == "/admin/users"
    assert status_of(console, CAROL) is None


def test_an_action_the_status_does_not_offer_is_refused(console):
    response = console.post(f"{PERSON}{ALICE}/lifecycle/unsuspend")
    assert response.status_code == 403
    assert "not allowed in the user's current status" in visible_text(
        response.get_data(as_text=True)
    )
    assert status_of(console, ALICE) == "ACTIVE"


def test_the_admin_page_offers_no_lifecycle_buttons(console):
    admin = console.query("select id from users where login = 'admin@example.com'")[0]["id"]
    assert 'data-testid="lifecycle"' not in console.text(f"{PERSON}{admin}")
    assert console.post(f"{PERSON}{admin}/lifecycle/suspend").status_code == 400


def test_groups_list_and_add_group(console):
    text = visible_text(console.text("/admin/groups"))
    assert "sonar-developers" in text
    assert "Everyone" in text
    assert "sonar-qa" in visible_text(console.text("/admin/groups?q=sonar-q"))
    response = console.post("/admin/groups", {"name": "sonar-auditors", "description": "Audit"})
    assert response.status_code == 302
    group = console.query("select id from groups where name = 'sonar-auditors'")[0]
    assert response.headers["Location"] == f"/admin/group/{group['id']}"


def test_add_a_duplicate_group_shows_the_error(console):
    response = console.post("/admin/groups", {"name": "sonar-qa"})
    assert response.status_code == 400
    assert "An object with this field already exists" in response.get_data(as_text=True)


def test_group_page_assign_and_remove_people(console):
    qa = "00gsonarqa0000000002"
    html = console.text(f"/admin/group/{qa}")
    assert "Carol Smith" in html
    assert "Assign people" in html
    console.post(f"/admin/group/{qa}/people", {"userId": ALICE})
    assert "Alice Martin" in visible_text(console.text(f"/admin/group/{qa}"))
    console.post(f"/admin/group/{qa}/people/{ALICE}/remove")
    members = console.query(
        "select user_id from group_members where group_id = ? and user_id = ?", [qa, ALICE]
    )
    assert members == []


def test_a_big_group_pages_its_people_and_finds_people_to_assign(console):
    qa = "00gsonarqa0000000002"
    db = console.db()
    try:
        for n in range(450):
            login = f"member{n:03d}@example.com"
            profile = {"login": login, "email": login, "firstName": "Member", "lastName": f"{n}"}
            user = reactions.create_user(db, clock.now(db), {"profile": profile}, activate=True)
            if n < 440:
                reactions.add_user_to_group(db, clock.now(db), qa, user["id"])
    finally:
        db.conn.close()
    pages = people_pages(console, f"/admin/group/{qa}")
    members = console.query("select distinct user_id from group_members where group_id = ?", [qa])
    assert [len(page) for page in pages] == [200, 200, len(members) - 400]
    assert sorted(i for page in pages for i in page) == sorted(row["user_id"] for row in members)
    found = console.text(f"/admin/group/{qa}?find=member44")
    offered = re.findall(r'<option value="00u[^"]+">([^<]+)</option>', found)
    assert offered == [f"Member {n} (member{n}@example.com)" for n in range(440, 450)]
    assert re.findall(r"<option value=\"00u", console.text(f"/admin/group/{qa}?find=nobody")) == []


def test_group_rules_deactivate_and_activate(console):
    text = visible_text(console.text("/admin/groups/rules"))
    assert "Engineering department" in text
    assert 'user.department == "Engineering"' in text
    assert "engineering" in text
    rule = "0prengineeringdept01"
    console.post(f"/admin/groups/rules/{rule}/deactivate")
    assert console.query("select status from group_rules")[0]["status"] == "INACTIVE"
    console.post(f"/admin/groups/rules/{rule}/activate")
    assert console.query("select status from group_rules")[0]["status"] == "ACTIVE"


def test_the_groups_list_pages_through_every_group(console):
    db = console.db()
    try:
        for n in range(205):
            reactions.create_group(db, clock.now(db), {"name": f"team-{n:03d}"})
    finally:
        db.conn.close()

    first = console.text("/admin/groups")
    assert "team-000" in first
    assert "team-204" not in first
    second = console.text(next_page(first))
    assert "team-204" in second
    assert "team-000" not in second
    searched = console.text("/admin/groups?q=team-20")
    assert "team-204" in searched
    assert 'rel="next"' not in searched
