"""Loading the `sonar` part of a fixture through the domain layer, and resetting to it."""

import json
import re
import sqlite3
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from mock_common.db import atomic, user_tables

from . import groups, management, settings, users
from .bootstrap import bootstrap
from .errors import BadRequest
from .passwords import hash_password

_FIXTURE_KEY = "mock.fixture"
_VARIABLE = re.compile(r"\$\{([A-Z_]+)\}")


def substitute(value: Any, variables: dict[str, str]) -> Any:
    """Replace `${NAME}` in every string of a fixture (e.g. ${SONAR_URL})."""
    if isinstance(value, str):
        return _VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    return value


def seed(db: Database, now: datetime, fixture: dict, variables: dict[str, str]) -> None:
    """Apply a fixture's `sonar` section on top of the bootstrap state, in one transaction."""
    part = substitute(fixture.get("sonar", {}), variables)
    with atomic(db):
        bootstrap(db, now)
        for key, value in part.get("settings", {}).items():
            settings.set_value(db, key, value)
        for group in part.get("groups", []):
            if groups.get_group_by_name(db, group["name"]) is None:
                groups.create_group(db, now, group["name"], group.get("description"))
        for user in part.get("users", []):
            _seed_user(db, now, user)
        if "admin" in part:
            _seed_admin(db, part["admin"])
        if part.get("scim", {}).get("enabled"):
            management.enable_scim(db)
        settings.set_internal(
            db, _FIXTURE_KEY, json.dumps({"fixture": fixture, "variables": variables})
        )


def _seed_user(db: Database, now: datetime, spec: dict) -> None:
    provider = spec.get("externalProvider", users.SONARQUBE_PROVIDER)
    if provider == users.SONARQUBE_PROVIDER:
        user = users.create_local_user(
            db,
            now,
            login=spec["login"],
            name=spec["name"],
            email=spec.get("email"),
            password=spec.get("password"),
            local=spec.get("local", True),
        )
    else:
        user = users.create_external_user(
            db,
            now,
            name=spec["name"],
            email=spec.get("email"),
            provider=provider,
            external_id=spec["externalIdentity"],
            login_seed=spec["name"],
        )
        if "login" in spec:
            db["users"].update(user["uuid"], {"login": spec["login"]})
    for name in spec.get("groups", []):
        groups.add_member(db, groups.require_group(db, name), user["uuid"])


def _seed_admin(db: Database, spec: dict) -> None:
    admin = users.require_user(db, "admin")
    changes = {"reset_password": int(spec.get("resetPassword", True))}
    if "password" in spec:
        changes["password_hash"] = hash_password(spec["password"])
    db["users"].update(admin["uuid"], changes)


def loaded_fixture(db: Database) -> tuple[dict, dict[str, str]] | None:
    """The fixture and variables last seeded, if any."""
    raw = settings.get_internal(db, _FIXTURE_KEY)
    if raw is None:
        return None
    data = json.loads(raw)
    return data["fixture"], data["variables"]


def wipe(db: Database) -> None:
    """Delete every row of every state table."""
    with atomic(db):
        db.execute("PRAGMA defer_foreign_keys = ON")
        for table in user_tables(db):
            db.execute(f"delete from [{table}]")


def reset(db: Database, now: datetime) -> None:
    """Back to the loaded fixture (or to a fresh instance when none was loaded)."""
    loaded = loaded_fixture(db)
    with atomic(db):
        wipe(db)
        if loaded:
            seed(db, now, *loaded)
        else:
            bootstrap(db, now)


def export_state(db: Database) -> dict[str, list[dict]]:
    """Every state table as JSON-ready rows."""
    return {table: list(db[table].rows) for table in user_tables(db)}


def import_state(db: Database, state: Any) -> None:
    """Replace the whole state with an export, atomically; refuse unknown tables or columns."""
    if not isinstance(state, dict):
        raise BadRequest("The state must be a JSON object of tables")
    known = set(user_tables(db))
    for table, rows in state.items():
        if table not in known:
            raise BadRequest(f"Unknown table '{table}'")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise BadRequest(f"Table '{table}' must be a list of objects")
        columns = set(db[table].columns_dict)
        for row in rows:
            if set(row) - columns:
                raise BadRequest(f"Unknown columns in '{table}': {sorted(set(row) - columns)}")
    try:
        with atomic(db):
            wipe(db)
            for table in _insert_order(known):
                if state.get(table):
                    db[table].insert_all(state[table])
    except sqlite3.Error as error:
        raise BadRequest(f"Invalid state: {error}") from error


def _insert_order(tables: set[str]) -> list[str]:
    # Parents before children so foreign keys hold at every insert.
    first = ["users", "groups"]
    return [t for t in first if t in tables] + sorted(tables - set(first))
