"""The outbox: the one place where changes that cause SCIM traffic are handed over for delivery.

The domain calls `enqueue` inside the transaction of the change that causes it, so an event
exists exactly when its change committed (a transactional outbox). The push engine
(`mock_okta.provisioning`) delivers them in order, per app; until an app's provisioning is
configured, its events simply wait. This module owns the `provisioning_events` table.
"""

import json
import time
from collections.abc import Collection
from datetime import datetime
from enum import StrEnum

from sqlite_utils import Database

from mock_common.db import transactional
from mock_common.rows import insert_row, update_rows


class EventGone(LookupError):
    """The event is no longer in the outbox: a reset replaced the state while it was being
    delivered. What its delivery would write belongs to a world that is gone."""


def _update(db: Database, event_id: int, values: dict) -> None:
    if not update_rows(db, "provisioning_events", {"id": event_id}, values):
        raise EventGone(event_id)


def require_event(db: Database, event_id: int) -> None:
    """EventGone unless the event is still in the outbox."""
    if db.execute("select 1 from provisioning_events where id = ?", [event_id]).fetchone() is None:
        raise EventGone(event_id)


class EventKind(StrEnum):
    """What Okta reacts to (reference/okta.md §5.8)."""

    USER_ASSIGNED = "USER_ASSIGNED"  # an app user appeared (directly or via a group)
    USER_UNASSIGNED = "USER_UNASSIGNED"  # the app user is gone
    USER_PROFILE_CHANGED = "USER_PROFILE_CHANGED"  # a mapped attribute of an app user changed
    USER_DEACTIVATED = "USER_DEACTIVATED"  # the Okta user was deactivated
    GROUP_MEMBERSHIP_CHANGED = "GROUP_MEMBERSHIP_CHANGED"  # a member of a pushed group changed
    GROUP_RENAMED = "GROUP_RENAMED"  # a pushed group's name changed
    PUSH_MAPPING_CREATED = "PUSH_MAPPING_CREATED"
    PUSH_MAPPING_ACTIVATED = "PUSH_MAPPING_ACTIVATED"
    PUSH_MAPPING_DELETED = "PUSH_MAPPING_DELETED"  # payload says whether to delete the target
    PUSH_NOW = "PUSH_NOW"  # Push Now: the full member list of a pushed group
    PROVISION_USER = "PROVISION_USER"  # Assignments > Provision User (assigned before enabling)


class EventStatus(StrEnum):
    """Where an event is: waiting to be sent, waiting for a retry, delivered, or given up."""

    PENDING = "PENDING"
    WAITING = "WAITING"  # a 429's Retry-After
    DONE = "DONE"
    FAILED = "FAILED"


#: Not yet delivered (failed events do not count: they wait for an admin as tasks).
_OPEN = (EventStatus.PENDING, EventStatus.WAITING)


@transactional
def enqueue(db: Database, now: datetime, app_id: str, kind: str, **payload: object) -> int:
    """Record a provisioning event for an app; returns its id."""
    kind = EventKind(kind)
    resource = payload.get("userId") or payload.get("groupId") or payload.get("mappingId")
    row = {
        "app_id": app_id,
        "kind": kind,
        "payload": json.dumps(payload),
        "resource": resource,
        "created": now.isoformat(),
        "status": EventStatus.PENDING,
    }
    return insert_row(db, "provisioning_events", row)


# --- reading -------------------------------------------------------------------------------


def _event(row: dict) -> dict:
    return {**row, "payload": json.loads(row["payload"])}


def pending(db: Database, app_id: str | None = None) -> list[dict]:
    """Events not yet sent (PENDING), oldest first."""
    where, params = "status = ?", [EventStatus.PENDING]
    if app_id:
        where, params = where + " and app_id = ?", [*params, app_id]
    rows = db.query(f"select * from provisioning_events where {where} order by id", params)
    return [_event(row) for row in rows]


def next_due(db: Database, now: datetime, skip_apps: Collection[str] = ()) -> dict | None:
    """The oldest due event of an app whose earlier events are all finished.

    Events of one app are delivered strictly in the order they were recorded; an event that
    waits for a rate-limit retry holds back the app's later events, a failed one does not.
    Apps in `skip_apps` (those another delivery lane is working on) are left out.

    Each step is an index seek, per app and open status: however long the backlog, a claim
    reads a few rows (one query grouping every open event read all of them, every time).
    """
    due_by = now.isoformat()
    heads = [_head(db, app_id) for app_id in _open_apps(db) if app_id not in skip_apps]
    due = [
        head
        for head in heads
        if head is not None
        and (head["next_attempt_at"] is None or head["next_attempt_at"] <= due_by)
    ]
    return _event(min(due, key=lambda head: head["id"])) if due else None


def _is_due(event: dict, due_by: str) -> bool:
    return event["next_attempt_at"] is None or event["next_attempt_at"] <= due_by


def _open_apps(db: Database) -> set[str]:
    """The apps with an undelivered event, one index seek per app and status."""
    apps: set[str] = set()
    for status in _OPEN:
        row = db.execute(
            "select min(app_id) from provisioning_events where status = ?", [status]
        ).fetchone()
        while row[0] is not None:
            apps.add(row[0])
            row = db.execute(
                "select min(app_id) from provisioning_events where status = ? and app_id > ?",
                [status, row[0]],
            ).fetchone()
    return apps


def _head(db: Database, app_id: str) -> dict | None:
    """The app's oldest undelivered event (its next in order)."""
    ids = [
        db.execute(
            "select min(id) from provisioning_events where status = ? and app_id = ?",
            [status, app_id],
        ).fetchone()[0]
        for status in _OPEN
    ]
    oldest = min((event_id for event_id in ids if event_id is not None), default=None)
    if oldest is None:
        return None
    rows = db.query("select * from provisioning_events where id = ?", [oldest])
    return next(iter(rows), None)


def is_idle(db: Database) -> bool:
    """No event is waiting for delivery (failed ones do not count)."""
    sql = "select 1 from provisioning_events where status in (?, ?) limit 1"
    return not list(db.query(sql, list(_OPEN)))


def has_open_work(db: Database, app_id: str) -> bool:
    """The app has pushes not yet finished (pending, being sent or waiting to retry)."""
    sql = "select 1 from provisioning_events where app_id = ? and status in (?, ?) limit 1"
    return bool(list(db.query(sql, [app_id, *_OPEN])))


def open_among(db: Database, event_ids: list[int]) -> set[int]:
    """Which of these events are not delivered yet (pending, or waiting to be tried again)."""
    found: set[int] = set()
    for start in range(0, len(event_ids), 500):  # within SQLite's bound on parameters
        chunk = event_ids[start : start + 500]
        rows = db.query(
            f"select id from provisioning_events where id in ({','.join('?' * len(chunk))}) "
            f"and status in ({','.join('?' * len(_OPEN))})",
            [*chunk, *_OPEN],
        )
        found |= {row["id"] for row in rows}
    return found


def users_with_open_work(
    db: Database, app_id: str, kinds: tuple[str, ...] | None = None
) -> set[str]:
    """The users whose push to the app (of one of `kinds`, or any) is not finished yet."""
    sql = (
        "select distinct json_extract(payload, '$.userId') as user_id from provisioning_events "
        "where app_id = ? and status in (?, ?)"
    )
    params = [app_id, *_OPEN]
    if kinds:
        sql += f" and kind in ({','.join('?' * len(kinds))})"
        params += list(kinds)
    rows = db.query(sql, params)
    return {row["user_id"] for row in rows if row["user_id"]}


def is_queued(db: Database, app_id: str, user_id: str, kinds: tuple[str, ...]) -> bool:
    """Whether an undelivered event of one of `kinds` is queued for the user in the app."""
    marks = ",".join("?" * len(kinds))
    rows = db.query(
        f"select 1 from provisioning_events where app_id = ? and resource = ? "
        f"and kind in ({marks}) and status in (?, ?) limit 1",
        [app_id, user_id, *kinds, *_OPEN],
    )
    return bool(list(rows))


def membership_push_queued_after(
    db: Database, event_id: int, app_id: str, group_id: str, user_id: str
) -> bool:
    """Whether a later, unsent event already pushes the user into the group."""
    row = db.execute(
        "select 1 from provisioning_events where app_id = ? and kind = ? and id > ? "
        "and status = ? and resource = ? and json_extract(payload, '$.groupId') = ? "
        "and json_extract(payload, '$.added') = 1",
        [
            app_id,
            EventKind.GROUP_MEMBERSHIP_CHANGED,
            event_id,
            EventStatus.PENDING,
            user_id,
            group_id,
        ],
    ).fetchone()
    return row is not None


def last_event_id(db: Database) -> int:
    """The newest event's id (0 for none): every event up to it was committed when read, as
    SQLite has one writer at a time and numbers new rows after the newest."""
    return db.execute("select coalesce(max(id), 0) from provisioning_events").fetchone()[0]


def pending_membership_changes(
    db: Database, app_id: str, group_id: str, after_id: int, up_to_id: int
) -> list[dict]:
    """The unsent membership changes of a group in an app, recorded after event `after_id`
    and up to `up_to_id`, oldest first: {id, userId, added}."""
    rows = db.execute(
        "select id, resource, json_extract(payload, '$.added') from provisioning_events "
        "where status = ? and app_id = ? and id > ? and id <= ? and kind = ? "
        "and json_extract(payload, '$.groupId') = ? order by id",
        [
            EventStatus.PENDING,
            app_id,
            after_id,
            up_to_id,
            EventKind.GROUP_MEMBERSHIP_CHANGED,
            group_id,
        ],
    )
    return [{"id": id_, "userId": user_id, "added": bool(added)} for id_, user_id, added in rows]


# --- delivery state (the push engine's) -----------------------------------------------------


@transactional
def finish(
    db: Database, now: datetime, event_id: int, status: str, error: str | None = None
) -> None:
    """Mark an event delivered (DONE) or given up (FAILED); EventGone after a reset, which
    rolls back the transaction the outcome was written in."""
    _update(
        db,
        event_id,
        {"status": EventStatus(status), "finished": now.isoformat(), "last_error": error},
    )


@transactional
def finish_covered(db: Database, now: datetime, event_ids: list[int]) -> None:
    """Mark unsent events delivered by another event's request, which carried their change."""
    for start in range(0, len(event_ids), 500):  # within SQLite's bound on parameters
        chunk = event_ids[start : start + 500]
        db.execute(
            f"update provisioning_events set status = ?, finished = ? "
            f"where status = ? and id in ({','.join('?' * len(chunk))})",
            [EventStatus.DONE, now.isoformat(), EventStatus.PENDING, *chunk],
        )


@transactional
def retry_at(db: Database, event_id: int, attempts: int, error: str, when: datetime) -> None:
    """The event waits (rate limited) and is due again at `when`."""
    _update(
        db,
        event_id,
        {
            "status": EventStatus.WAITING,
            "attempts": attempts,
            "last_error": error,
            "next_attempt_at": when.isoformat(),
        },
    )


@transactional
def count_attempt(db: Database, event_id: int, attempts: int) -> None:
    """How many times the event was tried."""
    _update(db, event_id, {"attempts": attempts})


@transactional
def requeue(db: Database, event_id: int) -> None:
    """A failed event goes back to the queue (an admin's retry)."""
    db["provisioning_events"].update(
        event_id,
        {"status": EventStatus.PENDING, "attempts": 0, "next_attempt_at": None, "finished": None},
    )


@transactional
def drop_pending(db: Database, app_id: str) -> None:
    """Forget what was never sent to an app (the app is being deleted)."""
    db.execute(
        "delete from provisioning_events where app_id = ? and status = ?",
        [app_id, EventStatus.PENDING],
    )


def wait_until_idle(db: Database, timeout_seconds: float) -> bool:
    """Poll until nothing waits for delivery; False when `timeout_seconds` ran out first.
    A poll is one indexed query: every 10 ms keeps the answer close behind the last push."""
    deadline = time.monotonic() + timeout_seconds
    while not is_idle(db):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.01)
    return True
