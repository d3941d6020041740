"""Admin Console lists past one page: People, an app's Assignments and the Assign to People
dialog page by cursor ("Next page", "First page") and narrow with their search box."""

import json
from datetime import UTC, datetime

import pytest

from mock_common.db import atomic
from mock_okta.applications import assignments
from mock_okta.console import assignments as assignment_pages
from mock_okta.console import people
from mock_okta.directory import users
from tests.okta.console_helpers import (
    APP_ID,
    APP_URL,
    console_fixture,  # noqa: F401  (a fixture)
    next_page,
    people_pages,
    seeded_template,  # noqa: F401  (a fixture)
    user_ids,
)

MANY = 250  # beyond one page of 200


@pytest.fixture
def crowded(console):
    """The seeded org and MANY more people (Pager0000 … Pager0249), all assigned to the app."""
    db, now = console.db(), datetime.now(UTC)
    with atomic(db):
        for i in range(MANY):
            login = f"pager{i:04d}@example.com"
            profile = {"login": login, "email": login, "firstName": "Page", "lastName": f"R{i:04d}"}
            user = users.create_user(db, now, {"profile": profile})
            assignments.assign_user_to_application(
                db, now, APP_ID, {"id": user["id"], "scope": "USER"}
            )
    db.conn.close()
    return console


def flat(pages: list[list[str]]) -> list[str]:
    return [row for page in pages for row in page]


def test_people_pages_through_everyone(crowded):
    pages = people_pages(crowded, "/admin/users")
    assert [len(page) for page in pages[:-1]] == [people.PAGE_SIZE] * (len(pages) - 1)
    everyone = [row["id"] for row in crowded.query("select id from users order by seq")]
    assert flat(pages) == everyone
    assert "First page" in crowded.text(next_page(crowded.text("/admin/users")))


def test_people_search_narrows_and_pages_keep_it(crowded, monkeypatch):
    monkeypatch.setattr(people, "PAGE_SIZE", 7)
    pages = people_pages(crowded, "/admin/users?q=R012")
    found = [row["id"] for row in crowded.query("select id from users order by seq")]
    expected = [
        row["id"] for row in crowded.query("select id from users where login like 'pager012%'")
    ]
    assert flat(pages) == [i for i in found if i in expected]
    assert [len(page) for page in pages] == [7, 3]


def test_assignments_page_through_every_assigned_person(crowded):
    pages = people_pages(crowded, f"{APP_URL}?tab=assignments")
    assert len(pages) == 2
    assert len(pages[0]) == assignment_pages.PAGE_SIZE
    assigned = crowded.query(
        "select u.id, u.profile from app_users au join users u on u.id = au.user_id "
        "where au.app_id = ?",
        [APP_ID],
    )
    by_name = sorted(assigned, key=lambda row: (*name_of(row["profile"]), row["id"]))
    assert flat(pages) == [row["id"] for row in by_name]


def name_of(profile: str) -> tuple[str, str]:
    found = json.loads(profile)
    return found["firstName"].lower(), found["lastName"].lower()


def test_assignments_search_narrows(crowded):
    html = crowded.text(f"{APP_URL}?tab=assignments&q=pager0007")
    (only,) = user_ids(html)
    assert (
        only == crowded.query("select id from users where login = 'pager0007@example.com'")[0]["id"]
    )
    assert next_page(html) is None


def test_assign_to_people_dialog_searches_and_pages(crowded, monkeypatch):
    monkeypatch.setattr(assignment_pages, "PAGE_SIZE", 4)
    url = f"{APP_URL}?tab=assignments&assign=people&assign_q=pager000"
    first = crowded.text(url)
    dialog = first[first.index('data-testid="assign-people"') :]
    assert dialog.count("Assigned</button>") == 4
    second = crowded.text(next_page(dialog))
    dialog_two = second[second.index('data-testid="assign-people"') :]
    assert "pager0004@example.com" in dialog_two
    assert "pager0003@example.com" not in dialog_two
