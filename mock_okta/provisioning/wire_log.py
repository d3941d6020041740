"""The SCIM wire log: every request Okta's SCIM client sent, and what came back.

This module owns the `scim_requests` table: the client records each exchange as it happens;
the console's SCIM requests page and its JSON twin (`GET /_mock/apps/{id}/scim-requests`)
read the same entries through `recent_exchanges`.
"""

import json
from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_okta.timestamps import okta_datetime

#: The most entries one read returns.
MAX_ENTRIES = 1000


@transactional
def record(
    db: Database,
    now: datetime,
    *,
    app_id: str,
    event_id: int | None,
    method: str,
    url: str,
    request_headers: dict,
    request_body: str | None,
    status: int | None,
    response_headers: dict | None,
    response_body: str | None,
    duration_ms: int,
    error: str | None,
) -> None:
    """Keep one exchange (the Authorization header already redacted by the caller)."""
    db["scim_requests"].insert(
        {
            "app_id": app_id,
            "event_id": event_id,
            "sent": now.isoformat(),
            "method": method,
            "url": url,
            "request_headers": json.dumps(request_headers),
            "request_body": request_body,
            "status": status,
            "response_headers": json.dumps(response_headers) if response_headers else None,
            "response_body": response_body,
            "duration_ms": duration_ms,
            "error": error,
        }
    )


def recent_exchanges(db: Database, app_id: str, limit: int = 100) -> list[dict]:
    """The app's last `limit` exchanges (at most MAX_ENTRIES), oldest first.

    Each is {id, sent (Okta's timestamp format), method, url, requestHeaders, requestBody,
    status, responseHeaders, responseBody, durationMs, error}; JSON bodies are parsed.
    """
    limit = max(1, min(limit, MAX_ENTRIES))
    rows = db.query(
        "select * from (select * from scim_requests where app_id = ? order by id desc "
        "limit ?) order by id",
        [app_id, limit],
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
