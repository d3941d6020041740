"""Whole-state operations of the control plane: fixtures, export, import, wipe.

Each app keeps its state in SQLite tables with an `internal_properties(kee, value)` table;
the fixture last seeded is remembered there so that `/_mock/reset` can return to it.
"""

import json
import re
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from . import snapshots
from .db import atomic, user_tables

_FIXTURE_KEY = "mock.fixture"
_VARIABLE = re.compile(r"\$\{([A-Z_]+)\}")


class InvalidState(ValueError):
    """An imported state that does not fit the schema; nothing was changed."""


def substitute(value: Any, variables: dict[str, str]) -> Any:
    """Replace `${NAME}` in every string of a fixture (e.g. ${SONAR_URL})."""
    if isinstance(value, str):
        return _VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [substitute(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, variables) for k, v in value.items()}
    return value


def remember_fixture(db: Database, fixture: dict, variables: dict[str, str]) -> None:
    """Keep the fixture and its variables for a later reset."""
    db["internal_properties"].upsert(
        {"kee": _FIXTURE_KEY, "value": json.dumps({"fixture": fixture, "variables": variables})},
        pk="kee",
    )


def loaded_fixture(db: Database) -> tuple[dict, dict[str, str]] | None:
    """The fixture and variables last seeded, if any."""
    record = _fixture_record(db)
    if record is None:
        return None
    data = json.loads(record)
    return data["fixture"], data["variables"]


def _fixture_record(db: Database) -> str | None:
    rows = list(db.query("select value from internal_properties where kee = ?", [_FIXTURE_KEY]))
    return rows[0]["value"] if rows else None


def wipe(db: Database) -> None:
    """Delete every row of every state table."""
    with atomic(db):
        db.execute("PRAGMA defer_foreign_keys = ON")
        for table in user_tables(db):
            db.execute(f"delete from [{table}]")


def reset(db: Database, now: datetime, seed: Callable, bootstrap: Callable) -> None:
    """Back to the fixture loaded last (or to the bootstrap state when none was), atomically.

    The first reset after a seed seeds again and keeps a snapshot of the result; later ones
    copy that snapshot back. The timestamps a reset leaves are therefore those of the first
    seed, not `now`: the rows are otherwise the same as a new seed would write.
    """
    record = _fixture_record(db)
    snapshot_label = snapshots.label(db, record)
    with atomic(db):
        if snapshots.restore(db, snapshot_label):
            return
        wipe(db)
        if record is not None:
            loaded = json.loads(record)
            seed(db, now, loaded["fixture"], loaded["variables"])
        else:
            bootstrap(db, now)
        snapshots.take(db, snapshot_label)


def reseed(
    db: Database, now: datetime, seed: Callable, fixture: dict, variables: dict[str, str]
) -> None:
    """Replace the whole state with a fixture (remembered for later resets), atomically."""
    with atomic(db):
        wipe(db)
        seed(db, now, fixture, variables)
        snapshots.take(db, snapshots.label(db, _fixture_record(db)))


def export_state(db: Database) -> dict[str, list[dict]]:
    """Every state table as JSON-ready rows."""
    return {table: list(db[table].rows) for table in user_tables(db)}


def import_state(db: Database, state: Any) -> None:
    """Replace the whole state with an export, atomically; refuse unknown tables or columns."""
    if not isinstance(state, dict):
        raise InvalidState("The state must be a JSON object of tables")
    known = set(user_tables(db))
    for table, rows in state.items():
        if table not in known:
            raise InvalidState(f"Unknown table '{table}'")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise InvalidState(f"Table '{table}' must be a list of objects")
        unknown = {column for row in rows for column in row} - set(db[table].columns_dict)
        if unknown:
            raise InvalidState(f"Unknown columns in '{table}': {sorted(unknown)}")
    try:
        with atomic(db):
            wipe(db)
            # Foreign keys are checked at commit, so tables can be filled in any order.
            for table in sorted(known):
                if state.get(table):
                    db[table].insert_all(state[table])
    except (sqlite3.Error, OverflowError) as error:  # OverflowError: an integer beyond 64 bits
        raise InvalidState(f"Invalid state: {error}") from error
