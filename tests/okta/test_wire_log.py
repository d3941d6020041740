"""The SCIM wire log without a network: a request is recorded before it goes out, completed by
its answer, closed as cut off after a restart; and the console's SCIM requests page for those.
"""

from datetime import UTC, datetime

import pytest

from mock_common.db import atomic, connect, migrate
from mock_okta import outbox
from mock_okta.applications.scim_connection import ScimConnection
from mock_okta.outbox import EventKind
from mock_okta.provisioning import wire_log
from mock_okta.provisioning.client import ScimClient
from mock_okta.storage.migrations import MIGRATIONS
from tests.okta.console_helpers import (
    APP_ID,
    APP_URL,
    console_fixture,  # noqa: F401  (a fixture)
    seeded_template,  # noqa: F401  (a fixture)
)

NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
WIKI = "0oawiki0000000000001"


@pytest.fixture
def db():
    database = connect(":memory:")
    migrate(database, MIGRATIONS)
    yield database
    database.conn.close()


def sent(db, app_id: str = WIKI) -> int:
    return wire_log.record_request(
        db,
        NOW,
        app_id=app_id,
        event_id=outbox.enqueue(db, NOW, app_id, EventKind.USER_ASSIGNED, userId="00u1"),
        method="GET",
        url="http://wiki.test/scim/v2/Users?startIndex=1&count=2",
        request_headers={"Authorization": "Bearer ***"},
        request_body=None,
    )


def test_a_request_is_in_flight_until_its_answer_is_recorded(db):
    exchange = sent(db)
    [pending] = wire_log.recent_exchanges(db, WIKI)
    assert pending["sent"] == "2026-03-02T09:30:00.000Z"
    assert {k: pending[k] for k in ("inFlight", "status", "durationMs", "error")} == {
        "inFlight": True,
        "status": None,
        "durationMs": None,
        "error": None,
    }
    wire_log.record_response(
        db,
        exchange,
        status=200,
        response_headers={"Content-Type": "application/scim+json"},
        response_body='{"totalResults":0}',
        duration_ms=12,
        error=None,
    )
    [answered] = wire_log.recent_exchanges(db, WIKI)
    assert (answered["id"], answered["inFlight"], answered["status"]) == (exchange, False, 200)
    assert (answered["responseBody"], answered["durationMs"]) == ({"totalResults": 0}, 12)


def test_a_transport_error_completes_the_request_without_a_status(db):
    exchange = sent(db)
    wire_log.record_response(
        db,
        exchange,
        status=None,
        response_headers=None,
        response_body=None,
        duration_ms=3,
        error="Connection refused",
    )
    [failed] = wire_log.recent_exchanges(db, WIKI)
    assert (failed["inFlight"], failed["status"], failed["error"]) == (
        False,
        None,
        "Connection refused",
    )


def test_requests_left_in_flight_by_a_stopped_okta_are_closed_as_cut_off(db):
    answered = sent(db)
    wire_log.record_response(
        db,
        answered,
        status=200,
        response_headers=None,
        response_body=None,
        duration_ms=5,
        error=None,
    )
    cut_off = sent(db)
    assert wire_log.close_unanswered(db) == 1
    entries = {e["id"]: e for e in wire_log.recent_exchanges(db, WIKI)}
    assert (entries[cut_off]["inFlight"], entries[cut_off]["error"]) == (False, wire_log.CUT_OFF)
    assert (entries[answered]["status"], entries[answered]["error"]) == (200, None)


def test_the_client_refuses_to_send_inside_a_transaction(db):
    client = ScimClient(db, ScimConnection(app_id=WIKI, base_url="http://127.0.0.1:9/scim/v2"))
    with atomic(db), pytest.raises(RuntimeError, match="outside database transactions"):
        client.get("/Users")
    assert wire_log.recent_exchanges(db, WIKI) == []


# --- the console's SCIM requests page -------------------------------------------------------------


def test_the_scim_requests_page_shows_a_request_in_flight_and_one_cut_off(console):
    db = console.db()
    try:
        sent(db, APP_ID)
        wire_log.close_unanswered(db)
        sent(db, APP_ID)
    finally:
        db.conn.close()
    html = console.text(f"{APP_URL}scim-requests")
    in_flight, cut_off = html.split('data-testid="scim-request"')[1:]
    assert 'data-in-flight="true"' in html
    assert "in flight" in in_flight
    assert "No response yet: the request is in flight." in in_flight
    assert "None ms" not in html
    assert "no answer" in cut_off
    assert wire_log.CUT_OFF in cut_off


def test_nothing_is_sent_or_recorded_for_an_event_a_reset_took_away(db):
    with pytest.raises(outbox.EventGone):
        wire_log.record_request(
            db,
            NOW,
            app_id=WIKI,
            event_id=99,
            method="POST",
            url="http://wiki.test/scim/v2/Users",
            request_headers={},
            request_body="{}",
        )
    assert wire_log.recent_exchanges(db, WIKI) == []


def test_the_answer_to_an_exchange_a_reset_wiped_stays_gone(db):
    exchange = sent(db)
    db.execute("delete from scim_requests")
    wire_log.record_response(
        db,
        exchange,
        status=200,
        response_headers={},
        response_body="{}",
        duration_ms=3,
        error=None,
    )
    assert wire_log.recent_exchanges(db, WIKI) == []
