"""The SCIM wire log: every request Okta's SCIM client sent, and what came back.

This module owns the `scim_requests` table. The client records each request before it goes
out (committed, so a request cut off by a crash or kill is still there) and completes the
entry with the answer; the console's SCIM requests page and its JSON twin
(`GET /_mock/apps/{id}/scim-requests`) read the same entries through `recent_exchanges`.
"""

import json
from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_common.rows import insert_row, update_rows
from mock_okta import outbox
from mock_okta.timestamps import okta_datetime

#: The most entries one read returns.
MAX_ENTRIES = 1000


#: What an exchange left without an answer by a stopped Okta shows (`close_unanswered`).
CUT_OFF = (
    "No response: Okta stopped while the request was in flight "
    "(the server may have received and processed it)"
)


@transactional
def record_request(
    db: Database,
    now: datetime,
    *,
    app_id: str,
    event_id: int | None,
    method: str,
    url: str,
    request_headers: dict,
    request_body: str | None,
) -> int:
    """Keep a request about to be sent (the Authorization header already redacted by the
    caller); it shows as in flight until `record_response`. Returns the exchange's id.
    EventGone when the event it is sent for was reset away: nothing is sent then."""
    if event_id is not None:
        outbox.require_event(db, event_id)
    return insert_row(
        db,
        "scim_requests",
        {
            "app_id": app_id,
            "event_id": event_id,
            "sent": now.isoformat(),
            "method": method,
            "url": url,
            "request_headers": json.dumps(request_headers),
            "request_body": request_body,
        },
    )


@transactional
def record_response(
    db: Database,
    exchange_id: int,
    *,
    status: int | None,
    response_headers: dict | None,
    response_body: str | None,
    duration_ms: int,
    error: str | None,
) -> None:
    """Complete an exchange: the answer, or the transport error when none came. An exchange
    a reset wiped stays gone."""
    update_rows(
        db,
        "scim_requests",
        {"id": exchange_id},
        {
            "status": status,
            "response_headers": json.dumps(response_headers) if response_headers else None,
            "response_body": response_body,
            "duration_ms": duration_ms,
            "error": error,
        },
    )


@transactional
def close_unanswered(db: Database) -> int:
    """Exchanges left in flight by an Okta that stopped (killed, crashed) get `CUT_OFF`.

    Only the provisioning worker, as it starts, calls this: no request of its own is in
    flight yet. Returns how many there were.
    """
    cursor = db.execute(
        "update scim_requests set error = ? where duration_ms is null and error is null",
        [CUT_OFF],
    )
    return cursor.rowcount


def recent_exchanges(
    db: Database, app_id: str, limit: int = 100, before: int | None = None
) -> list[dict]:
    """The app's last `limit` exchanges (at most MAX_ENTRIES) older than the exchange
    `before` when given, oldest first.

    Each is {id, sent (Okta's timestamp format), method, url, requestHeaders, requestBody,
    inFlight, status, responseHeaders, responseBody, durationMs, error}; JSON bodies are
    parsed. `inFlight` is true while no answer (nor transport error) is recorded: status,
    response and duration are then null.
    """
    limit = max(1, min(limit, MAX_ENTRIES))
    rows = db.query(
        "select * from (select * from scim_requests where app_id = ? and id < ? "
        "order by id desc limit ?) order by id",
        [app_id, before if before is not None else 2**63 - 1, limit],
    )
    return [_exchange(row) for row in rows]


def _exchange(row: dict) -> dict:
    return {
        "id": row["id"],
        "sent": okta_datetime(row["sent"]),
        "method": row["method"],
        "url": row["url"],
        "requestHeaders": json.loads(row["request_headers"]),
        "requestBody": _parsed(row["request_body"]),
        "inFlight": row["duration_ms"] is None and row["error"] is None,
        "status": row["status"],
        "responseHeaders": json.loads(row["response_headers"] or "null"),
        "responseBody": _parsed(row["response_body"]),
        "durationMs": row["duration_ms"],
        "error": row["error"],
    }


def _parsed(text: str | None) -> object:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text
