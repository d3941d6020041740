"""The background thread that delivers the outbox, one event at a time.

`serve` and the test fixtures start it (`start_worker`); building an app never does. After a
request that may have changed something, `wake_worker` tells the app's worker to look now
instead of at its next poll.
"""

import logging
import threading
import time

import requests
from flask import Flask, Response, current_app, request

from mock_common.db import connect
from mock_okta.provisioning import engine, wire_log
from mock_okta.provisioning.handlers import HANDLERS

log = logging.getLogger(__name__)

#: Where an app keeps its running worker (`app.extensions[EXTENSION]`).
EXTENSION = "okta_provisioning"


class ProvisioningWorker:
    """Polls the outbox of one database; `notify()` wakes it after a change."""

    def __init__(self, database: str, *, poll_seconds: float = 0.5):
        self.database = database
        self.poll_seconds = poll_seconds
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="okta-provisioning", daemon=True)

    def start(self) -> "ProvisioningWorker":
        """Close what a stopped Okta left in flight, then start delivering."""
        db = connect(self.database)
        try:
            wire_log.close_unanswered(db)
        finally:
            db.conn.close()
        self.thread.start()
        return self

    def notify(self) -> None:
        """Something may have been enqueued: look now."""
        self.wake.set()

    def stop(self, timeout: float = 5) -> None:
        self.stopping.set()
        self.wake.set()
        self.thread.join(timeout)

    def _run(self) -> None:
        db = connect(self.database)
        session = requests.Session()
        try:
            while not self.stopping.is_set():
                try:
                    busy = engine.process_next(db, HANDLERS, session)
                except Exception:  # e.g. the database is locked for too long: try again later
                    log.exception("provisioning worker could not process the outbox")
                    busy = False
                    time.sleep(self.poll_seconds)
                if not busy:
                    self.wake.wait(self.poll_seconds)
                    self.wake.clear()
        finally:
            session.close()
            db.conn.close()


def start_worker(app: Flask) -> ProvisioningWorker:
    """Start delivering the app's outbox in a background thread (stop it with `.stop()`)."""
    worker = ProvisioningWorker(app.config["DATABASE"]).start()
    app.extensions[EXTENSION] = worker
    return worker


def wake_worker(response: Response) -> Response:
    """After-request hook: a request that may have queued work wakes the app's worker."""
    worker = current_app.extensions.get(EXTENSION)
    if worker is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
        worker.notify()
    return response
