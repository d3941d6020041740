"""SQLite storage through sqlite-utils: connections, transactions and numbered migrations."""

import functools
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlite_utils import Database
from sqlite_utils.utils import dedupe_keys

from .clock import now as clock_now


class _Connection(sqlite3.Connection):
    """A connection whose commits are deferred while an `atomic()` block is open.

    sqlite-utils wraps each write in `with conn:`, which would commit half of a logical
    change; inside `atomic()` those inner commits are no-ops and the outer block decides.
    """

    atomic_depth = 0

    def commit(self) -> None:
        if self.atomic_depth == 0:
            super().commit()

    def __exit__(self, exc_type, exc, tb):  # type: ignore[override]
        if self.atomic_depth == 0:
            return super().__exit__(exc_type, exc, tb)
        return False


class _Database(Database):
    """sqlite-utils' Database, with plain SELECTs run directly.

    `Database.query` guards every statement with a savepoint (so that a statement that turns
    out not to return rows can be undone): three statements per query. A SELECT changes
    nothing, so it needs no guard; the rows come back exactly as `query` gives them.
    """

    def query(self, sql: str, params: Sequence | dict[str, Any] | None = None) -> Iterator[dict]:
        if sql.lstrip()[:6].lower() != "select" or self._tracer:
            return super().query(sql, params)
        cursor = self.conn.execute(sql, params if params is not None else ())
        keys = dedupe_keys(column[0] for column in cursor.description)
        return (dict(zip(keys, row, strict=True)) for row in cursor)


def connect(path: str | Path) -> Database:
    """Open the database in WAL mode with foreign keys on and autocommit outside `atomic()`."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path),
        factory=_Connection,
        isolation_level=None,
        timeout=10,
        check_same_thread=False,
    )
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 10000")
    if str(path) != ":memory:":
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    return _Database(conn)


@contextmanager
def atomic(db: Database) -> Iterator[Database]:
    """Run a block as one transaction; nested blocks join the outer one."""
    conn: _Connection = db.conn  # type: ignore[assignment]
    if conn.atomic_depth:
        conn.atomic_depth += 1
        try:
            yield db
        finally:
            conn.atomic_depth -= 1
        return
    conn.execute("BEGIN IMMEDIATE")
    conn.atomic_depth = 1
    try:
        yield db
    except BaseException:
        conn.atomic_depth = 0
        conn.rollback()
        raise
    conn.atomic_depth = 0
    conn.commit()


P = ParamSpec("P")
R = TypeVar("R")


def transactional(
    function: Callable[Concatenate[Database, P], R],
) -> Callable[Concatenate[Database, P], R]:
    """Run a domain function (whose first argument is the database) as one transaction.

    A call made while a transaction is open joins it, so a domain function that calls others
    commits all of their writes together, or none of them.
    """

    @functools.wraps(function)
    def in_transaction(db: Database, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with atomic(db):
            return function(db, *args, **kwargs)

    return in_transaction


Migration = Callable[[Database], None]


def migrate(db: Database, migrations: list[Migration]) -> list[str]:
    """Apply the numbered migrations not yet applied, each in its own transaction."""
    db.execute("create table if not exists _migrations (name text primary key, applied_at text)")
    done = {row["name"] for row in db.query("select name from _migrations")}
    applied = []
    for migration in migrations:
        if migration.__name__ in done:
            continue
        with atomic(db):
            migration(db)
            db.execute(
                "insert into _migrations (name, applied_at) values (?, datetime('now'))",
                [migration.__name__],
            )
        applied.append(migration.__name__)
    return applied


def select_page(
    db: Database,
    *,
    columns: str,
    source: str,
    where: list[str],
    params: dict,
    order_by: str,
    offset: int,
    limit: int,
) -> tuple[list[dict], int]:
    """One page of `select columns from source where ... order by ...`, and the total count.

    A page that is not full and not past the end is the last one: the total follows from it,
    and the count is not run (a lookup by name, the commonest list, is one statement)."""
    clause = " and ".join(where) or "1 = 1"
    rows = list(
        db.query(
            f"select {columns} from {source} where {clause} order by {order_by} "
            "limit :_limit offset :_offset",
            {**params, "_limit": limit, "_offset": offset},
        )
    )
    if len(rows) < limit and (rows or offset == 0):
        return rows, offset + len(rows)
    total = next(db.query(f"select count(*) as n from {source} where {clause}", params))["n"]
    return rows, total


def user_tables(db: Database) -> list[str]:
    """The tables that hold state (everything but the migration ledger and SQLite's own)."""
    return [t for t in db.table_names() if not t.startswith(("_", "sqlite_"))]


def init_database(
    path: str, migrations: list[Migration], bootstrap: Callable[[Database, datetime], object]
) -> None:
    """Create or migrate an app's database, then bootstrap it (a no-op when already done)."""
    db = connect(path)
    try:
        migrate(db, migrations)
        with atomic(db):
            bootstrap(db, clock_now(db))
    finally:
        db.conn.close()
