"""The push engine: takes the outbox's events in order and runs their handlers.

Order: events of one app are delivered strictly in the order they were recorded; an event that
waits for a rate-limit retry holds back the app's later events, a failed one does not (§3).
HTTP calls happen outside any transaction; each handler commits its state changes at the end,
and the event is marked done in that same transaction. A crash in between re-runs the event,
and handlers look up before they create, so nothing is created twice.
"""

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from mock_common import clock
from mock_common.db import atomic
from mock_okta import system_log
from mock_okta.provisioning.client import ScimClient, ScimError
from mock_okta.provisioning.connection import get_connection
from mock_okta.storage.ids import new_id
from mock_okta.storage.pagination import next_seq

log = logging.getLogger(__name__)

#: 429: wait Retry-After seconds (else five minutes), doubling, at most ten attempts (§3.2).
DEFAULT_RETRY_AFTER = 300
MAX_RATE_LIMITED_ATTEMPTS = 10


@dataclass
class PushContext:
    """What a handler needs: the database, the app, its connection, a client, the event."""

    db: Database
    app: dict
    connection: dict
    client: ScimClient
    event: dict

    @property
    def payload(self) -> dict:
        return self.event["payload"]

    def now(self) -> datetime:
        return clock.now(self.db)


@dataclass(frozen=True)
class Handler:
    """How to deliver one kind of event, and how its failure shows in Okta."""

    run: Callable[[PushContext], None]
    on_failure: Callable[[PushContext, str], dict]


HANDLERS: dict[str, Handler] = {}


def register(
    kind: str, run: Callable[[PushContext], None], on_failure: Callable[[PushContext, str], dict]
) -> None:
    """Declare the handler of an event kind (done by users_push and groups_push)."""
    HANDLERS[kind] = Handler(run, on_failure)


def next_event(db: Database, now: datetime) -> dict | None:
    """The oldest due event of an app whose earlier events are all finished."""
    rows = db.query(
        """
        select * from provisioning_events e
         where e.status in ('PENDING', 'WAITING')
           and not exists (select 1 from provisioning_events p
                            where p.app_id = e.app_id and p.id < e.id
                              and p.status in ('PENDING', 'WAITING'))
         order by e.id
        """
    )
    for row in rows:
        if row["next_attempt_at"] is None or row["next_attempt_at"] <= now.isoformat():
            return {**row, "payload": json.loads(row["payload"])}
    return None


def is_idle(db: Database) -> bool:
    """No event is waiting for delivery (failed ones do not count)."""
    return not list(
        db.query("select 1 from provisioning_events where status in ('PENDING', 'WAITING') limit 1")
    )


def process_next(db: Database, session=None) -> bool:
    """Deliver one due event; returns False when there was nothing to do."""
    now = clock.now(db)
    event = next_event(db, now)
    if event is None:
        return False
    app = next(iter(db.query("select * from apps where id = ?", [event["app_id"]])), None)
    connection = get_connection(db, event["app_id"])
    handler = HANDLERS.get(event["kind"])
    if app is None or handler is None or not connection or not connection["enabled"]:
        # Nothing to deliver to: the app is gone, or provisioning is off (Okta sends nothing).
        finish(db, event, "DONE")
        return True
    context = PushContext(
        db,
        app,
        connection,
        ScimClient(db, connection, event_id=event["id"], session=session),
        event,
    )
    try:
        handler.run(context)
    except ScimError as error:
        _failed(context, handler, error)
    except Exception as error:  # a simulator bug must not wedge the queue
        log.exception("provisioning event %s failed unexpectedly", event["id"])
        finish(db, event, "FAILED", f"Internal error in the simulator: {error}")
    return True


def finish(db: Database, event: dict, status: str, error: str | None = None) -> None:
    """Mark an event delivered (DONE) or given up (FAILED)."""
    db["provisioning_events"].update(
        event["id"], {"status": status, "finished": clock.now(db).isoformat(), "last_error": error}
    )


def _failed(context: PushContext, handler: Handler, error: ScimError) -> None:
    db, event = context.db, context.event
    attempts = event["attempts"] + 1
    if error.rate_limited and attempts < MAX_RATE_LIMITED_ATTEMPTS:
        wait = (error.retry_after or DEFAULT_RETRY_AFTER) * 2 ** (attempts - 1)
        with atomic(db):
            db["provisioning_events"].update(
                event["id"],
                {
                    "status": "WAITING",
                    "attempts": attempts,
                    "last_error": error.summary,
                    "next_attempt_at": (context.now() + timedelta(seconds=wait)).isoformat(),
                },
            )
            system_log.record(
                db,
                context.now(),
                "application.integration.rate_limit_exceeded",
                "API rate limit exceeded",
                targets=[system_log.app_target(context.app)],
                outcome="FAILURE",
                reason=error.summary,
                debug_data={"retryInSeconds": wait, "attempt": attempts},
            )
        return
    with atomic(db):
        db["provisioning_events"].update(event["id"], {"attempts": attempts})
        task = handler.on_failure(context, error.summary)
        create_task(db, context, task)
        finish(db, event, "FAILED", task["errorSummary"])


def create_task(db: Database, context: PushContext, task: dict) -> str:
    """Dashboard > Tasks: a failed provisioning operation to retry or dismiss."""
    task_id = new_id("tsk")
    stamp = context.now().isoformat()
    db["provisioning_tasks"].insert(
        {
            "id": task_id,
            "seq": next_seq(db, "provisioning_tasks"),
            "app_id": context.app["id"],
            "event_id": context.event["id"],
            "kind": context.event["kind"],
            "user_id": task.get("userId"),
            "group_id": task.get("groupId"),
            "mapping_id": task.get("mappingId"),
            "status": "FAILED",
            "error_summary": task["errorSummary"],
            "created": stamp,
            "last_updated": stamp,
        }
    )
    return task_id
