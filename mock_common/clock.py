"""The simulator's clock: real time, optionally frozen or shifted through /_mock/clock.

The offset lives in the database (table `internal_properties(kee, value)`, which each app's
schema has) so that every process and request sees the same time.
"""

import json
from datetime import UTC, datetime, timedelta

from sqlite_utils import Database

_KEY = "mock.clock"


def now(db: Database) -> datetime:
    """The current simulated time (UTC)."""
    row = _row(db)
    if row is None:
        return datetime.now(UTC)
    if row.get("frozen_at"):
        return datetime.fromisoformat(row["frozen_at"])
    return datetime.now(UTC) + timedelta(seconds=row.get("offset_seconds", 0))


def set_clock(db: Database, *, frozen_at: datetime | None, offset_seconds: float = 0) -> None:
    """Freeze the clock at a time, or run it with an offset from real time."""
    value = {
        "frozen_at": frozen_at.isoformat() if frozen_at else None,
        "offset_seconds": offset_seconds,
    }
    db["internal_properties"].upsert({"kee": _KEY, "value": json.dumps(value)}, pk="kee")


def advance(db: Database, seconds: float) -> datetime:
    """Move the clock forward, frozen or not, and return the new time."""
    row = _row(db) or {}
    if row.get("frozen_at"):
        set_clock(db, frozen_at=now(db) + timedelta(seconds=seconds))
    else:
        set_clock(db, frozen_at=None, offset_seconds=row.get("offset_seconds", 0) + seconds)
    return now(db)


def _row(db: Database) -> dict | None:
    rows = list(db.query("select value from internal_properties where kee = ?", [_KEY]))
    return json.loads(rows[0]["value"]) if rows else None


class InvalidClockCommand(ValueError):
    """A `/_mock/clock` body that cannot be applied; nothing was changed."""

    def __init__(self, field: str, problem: str):
        self.field, self.problem = field, problem
        super().__init__(f"{field}: {problem}")


#: The simulated time stays within these years. Guess (the real products have no such control):
#: the apps add days, months and token windows to it, and Python's dates end with 9999.
EARLIEST, LATEST = datetime(1970, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC)


def apply_command(db: Database, command: dict) -> datetime:
    """Apply `{"freeze": iso | null}`, `{"unfreeze": true}`, `{"advanceSeconds": n}` (in that
    order, any combination) and return the new time."""
    if "freeze" in command:
        try:
            moment = datetime.fromisoformat(command["freeze"]) if command["freeze"] else now(db)
        except (TypeError, ValueError) as error:
            raise InvalidClockCommand("freeze", "must be an ISO-8601 date-time") from error
        # A time without an offset is UTC: every time the apps compare carries one.
        set_clock(db, frozen_at=moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    if command.get("unfreeze"):
        set_clock(db, frozen_at=None)
    if "advanceSeconds" in command:
        seconds = command["advanceSeconds"]
        if not isinstance(seconds, int | float) or isinstance(seconds, bool):
            raise InvalidClockCommand("advanceSeconds", "must be a number")
        try:
            advance(db, seconds)
        except (OverflowError, ValueError) as error:  # beyond datetime's years 1-9999, or NaN
            raise InvalidClockCommand("advanceSeconds", "moves the clock out of range") from error
    moment = now(db)
    if not EARLIEST <= moment < LATEST:
        field = "advanceSeconds" if "advanceSeconds" in command else "freeze"
        raise InvalidClockCommand(field, "moves the clock out of range")
    return moment
