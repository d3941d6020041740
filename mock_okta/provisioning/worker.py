"""The background thread that delivers the outbox, one event at a time."""

import logging
import threading
import time

import requests

from mock_common.db import connect

from . import engine

log = logging.getLogger(__name__)


class ProvisioningWorker:
    """Polls the outbox of one database; `notify()` wakes it after a change."""

    def __init__(self, database: str, *, poll_seconds: float = 0.5):
        self.database = database
        self.poll_seconds = poll_seconds
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="okta-provisioning", daemon=True)

    def start(self) -> "ProvisioningWorker":
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
                    busy = engine.process_next(db, session)
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
