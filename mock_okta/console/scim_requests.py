"""The SCIM requests page: what Okta sent to the app and what came back, newest first."""

import json

from sqlite_utils import Database

from mock_okta.provisioning import wire_log

#: The most exchanges one page shows (the wire log's own read limit).
PAGE_LIMIT = wire_log.MAX_ENTRIES


def recent_requests(
    db: Database, app_id: str, limit: int = 100, before: int | None = None
) -> tuple[list[dict], str | None]:
    """A page of the app's SCIM wire log, newest first, bodies pretty-printed, and the cursor
    of the next (older) page when there may be one."""
    exchanges = wire_log.recent_exchanges(db, app_id, limit, before)
    cursor = str(exchanges[0]["id"]) if len(exchanges) == limit else None
    return [_entry(exchange) for exchange in reversed(exchanges)], cursor


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
