"""Users API lookups through the profile indexes (migration 007) find the same users as a walk
in creation order: prefix ranges beside LIKE, and the choice between the two plans."""

from datetime import UTC, datetime

import pytest

from mock_common.db import atomic, connect
from mock_okta import init_db
from mock_okta.directory import users
from mock_okta.storage import pagination
from mock_okta.storage.filters import prefix_range

NAMES = ["Ada", "ada_x", "ADAM", "Adb", "Ad%m", "Zoë", "zoe", "Émile", "@home", "Bob"]


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "okta.sqlite3")
    init_db(path)
    database = connect(path)
    with atomic(database):
        for i, name in enumerate(NAMES):
            profile = {
                "login": f"u{i}@example.com",
                "email": f"u{i}@example.com",
                "firstName": name,
                "lastName": f"Last{i}",
            }
            users.create_user(database, datetime.now(UTC), {"profile": profile})
    yield database
    database.conn.close()


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("Ab%", ("ab", "ac")),
        ("Ab_c%", ("ab", "ac")),
        ("%ab%", None),
        ("_b%", None),
        ("Q@%", ("q@", "qA")),
        ("é%", ("é", "ê")),
        ("a\U0010ffff%", ("a\U0010ffff", None)),
        ("a\ud7ff%", ("a\ud7ff", "a\ue000")),
    ],
)
def test_prefix_range(pattern, expected):
    assert prefix_range(pattern) == expected


QUERIES = [
    {"q": "ad"},
    {"q": "Ad_"},
    {"q": "ZO"},
    {"q": "é"},
    {"q": "É"},
    {"q": "@"},
    {"q": "%m"},
    {"search": 'profile.firstName sw "ad"'},
    {"search": 'profile.firstName sw "AD%M"'},
    {"search": 'not (profile.firstName sw "a")'},
    {"search": 'profile.firstName eq "ADA" or profile.lastName sw "last1"'},
    {"filter_": 'profile.firstName eq "zoe"'},
]


@pytest.mark.parametrize("query", QUERIES)
def test_index_and_walk_find_the_same_users(db, monkeypatch, query):
    by_index = users.list_users(db, **query)
    monkeypatch.setattr(pagination, "NARROW_ROWS", 0)
    by_walk = users.list_users(db, **query)
    assert [u["id"] for u in by_index[0]] == [u["id"] for u in by_walk[0]]
    assert by_index[1] == by_walk[1]


def test_q_pages_in_creation_order_through_the_index(db):
    everyone, _ = users.list_users(db, q="ad")
    first, cursor = users.list_users(db, q="ad", limit=2)
    second, _ = users.list_users(db, q="ad", limit=2, after=cursor)
    assert [u["id"] for u in first + second] == [u["id"] for u in everyone[:4]]
    assert [u["seq"] for u in everyone] == sorted(u["seq"] for u in everyone)
    assert {"Ada", "ada_x", "ADAM", "Adb", "Ad%m"} <= {
        users.profile_of(u)["firstName"] for u in everyone
    }
