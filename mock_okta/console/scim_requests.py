"""The SCIM requests page: what Okta sent to the app and what came back, newest first."""

import json

from sqlite_utils import Database

from mock_okta.timestamps import okta_datetime

MAX_ROWS = 500


def recent_requests(db: Database, app_id: str, limit: int = 100) -> list[dict]:
    """The newest requests of the app's SCIM wire log, bodies pretty-printed."""
    rows = db.query(
        "select * from scim_requests where app_id = ? order by id desc limit ?",
        [app_id, max(1, min(limit, MAX_ROWS))],
    )
    return [_entry(row) for row in rows]


def _entry(row: dict) -> dict:
    return {
        "id": row["id"],
        "sent": okta_datetime(row["sent"]),
        "method": row["method"],
        "url": row["url"],
        "status": row["status"],
        "durationMs": row["duration_ms"],
        "error": row["error"],
        "requestHeaders": _headers(row["request_headers"]),
        "requestBody": _pretty(row["request_body"]),
        "responseHeaders": _headers(row["response_headers"]),
        "responseBody": _pretty(row["response_body"]),
    }


def _headers(raw: str | None) -> list[tuple[str, str]]:
    return list((json.loads(raw) or {}).items()) if raw else []


def _pretty(text: str | None) -> str:
    if not text:
        return ""
    try:
        return json.dumps(json.loads(text), indent=2)
    except ValueError:
        return text
