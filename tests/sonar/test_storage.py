"""Storage and domain rules on a database of their own, without HTTP."""

import pytest

from mock_common.db import atomic, connect, migrate
from mock_sonar import clock
from mock_sonar.accounts import groups, memberships, users
from mock_sonar.accounts.bootstrap import bootstrap
from mock_sonar.errors import BadRequest
from mock_sonar.storage.migrations import MIGRATIONS


@pytest.fixture
def db():
    database = connect(":memory:")
    migrate(database, MIGRATIONS)
    bootstrap(database, clock.now(database))
    yield database
    database.conn.close()


def test_migrations_apply_once(db):
    assert migrate(db, MIGRATIONS) == []


def test_bootstrap_state(db):
    admin = users.get_user_by_login(db, "admin")
    assert admin["name"] == "Administrator"
    assert admin["reset_password"] == 1
    assert memberships.group_names(db, admin["uuid"]) == ["sonar-administrators", "sonar-users"]
    assert users.authenticate_password(db, "admin", "admin") is not None
    assert admin["password_hash"].startswith("pbkdf2:sha512:")


def _create_twice(db, name: str) -> None:
    now = clock.now(db)
    with atomic(db):
        groups.create_group(db, now, name)
        groups.create_group(db, now, name)


def test_atomic_rolls_back_every_write_of_a_failed_change(db):
    with pytest.raises(BadRequest):
        _create_twice(db, "first")
    assert groups.get_group_by_name(db, "first") is None


def test_nested_atomic_blocks_commit_once(db):
    now = clock.now(db)
    with atomic(db):
        groups.create_group(db, now, "outer")
        with atomic(db):
            groups.create_group(db, now, "inner")
    assert groups.get_group_by_name(db, "inner") is not None


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("jane.doe@example.com", "jane-doe-example-com"),
        ("Émile Zola", "emile-zola"),
        ("BLA@BLUBB.DE", "bla-blubb-de"),
        ("  --x--  ", "x"),
    ],
)
def test_slugify(text, slug):
    assert users.slugify(text) == slug


def test_generated_logins_are_slug_plus_number(db):
    login = users.generate_login(db, "jane.doe@example.com")
    assert login.startswith("jane-doe-example-com")
    assert 0 <= int(login.removeprefix("jane-doe-example-com")) < 100_000


@pytest.mark.parametrize(
    ("login", "message"),
    [
        ("a", "Login is too short (minimum is 2 characters)"),
        ("x" * 256, "Login is too long (maximum is 255 characters)"),
        ("-bad", "Use only letters, numbers, and .-_@ please."),
        ("", "Login can't be empty"),
    ],
)
def test_login_rules(db, login, message):
    with pytest.raises(BadRequest) as error:
        users.create_local_user(db, clock.now(db), login=login, name="N", password="p")
    assert error.value.messages == [message]


def test_state_survives_reopening(tmp_path):
    path = tmp_path / "state.sqlite3"
    first = connect(path)
    migrate(first, MIGRATIONS)
    bootstrap(first, clock.now(first))
    groups.create_group(first, clock.now(first), "kept")
    first.conn.close()
    second = connect(path)
    assert groups.get_group_by_name(second, "kept") is not None
    assert second.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    second.conn.close()
