"""The background delivery of the outbox: a few lanes, each working on one app at a time.

A lane claims the oldest due event of an app no other lane is working on, delivers it with
the push engine and lets the app go. So an app's events still go out one by one in outbox
order (only the lane holding the app may deliver it), while a slow or hung SCIM server
holds back only its own app: the other apps' events go out on the other lanes.

Okta does not document how it schedules provisioning; what it documents is per app: a 429
"pauses the provisioning task" of the app whose server sent it and reschedules that task
(developer.okta.com/docs/concepts/scim, "Handle SCIM server rate limiting"), and Okta's KB on
Slack 429s has it retry "the remaining failed app user profile sync jobs" of that app. Nothing
suggests that one app's slow server delays another app, so the simulator does not either.

`serve` and the test fixtures start it (`start_worker`); building an app never does. After a
request that may have changed something, `wake_worker` tells the lanes to look now instead of
at their next poll.
"""

import logging
import threading
import time

from flask import Flask, Response, current_app, request
from sqlite_utils import Database

from mock_common import clock
from mock_common.db import connect
from mock_okta import outbox
from mock_okta.provisioning import engine, wire_log
from mock_okta.provisioning.client import ScimSession
from mock_okta.provisioning.handlers import HANDLERS

log = logging.getLogger(__name__)

#: Where an app keeps its running worker (`app.extensions[EXTENSION]`).
EXTENSION = "okta_provisioning"
#: How many apps are delivered to at once (`PROVISIONING_LANES` in the app's config).
DEFAULT_LANES = 4


class AppClaims:
    """Which apps a lane is delivering to; a claim and its read are one step under a lock.

    The claims live in the worker rather than in the database: the worker is the only one
    delivering its database (`serve` starts one), so there is nothing to share, nothing to
    take back after a kill -9, and no write transaction per claim. Reading under the lock
    after the previous holder's commit sees that commit (each SQLite read outside a
    transaction takes the newest snapshot), so no event is taken twice.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._apps: set[str] = set()

    def claim_next(self, db: Database) -> dict | None:
        """The next due event of an app nobody holds; the caller now holds its app."""
        with self._lock:
            event = outbox.next_due(db, clock.now(db), skip_apps=self._apps)
            if event is not None:
                self._apps.add(event["app_id"])
            return event

    def release(self, app_id: str) -> None:
        """The app's event is finished (or left for a retry): any lane may take it again."""
        with self._lock:
            self._apps.discard(app_id)


class ProvisioningWorker:
    """Delivers the outbox of one database in `lanes` threads; `notify()` wakes them."""

    def __init__(self, database: str, *, poll_seconds: float = 0.5, lanes: int = DEFAULT_LANES):
        self.database = database
        self.poll_seconds = poll_seconds
        self.claims = AppClaims()
        self.stopping = threading.Event()
        self._changed = threading.Condition()
        self._generation = 0  # counts notify() calls, so a lane never sleeps through one
        self.threads = [
            threading.Thread(target=self._run_lane, name=f"okta-provisioning-{n}", daemon=True)
            for n in range(max(1, lanes))
        ]

    def start(self) -> "ProvisioningWorker":
        """Close what a stopped Okta left in flight, then start the lanes."""
        db = connect(self.database)
        try:
            wire_log.close_unanswered(db)
        finally:
            db.conn.close()
        for thread in self.threads:
            thread.start()
        return self

    def notify(self) -> None:
        """Something may have been enqueued: look now."""
        with self._changed:
            self._generation += 1
            self._changed.notify_all()

    def stop(self, timeout: float = 5) -> None:
        """Stop every lane and wait for them (a lane in a request ends when it returns)."""
        self.stopping.set()
        self.notify()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _run_lane(self) -> None:
        db = connect(self.database)
        session = ScimSession()
        try:
            while not self.stopping.is_set():
                seen = self._generation
                event = self._claim(db)
                if event is None:
                    self._sleep(seen)
                    continue
                try:
                    engine.deliver(db, event, HANDLERS, session)
                except Exception:  # e.g. the database is locked for too long: try again later
                    log.exception("provisioning event %s could not be delivered", event["id"])
                    self.stopping.wait(self.poll_seconds)
                finally:
                    self.claims.release(event["app_id"])
        finally:
            session.close()
            db.conn.close()

    def _claim(self, db: Database) -> dict | None:
        try:
            return self.claims.claim_next(db)
        except Exception:
            log.exception("provisioning worker could not read the outbox")
            return None

    def _sleep(self, seen: int) -> None:
        """Until the next poll, unless notify() was called since `seen`."""
        with self._changed:
            if self._generation == seen and not self.stopping.is_set():
                self._changed.wait(self.poll_seconds)


def start_worker(app: Flask) -> ProvisioningWorker:
    """Start delivering the app's outbox in background lanes (stop them with `.stop()`)."""
    lanes = app.config.get("PROVISIONING_LANES", DEFAULT_LANES)
    worker = ProvisioningWorker(app.config["DATABASE"], lanes=lanes).start()
    app.extensions[EXTENSION] = worker
    return worker


def wake_worker(response: Response) -> Response:
    """After-request hook: a request that may have queued work wakes the app's worker."""
    worker = current_app.extensions.get(EXTENSION)
    if worker is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
        worker.notify()
    return response
