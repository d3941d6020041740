"""A throwaway Okta org whose one app provisions to the SCIM server under test.

The checker does not re-implement Okta's SCIM client: it builds a real mock_okta org on a
temporary database, configures a SAML app's provisioning the way an admin does (SCIM
connection, To App switches), makes changes through the domain layer and runs the push
engine's queue synchronously, then reads what the engine sent from its wire log.
"""

import contextlib
import json
import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import requests
from sqlite_utils import Database

from mock_common import clock
from mock_common.db import connect
from mock_okta.applications import apps, features, scim_connection
from mock_okta.applications.scim_connection import ScimConnection
from mock_okta.provisioning import connector, engine, wire_log
from mock_okta.provisioning.client import ScimClient, ScimError, ScimSession
from mock_okta.provisioning.handlers import HANDLERS

#: `--dialect` names and the connection's dialect.
DIALECTS = {"custom": "CUSTOM_APP", "oin": "OIN"}
OKTA, CHECKER = "Okta", "checker"
#: Push New Users, Push Profile Updates, Push Groups (the connection's actions).
ACTIONS = ["PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_GROUPS"]
#: To App: Create Users, Update User Attributes, Deactivate Users (which also reactivates).
TO_APP = {
    "create": {"lifecycleCreate": {"status": "ENABLED"}},
    "update": {"profile": {"status": "ENABLED"}, "lifecycleDeactivate": {"status": "ENABLED"}},
}
#: A SAML app, as Applications > Create App Integration > SAML 2.0 makes it.
APP = {
    "label": "SCIM check",
    "signOnMode": "SAML_2_0",
    "settings": {
        "signOn": {
            "ssoAcsUrl": "https://scim-check.example.com/saml/acs",
            "recipient": "https://scim-check.example.com/saml/acs",
            "destination": "https://scim-check.example.com/saml/acs",
            "audience": "scim-check",
            "subjectNameIdTemplate": "${user.userName}",
            "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
        }
    },
}


@dataclass
class CheckOrg:
    """The org, its provisioning app, and who sent which exchange of its wire log."""

    db: Database
    app: dict
    session: requests.Session
    checker_ids: set[int] = field(default_factory=set)

    def now(self) -> datetime:
        """The org's clock."""
        return clock.now(self.db)

    def connection(self) -> ScimConnection:
        """The app's SCIM connection."""
        connection = scim_connection.get_connection(self.db, self.app["id"])
        assert connection is not None  # configured when the org was made
        return connection

    def mark(self) -> int:
        """The last exchange so far: what follows it is the next step's traffic."""
        row = self.db.execute("select max(id) from scim_requests").fetchone()
        return row[0] or 0

    def exchanges_since(self, mark: int) -> list[dict]:
        """The exchanges after `mark`, oldest first, each labelled with its sender."""
        found = [
            exchange
            for exchange in wire_log.recent_exchanges(self.db, self.app["id"], wire_log.MAX_ENTRIES)
            if exchange["id"] > mark
        ]
        for exchange in found:
            exchange["by"] = CHECKER if exchange["id"] in self.checker_ids else OKTA
        return found

    def deliver(self) -> None:
        """Run the push engine's queue until it is empty, as the worker would."""
        while engine.process_next(self.db, HANDLERS, self.session):
            pass

    def open_task_errors(self, since_seq: int) -> list[str]:
        """Errors of the tasks the engine opened after `since_seq`."""
        rows = self.db.query(
            "select error_summary from provisioning_tasks where seq > ? order by seq",
            [since_seq],
        )
        return [row["error_summary"] for row in rows]

    def task_seq(self) -> int:
        """The last task so far."""
        row = self.db.execute("select max(seq) from provisioning_tasks").fetchone()
        return row[0] or 0

    def test_connector(self) -> dict:
        """Provisioning > Test Connector Configuration, Okta's own probe."""
        return connector.check_connector(self.db, self.connection(), self.session)

    def probe(self, method: str, path: str, body: dict | None = None) -> dict:
        """A request of the checker's own, sent with Okta's headers; its exchange."""
        mark = self.mark()
        client = ScimClient(self.db, self.connection(), session=self.session)
        with contextlib.suppress(ScimError):  # the exchange holds the answer; the step judges it
            client.send(method, path, body)
        exchange_id = self.mark()
        if exchange_id == mark:
            raise RuntimeError(f"{method} {path} was not recorded")
        self.checker_ids.add(exchange_id)
        (exchange,) = [e for e in self.exchanges_since(mark) if e["id"] == exchange_id]
        return exchange


def _configure(db: Database, now: datetime, base_url: str, token: str, dialect: str) -> dict:
    """The SAML app, its SCIM connection (Bearer token) and its To App switches."""
    app = apps.create_app(db, now, json.loads(json.dumps(APP)))
    connector.save_connection(
        db,
        now,
        app["id"],
        {
            "enabled": True,
            "baseUrl": base_url,
            "uniqueIdentifierField": "userName",
            "actions": ACTIONS,
            "authMode": "HTTP_HEADER",
            "token": token,
            "dialect": DIALECTS[dialect],
        },
    )
    features.update_feature(db, now, app, "USER_PROVISIONING", TO_APP)
    return apps.require_app(db, app["id"])


@contextmanager
def check_org(base_url: str, token: str, dialect: str) -> Iterator[CheckOrg]:
    """A fresh org on a temporary database, provisioning to `base_url`; removed afterwards."""
    from mock_okta import init_db  # the package imports Flask views; only the schema is needed

    with tempfile.TemporaryDirectory(prefix="scim-check-") as directory:
        path = str(Path(directory) / f"okta-{secrets.token_hex(4)}.sqlite3")
        init_db(path)
        db = connect(path)
        try:
            app = _configure(db, clock.now(db), base_url.rstrip("/"), token, dialect)
            with ScimSession() as session:
                yield CheckOrg(db, app, session)
        finally:
            db.conn.close()
