"""The per-user and per-event lookups of the assignment path and the push engine are index
searches, never scans of the tables that grow with the directory and the outbox."""

import json
import re
from pathlib import Path

import pytest

from mock_common import clock
from mock_common.db import connect
from mock_okta import fixtures, outbox, reactions
from mock_okta.applications import assignments
from mock_okta.directory import memberships
from mock_okta.group_push import mappings as push_mappings
from mock_okta.outbox import EventKind
from mock_okta.provisioning import engine, tasks
from mock_okta.provisioning.handlers import HANDLERS
from tests.conftest import fixture_variables

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "default.json"
APP, DEVELOPERS = "0oasonarqubedevenv01", "00gsonardevelopers01"
#: The tables that grow with the users, their memberships and assignments, and the traffic.
GROWING = {
    "users",
    "group_members",
    "app_users",
    "provisioning_events",
    "provisioning_tasks",
    "scim_requests",
    "system_log",
}
_ALIAS = re.compile(r'(?:from|join)\s+[\["]?(\w+)[\]"]?(?:\s+(?:as\s+)?(\w+))?', re.IGNORECASE)


@pytest.fixture
def db(okta_app, devenv_keys):
    database = connect(okta_app.config["DATABASE"])
    fixtures.seed(
        database,
        clock.now(database),
        json.loads(FIXTURE.read_text()),
        fixture_variables(devenv_keys),
    )
    yield database
    database.conn.close()


def traced(db, action) -> list[str]:
    """The statements `action` ran, with their values."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        action()
    finally:
        db.conn.set_trace_callback(None)
    return statements


def scans_of_growing_tables(db, statements: list[str]) -> list[str]:
    """The statements whose query plan reads a growing table from end to end."""
    found = []
    for sql in dict.fromkeys(statements):
        if not re.match(r"\s*(select|update|delete)\b", sql, re.IGNORECASE):
            continue
        aliases = {}
        for table, alias in _ALIAS.findall(sql):
            aliases[table.lower()] = table.lower()
            if alias and alias.lower() not in {"where", "on", "join", "order", "group", "limit"}:
                aliases[alias.lower()] = table.lower()
        for row in db.conn.execute(f"explain query plan {sql}"):
            scanned = re.match(r"SCAN (\w+)", row[3])
            if scanned and aliases.get(scanned[1].lower(), scanned[1].lower()) in GROWING:
                found.append(f"{row[3]}: {sql}")
    return found


def new_user(db, login: str) -> str:
    profile = {"login": login, "email": login, "firstName": "New", "lastName": "User"}
    return reactions.create_user(db, clock.now(db), {"profile": profile})["id"]


def test_assigning_through_a_group_searches_by_index(db):
    user_id = new_user(db, "new.user@example.com")
    statements = traced(
        db, lambda: reactions.add_user_to_group(db, clock.now(db), DEVELOPERS, user_id)
    )
    assert assignments.get_app_user(db, APP, user_id) is not None
    assert scans_of_growing_tables(db, statements) == []


def test_the_push_engine_reads_the_outbox_by_index(db):
    user_id = new_user(db, "new.user@example.com")
    reactions.add_user_to_group(db, clock.now(db), DEVELOPERS, user_id)
    event = outbox.next_due(db, clock.now(db))

    def deliver_and_look_up() -> None:
        outbox.is_queued(db, APP, user_id, (EventKind.USER_ASSIGNED,))
        outbox.membership_push_queued_after(db, event["id"], APP, DEVELOPERS, user_id)
        push_mappings.actively_pushed_groups_of(db, APP, memberships.user_group_ids(db, user_id))
        assignments.member_in_app(db, APP, user_id)
        assignments.group_members_in_app(db, APP, DEVELOPERS)
        tasks.was_retried(db, event["id"])
        while engine.process_next(db, HANDLERS):  # provisioning is off: each event just ends
            pass
        outbox.is_idle(db)

    statements = traced(db, deliver_and_look_up)
    assert outbox.is_idle(db)
    assert scans_of_growing_tables(db, statements) == []
