"""The administrators' operations of the domain, on a database of their own: each one is a
single transaction, so a refusal half-way leaves nothing changed."""

import pytest

from mock_common.db import connect, migrate
from mock_sonar import clock
from mock_sonar.accounts import (
    group_admin,
    groups,
    management,
    memberships,
    sessions,
    tokens,
    user_admin,
    users,
)
from mock_sonar.accounts.bootstrap import bootstrap
from mock_sonar.errors import BadRequest, ManagedInstance, NotFound
from mock_sonar.storage.migrations import MIGRATIONS

PASSWORD = "Str0ng-Passw0rd!"


@pytest.fixture
def db():
    database = connect(":memory:")
    migrate(database, MIGRATIONS)
    bootstrap(database, clock.now(database))
    yield database
    database.conn.close()


def create(db, login: str) -> dict:
    return user_admin.create_user(
        db, clock.now(db), login=login, name=login.title(), password=PASSWORD
    )


def test_a_patch_refused_half_way_changes_nothing(db):
    jane, _ = create(db, "jane"), create(db, "bob")
    with pytest.raises(BadRequest, match="A user with login 'bob' already exists"):
        user_admin.patch_user(db, clock.now(db), jane["uuid"], {"name": "Jane Doe", "login": "bob"})
    assert users.get_user(db, jane["uuid"])["name"] == "Jane"


def test_a_password_change_ends_every_session_and_can_open_a_new_one(db):
    jane = create(db, "jane")
    old, _ = sessions.create_session(db, clock.now(db), jane["uuid"])
    value, xsrf = user_admin.change_password(
        db, clock.now(db), "jane", "New-Passw0rd-2!", previous_password=PASSWORD, open_session=True
    )
    assert sessions.find_session(db, clock.now(db), old) is None
    assert sessions.find_session(db, clock.now(db), value)["xsrf_token"] == xsrf
    assert users.authenticate_password(db, "jane", "New-Passw0rd-2!") is not None


def test_a_refused_password_change_keeps_the_sessions(db):
    jane = create(db, "jane")
    value, _ = sessions.create_session(db, clock.now(db), jane["uuid"])
    with pytest.raises(BadRequest, match="old_password_incorrect"):
        user_admin.change_password(
            db, clock.now(db), "jane", "New-Passw0rd-2!", previous_password="wrong"
        )
    assert sessions.find_session(db, clock.now(db), value) is not None


def test_group_operations_are_refused_while_managed(db):
    create(db, "jane")
    group_admin.create_group(db, clock.now(db), "devs")

    management.enable_scim(db)
    with pytest.raises(ManagedInstance):
        group_admin.add_user(db, "devs", "jane")
    with pytest.raises(ManagedInstance):
        group_admin.create_group(db, clock.now(db), "ops")
    assert memberships.group_names(db, users.require_user(db, "jane")["uuid"]) == ["sonar-users"]
    assert groups.get_group_by_name(db, "ops") is None


def test_a_membership_is_added_once(db):
    jane = create(db, "jane")
    devs = group_admin.create_group(db, clock.now(db), "devs")
    row = group_admin.add_membership(db, jane["uuid"], devs["uuid"])
    with pytest.raises(BadRequest, match="User 'jane' is already a member of group 'devs'"):
        group_admin.add_membership(db, jane["uuid"], devs["uuid"])
    assert memberships.search_memberships(db, group_uuid=devs["uuid"]) == ([row], 1)


def test_missing_ids_read_null_as_the_v2_api_writes_them(db):
    with pytest.raises(NotFound, match="User 'null' not found"):
        group_admin.add_membership(db, None, None)


def test_tokens_of_fixtures_and_the_cli_need_an_active_user(db):
    jane = create(db, "jane")
    user_admin.deactivate_user(db, clock.now(db), jane["uuid"], actor_uuid="someone else")
    with pytest.raises(NotFound, match="User 'jane' doesn't exist"):
        tokens.seed_token(db, clock.now(db), "jane", name="ci")
