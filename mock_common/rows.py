"""Single-statement row writes for the paths that run once per user or per event.

sqlite-utils' `table.insert()` and `table.update()` read the schema (`sqlite_master`,
`PRAGMA table_info`) and the row before each write; on the push engine's path that is most
of the statements an event runs. These write the same values in one statement. The callers'
values are already SQL values (text, numbers, None): nothing is converted.
"""

from collections.abc import Mapping

from sqlite_utils import Database


def insert_row(db: Database, table: str, row: Mapping[str, object]) -> int:
    """Insert one row; its rowid."""
    return db.execute(_insert(table, row), list(row.values())).lastrowid


def insert_row_returning(db: Database, table: str, row: Mapping[str, object]) -> dict:
    """Insert one row; the row as stored (with the columns' defaults), in the same statement."""
    cursor = db.execute(f"{_insert(table, row)} returning *", list(row.values()))
    stored = cursor.fetchone()
    return dict(zip((column[0] for column in cursor.description), stored, strict=True))


def _insert(table: str, row: Mapping[str, object]) -> str:
    columns = ", ".join(f"[{column}]" for column in row)
    marks = ", ".join("?" * len(row))
    return f"insert into [{table}] ({columns}) values ({marks})"


def update_rows(
    db: Database, table: str, where: Mapping[str, object], values: Mapping[str, object]
) -> int:
    """Set `values` on the rows whose columns equal `where`; how many rows matched."""
    assignments = ", ".join(f"[{column}] = ?" for column in values)
    condition = " and ".join(f"[{column}] = ?" for column in where)
    sql = f"update [{table}] set {assignments} where {condition}"
    return db.execute(sql, [*values.values(), *where.values()]).rowcount
