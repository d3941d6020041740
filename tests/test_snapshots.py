"""Resets copy back a snapshot of the seeded state, only while it stands for that state."""

import json

import pytest

from mock_common import clock, snapshots, state
from mock_common.db import connect, migrate
from mock_sonar import fixtures as sonar_fixtures
from mock_sonar.storage.migrations import MIGRATIONS

FIXTURE = {"sonar": {"users": [{"login": "alice", "name": "Alice", "password": "Secret123!"}]}}


@pytest.fixture
def db(tmp_path):
    database = connect(tmp_path / "sonar.sqlite3")
    migrate(database, MIGRATIONS)
    yield database
    database.conn.close()


def logins(db) -> list[str]:
    return [row["login"] for row in db.query("select login from users order by login")]


def seed(db, fixture=FIXTURE) -> None:
    state.reseed(db, clock.now(db), sonar_fixtures.seed, fixture, {})


def test_reset_copies_the_seeded_state_back(db):
    seed(db)
    db.execute("delete from users where login = 'alice'")
    db.execute("insert into internal_properties (kee, value) values ('extra', 'x')")

    sonar_fixtures.reset(db, clock.now(db))

    assert logins(db) == ["admin", "alice"]
    assert not list(db.query("select * from internal_properties where kee = 'extra'"))


def test_reset_after_a_new_seed_returns_to_the_new_fixture(db):
    seed(db)
    other = {"sonar": {"users": [{"login": "bob", "name": "Bob", "password": "Secret123!"}]}}
    seed(db, other)

    sonar_fixtures.reset(db, clock.now(db))

    assert logins(db) == ["admin", "bob"]


def test_an_imported_state_of_another_fixture_is_not_reset_to_the_snapshot(db):
    seed(db)
    exported = state.export_state(db)
    other = {"sonar": {"users": [{"login": "carol", "name": "Carol", "password": "Secret123!"}]}}
    seed(db, other)
    state.import_state(db, exported)  # names the first fixture again
    db.execute("delete from users where login = 'alice'")

    sonar_fixtures.reset(db, clock.now(db))

    assert logins(db) == ["admin", "alice"]


def test_a_snapshot_stands_only_for_its_fixture_and_schema(db):
    seed(db)
    record = json.dumps({"fixture": FIXTURE, "variables": {}})
    assert snapshots.restore(db, snapshots.label(db, record)) is True
    assert snapshots.restore(db, snapshots.label(db, "another fixture")) is False
    db.execute("insert into _migrations (name, applied_at) values ('m999_later', 'now')")
    assert snapshots.restore(db, snapshots.label(db, record)) is False


def test_snapshot_tables_are_not_state(db):
    seed(db)
    sonar_fixtures.reset(db, clock.now(db))

    assert not [table for table in state.export_state(db) if table.startswith("_")]
    assert "_snapshot__users" in db.table_names()


def test_without_a_fixture_reset_returns_to_the_bootstrap_state(db):
    sonar_fixtures.reset(db, clock.now(db))
    db.execute("delete from users where login = 'admin'")

    sonar_fixtures.reset(db, clock.now(db))

    assert logins(db) == ["admin"]
