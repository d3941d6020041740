"""Who counts as another active administrator (the last-administrator rules rest on it)."""

import pytest

from mock_common.db import connect, migrate
from mock_sonar import clock
from mock_sonar.accounts import deactivation, groups, memberships, permissions, users
from mock_sonar.accounts.bootstrap import bootstrap
from mock_sonar.storage.migrations import MIGRATIONS


@pytest.fixture
def db():
    database = connect(":memory:")
    migrate(database, MIGRATIONS)
    bootstrap(database, clock.now(database))
    return database


def _user(db, login: str) -> dict:
    return users.create_local_user(
        db, clock.now(db), login=login, name=login.title(), password="Passw0rd-Passw0rd!"
    )


def test_the_bootstrap_admin_alone_has_no_other_administrator(db):
    admin = users.require_user(db, "admin")
    assert permissions.has_other_active_administrator(db, admin["uuid"]) is False
    assert permissions.has_other_active_administrator(db, _user(db, "jane")["uuid"]) is True


def test_a_user_holding_admin_directly_counts(db):
    boss = _user(db, "boss")
    db.execute(
        "insert into user_permissions (user_uuid, permission) values (?, 'admin')", [boss["uuid"]]
    )
    admin = users.require_user(db, "admin")
    assert permissions.has_other_active_administrator(db, admin["uuid"]) is True


def test_a_deactivated_administrator_does_not_count(db):
    boss = _user(db, "boss")
    memberships.add_member(db, groups.require_group(db, "sonar-administrators"), boss["uuid"])
    admin = users.require_user(db, "admin")
    assert permissions.has_other_active_administrator(db, admin["uuid"]) is True
    deactivation.deactivate_user(db, clock.now(db), boss)
    assert permissions.has_other_active_administrator(db, admin["uuid"]) is False


def test_a_user_who_is_no_administrator_is_deactivated_whoever_else_is(db):
    jane = _user(db, "jane")
    assert deactivation.deactivate_user(db, clock.now(db), jane)["active"] in (0, False)
