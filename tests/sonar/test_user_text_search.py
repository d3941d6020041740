"""The users' trigram index (migration 005) picks the same users as SonarQube's LIKE
'%text%', and its triggers follow every change to the users."""

from datetime import UTC, datetime

import pytest

from mock_common.db import connect
from mock_sonar import init_db
from mock_sonar.accounts import users
from mock_sonar.storage import text_search

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PEOPLE = [
    ("ada", "Ada Lovelace", "ada@example.com"),
    ("grace", "Grace HOPPER", "grace@navy.mil"),
    ("o_brien", "Flann O'Brien", None),
    ("pct", "100% Done", "pct@example.com"),
    ("quote", 'Say "hi"', "q@example.com"),
    ("zoe", "Zoë Ångström", "zoe@example.com"),
    ("slash", "a/b c", "s@example.com"),
]


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "sonar.sqlite3")
    init_db(path)
    database = connect(path)
    for login, name, email in PEOPLE:
        users.create_local_user(database, NOW, login=login, name=name, email=email, local=False)
    yield database
    database.conn.close()


def logins(db, query: str) -> list[str]:
    rows, total = users.search_users(db, query=query, page_size=100)
    assert total == len(rows)
    return [row["login"] for row in rows]


@pytest.mark.parametrize(
    "query",
    [
        *("lov", "LOVELACE", "hopper", "example.com", "O'B", "o_b", "0% ", 'y "h', "ZOË", "Zoë"),
        *("ngs", "a/b", "/b ", "nobody", "ad", "a", "mil", "q@e", "a\x00b", '"', '""', "*"),
        "ada OR",
    ],
)
def test_index_and_scan_find_the_same_users(db, monkeypatch, query):
    through_index = logins(db, query)
    monkeypatch.setattr(text_search, "NARROW_ROWS", -1)
    assert logins(db, query) == through_index


def test_the_index_is_used_for_a_narrow_search(db):
    condition, params = text_search.users_containing(db, "hopper")
    assert "_users_text match" in condition
    assert params["q_text"] == '"hopper"'


def test_short_text_is_searched_without_the_index(db):
    condition, _ = text_search.users_containing(db, "ho")
    assert "_users_text" not in condition


def test_the_index_follows_renames_and_deletions(db):
    grace = users.get_user_by_login(db, "grace")
    users.update_user(db, NOW, grace, name="Grace Brewster Murray", email="gbm@example.com")
    assert logins(db, "hopper") == []
    assert logins(db, "brewster") == ["grace"]
    db.execute("delete from users where login = 'grace'")
    assert logins(db, "brewster") == []
    count = next(db.query("select count(*) as n from _users_text"))["n"]
    assert count == next(db.query("select count(*) as n from users"))["n"]
