"""A copy of the freshly seeded state, kept in the database itself, so that a reset is a copy
back (milliseconds) rather than a new seed (hundreds of milliseconds: password hashes, keys,
the domain rules of every fixture row).

The copy lives in `_snapshot__{table}` tables next to the state tables (names starting with `_`
are not state: exports, imports and wipes skip them). It is labelled with what it was made
from — the fixture last seeded and the schema's migrations — and is used only while both still
match, so a new fixture, an imported state that names another fixture, or a migration makes
the next reset seed again and keep a new copy. Living in the file, it serves every process
that opens the database (`mock-okta reset` as well as `/_mock/reset`) and survives restarts.
"""

import hashlib

from sqlite_utils import Database

from .db import atomic, user_tables

_PREFIX = "_snapshot__"
_LABEL_TABLE = "_snapshot_label"


def label(db: Database, fixture_record: str | None) -> str:
    """What a snapshot of the current state stands for: the seeded fixture's stored record
    (None: the bootstrap state) and the migrations the schema has had."""
    migrations = ",".join(
        row["name"] for row in db.query("select name from _migrations order by name")
    )
    digest = hashlib.sha256(f"{fixture_record}\n{migrations}".encode())
    return digest.hexdigest()


def take(db: Database, snapshot_label: str) -> None:
    """Keep a copy of every state table, labelled, replacing any earlier copy."""
    with atomic(db):
        _drop(db)
        for table in user_tables(db):
            db.execute(f"create table [{_PREFIX}{table}] as select * from [{table}]")
        db.execute(f"create table [{_LABEL_TABLE}] (label text not null)")
        db.execute(f"insert into [{_LABEL_TABLE}] (label) values (?)", [snapshot_label])


def restore(db: Database, snapshot_label: str) -> bool:
    """Copy the snapshot back over the state tables if it carries `snapshot_label`; False
    (nothing changed) when there is none or it stands for something else."""
    if _LABEL_TABLE not in db.table_names():
        return False
    row = next(db.query(f"select label from [{_LABEL_TABLE}]"), None)
    if row is None or row["label"] != snapshot_label:
        return False
    kept = {name.removeprefix(_PREFIX) for name in db.table_names() if name.startswith(_PREFIX)}
    with atomic(db):
        db.execute("PRAGMA defer_foreign_keys = ON")  # checked at commit: any table order
        for table in user_tables(db):
            db.execute(f"delete from [{table}]")
            if table in kept:  # a table made after the snapshot was empty then
                db.execute(f"insert into [{table}] select * from [{_PREFIX}{table}]")
    return True


def discard(db: Database) -> None:
    """Forget the snapshot (the next reset seeds again)."""
    with atomic(db):
        _drop(db)


def _drop(db: Database) -> None:
    for table in db.table_names():
        if table.startswith(_PREFIX) or table == _LABEL_TABLE:
            db.execute(f"drop table [{table}]")
