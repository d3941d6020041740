"""The push engine: takes the outbox's events in order and runs their handlers.

Order: events of one app are delivered strictly in the order they were recorded; an event that
waits for a rate-limit retry holds back the app's later events, a failed one does not (§3).
Apps do not wait for each other: the worker (`provisioning.worker`) runs one `deliver` per app
at a time, in parallel across apps.
HTTP calls happen outside any transaction; each handler commits its state changes at the end,
and the event is marked done in that same transaction. A crash in between re-runs the event,
and handlers look up before they create, so nothing is created twice.

Which handler delivers which kind of event is the table the caller passes in
(`provisioning.handlers.HANDLERS`).
"""

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from sqlite_utils import Database

from mock_common import clock
from mock_common.db import atomic
from mock_okta import outbox, system_log
from mock_okta.applications import apps, scim_connection
from mock_okta.applications.scim_connection import ScimConnection
from mock_okta.outbox import EventStatus
from mock_okta.provisioning import tasks
from mock_okta.provisioning.client import ScimClient, ScimError

log = logging.getLogger(__name__)

#: 429: wait Retry-After seconds (else five minutes), doubling, at most ten attempts (§3.2).
DEFAULT_RETRY_AFTER = 300
MAX_RATE_LIMITED_ATTEMPTS = 10


@dataclass
class PushContext:
    """What a handler needs: the database, the app, its connection, a client, the event."""

    db: Database
    app: dict
    connection: ScimConnection
    client: ScimClient
    event: dict

    @property
    def payload(self) -> dict:
        return self.event["payload"]

    def now(self) -> datetime:
        return clock.now(self.db)

    def finish(self) -> None:
        """Mark the event delivered (inside the handler's closing transaction)."""
        outbox.finish(self.db, self.now(), self.event["id"], EventStatus.DONE)


@dataclass(frozen=True)
class Handler:
    """How to deliver one kind of event, and how its failure shows in Okta."""

    run: Callable[[PushContext], None]
    on_failure: Callable[[PushContext, str], dict]


def process_next(
    db: Database, handlers: Mapping[str, Handler], session: requests.Session | None = None
) -> bool:
    """Deliver the next due event of any app; returns False when there was nothing to do."""
    event = outbox.next_due(db, clock.now(db))
    if event is None:
        return False
    deliver(db, event, handlers, session)
    return True


def deliver(
    db: Database,
    event: dict,
    handlers: Mapping[str, Handler],
    session: requests.Session | None = None,
) -> None:
    """Run one event's handler; its outcome (done, waiting, failed) is committed before return.
    An event a reset took away while it was delivered ends quietly, its outcome dropped."""
    try:
        _deliver(db, event, handlers, session)
    except outbox.EventGone:
        log.info("provisioning event %s was reset away while delivered", event["id"])


def _deliver(
    db: Database, event: dict, handlers: Mapping[str, Handler], session: requests.Session | None
) -> None:
    app = apps.get_app(db, event["app_id"])
    settings = scim_connection.get_connection(db, event["app_id"])
    handler = handlers.get(event["kind"])
    if app is None or handler is None or settings is None or not settings.enabled:
        # Nothing to deliver to: the app is gone, or provisioning is off (Okta sends nothing).
        outbox.finish(db, clock.now(db), event["id"], EventStatus.DONE)
        return
    client = ScimClient(db, settings, event_id=event["id"], session=session)
    context = PushContext(db, app, settings, client, event)
    try:
        handler.run(context)
    except ScimError as error:
        _failed(context, handler, error)
    except outbox.EventGone:
        raise
    except Exception as error:  # a simulator bug must not wedge the queue
        log.exception("provisioning event %s failed unexpectedly", event["id"])
        summary = f"Internal error in the simulator: {error}"
        outbox.finish(db, clock.now(db), event["id"], EventStatus.FAILED, summary)


def _failed(context: PushContext, handler: Handler, error: ScimError) -> None:
    db, event = context.db, context.event
    attempts = event["attempts"] + 1
    if error.rate_limited and attempts < MAX_RATE_LIMITED_ATTEMPTS:
        wait = (error.retry_after or DEFAULT_RETRY_AFTER) * 2 ** (attempts - 1)
        with atomic(db):
            due = context.now() + timedelta(seconds=wait)
            outbox.retry_at(db, event["id"], attempts, error.summary, due)
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
        outbox.count_attempt(db, event["id"], attempts)
        task = handler.on_failure(context, error.summary)
        tasks.open_task(db, context.now(), context.app["id"], event, task)
        outbox.finish(db, context.now(), event["id"], EventStatus.FAILED, task["errorSummary"])
