"""Administration > Security > Users past one page: "Show More" grows the list by 50 up to 500,
"Next page" and "Previous page" read a long list 50 (or `ps`) at a time, search narrows."""

import re
from datetime import UTC, datetime

import pytest

from mock_common.db import atomic, connect
from mock_sonar.accounts import users
from tests.sonar.ui_helper import open_session

MANY = 120


@pytest.fixture
def crowded(sonar_app, sonar):
    """A fresh instance with MANY more users (user000 … user119), the admin signed in."""
    db = connect(sonar_app.config["DATABASE"])
    with atomic(db):
        for i in range(MANY):
            users.create_local_user(
                db,
                datetime.now(UTC),
                login=f"user{i:03d}",
                name=f"Paged User {i:03d}",
                email=f"user{i:03d}@example.com",
                local=False,
            )
    db.conn.close()
    return open_session(sonar_app, sonar, "admin")


def logins(page: str) -> list[str]:
    return re.findall(r'<tr data-login="([^"]+)"', page)


def link(page: str, rel: str) -> str | None:
    found = re.search(rf'rel="{rel}" href="([^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def test_the_first_page_shows_50_and_offers_more(crowded):
    page = crowded.text("/admin/users")
    assert logins(page) == ["admin"] + [f"user{i:03d}" for i in range(49)]
    assert "50 of 121 shown" in page
    assert "Show More" in page
    assert link(page, "prev") is None


def test_next_page_shows_the_next_ones(crowded):
    second = crowded.text(link(crowded.text("/admin/users"), "next"))
    assert logins(second) == [f"user{i:03d}" for i in range(49, 99)]
    assert "51\u2013100 of 121 shown" in second
    assert "Show More" not in second
    third = crowded.text(link(second, "next"))
    assert logins(third) == [f"user{i:03d}" for i in range(99, 120)]
    assert "101\u2013121 of 121 shown" in third
    assert link(third, "next") is None
    assert logins(crowded.text(link(third, "prev"))) == logins(second)


def test_show_more_grows_the_first_page(crowded):
    page = crowded.text("/admin/users?ps=100")
    assert len(logins(page)) == 100
    assert "100 of 121 shown" in page
    assert logins(crowded.text(link(page, "next"))) == [f"user{i:03d}" for i in range(99, 120)]


def test_search_narrows_and_pages_keep_it(crowded):
    page = crowded.text("/admin/users?q=User+10&ps=50")
    assert logins(page) == [f"user{i:03d}" for i in range(100, 110)]
    assert "10 of 10 shown" in page
    assert link(page, "next") is None


@pytest.mark.parametrize("p", ["0", "-1", "x", "٣", "99999999999999999999"])
def test_a_page_index_out_of_range_is_read_safely(crowded, p):
    response = crowded.get(f"/admin/users?p={p}")
    assert response.status_code == 200
