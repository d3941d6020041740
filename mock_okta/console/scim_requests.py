"""The SCIM requests page: what Okta sent to the app and what came back, newest first."""

import json

from sqlite_utils import Database

from mock_okta.provisioning import wire_log


def recent_requests(db: Database, app_id: str, limit: int = 100) -> list[dict]:
    """The newest exchanges of the app's SCIM wire log first, bodies pretty-printed."""
    exchanges = wire_log.recent_exchanges(db, app_id, limit)
    return [_entry(exchange) for exchange in reversed(exchanges)]


def _entry(exchange: dict) -> dict:
    return {
        **exchange,
        "requestHeaders": list((exchange["requestHeaders"] or {}).items()),
        "requestBody": _pretty(exchange["requestBody"]),
        "responseHeaders": list((exchange["responseHeaders"] or {}).items()),
        "responseBody": _pretty(exchange["responseBody"]),
    }


def _pretty(body: object) -> str:
    if body is None or body == "":
        return ""
    return body if isinstance(body, str) else json.dumps(body, indent=2)
