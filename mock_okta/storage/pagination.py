"""Okta's cursor paging: `after` is the id of the last item of the previous page.

Rows are kept in creation order (`seq`), so a cursor stays valid while rows are added.
"""

import re

from sqlite_utils import Database

from mock_okta.errors import ApiValidationFailed

_INTEGER = re.compile(r"[+-]?[0-9]{1,12}")
_INT_MAX = 2**31 - 1
#: An index lookup that finds at most this many rows is sorted by creation order; beyond, a
#: walk in creation order finds a page sooner (a broad prefix such as `q=a`).
NARROW_ROWS = 1000


def next_seq(db: Database, table: str) -> int:
    """The creation-order number for a new row of a table."""
    return next(db.query(f"select coalesce(max(seq), 0) + 1 as n from [{table}]"))["n"]


def parse_limit(raw: str | None, *, default: int, maximum: int) -> int:
    """`limit`: the documented default when absent, capped at the documented maximum."""
    if raw is None or raw == "":
        return default
    # Digits only, as Java's Integer.parseInt reads them (Python's int() also takes spaces,
    # underscores and other scripts' digits); beyond a Java int is no integer either.
    if not _INTEGER.fullmatch(raw) or abs(int(raw)) > _INT_MAX:
        raise ApiValidationFailed("limit", [f"limit: The value '{raw}' is not a valid integer"])
    value = int(raw)
    if value < 1:
        raise ApiValidationFailed("limit", ["limit: must be greater than 0"])
    return min(value, maximum)


def page(
    db: Database,
    *,
    table: str,
    id_column: str = "id",
    where: list[str],
    params: dict,
    after: str | None,
    limit: int,
    narrow: list[str] | None = None,
) -> tuple[list[dict], str | None]:
    """Rows after the cursor, in creation order; returns the rows and the next cursor (or None).

    `narrow` is the same condition written so an index can answer it; it is used when it
    selects at most NARROW_ROWS rows (SQLite's planner cannot tell, it has no statistics).
    """
    if narrow is not None and _at_most(db, table, narrow, params, NARROW_ROWS):
        where = narrow
    clauses = list(where)
    if after:
        cursor = f"(select seq from [{table}] where {id_column} = :_after)"
        clauses.append(f"seq > coalesce({cursor}, 0)")
        params = {**params, "_after": after}
    clause = " and ".join(clauses) or "1 = 1"
    rows = list(
        db.query(
            f"select * from [{table}] where {clause} order by seq limit :_limit",
            {**params, "_limit": limit + 1},
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1][id_column] if more and rows else None)


def _at_most(db: Database, table: str, where: list[str], params: dict, count: int) -> bool:
    """Whether at most `count` rows meet the condition (reading at most count + 1)."""
    clause = " and ".join(where) or "1 = 1"
    sql = f"select count(*) as n from (select 1 from [{table}] where {clause} limit :_cap)"
    return next(db.query(sql, {**params, "_cap": count + 1}))["n"] <= count
