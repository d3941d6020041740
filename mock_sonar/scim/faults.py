"""Injected failures for the SCIM endpoints (SPEC §6 `POST /_mock/faults`).

A fault matches the next requests (optionally only one method and/or a path fragment) and makes
them slow, fail with a status, or answer a malformed body, so an IdP's error handling can be tested.
"""

import json
import re
from dataclasses import dataclass

from sqlite_utils import Database

from mock_common.db import transactional
from mock_sonar.errors import BadRequest

#: A fault lasts at most this many requests (SQLite holds the count in a 64-bit integer).
MAX_COUNT = 1_000_000
_BREAKS_HEADER = re.compile(r"[\r\n\x00]")


@dataclass(frozen=True)
class Fault:
    """What to do with the request a fault matched: wait, then answer this instead (a status
    alone gets a SCIM error body; neither status nor body lets the request through)."""

    status: int | None
    delay_seconds: float
    body: str | None
    content_type: str | None
    headers: dict[str, str]


@transactional
def add_fault(db: Database, spec: dict) -> dict:
    """Queue a fault: {"count": 1, "status": 503, "delaySeconds": 0, "body": "...",
    "contentType": "text/plain", "headers": {"Retry-After": "2"}, "method": "POST",
    "path": "/Users"}."""
    count = spec.get("count", 1)
    status = spec.get("status")
    delay = spec.get("delaySeconds", 0)
    if not _is_int(count) or not 1 <= count <= MAX_COUNT:
        raise BadRequest(f"'count' must be a positive integer (at most {MAX_COUNT})")
    if status is not None and (not _is_int(status) or not 100 <= status <= 599):
        raise BadRequest("'status' must be an HTTP status code")
    if not isinstance(delay, int | float) or isinstance(delay, bool) or not 0 <= delay <= 300:
        raise BadRequest("'delaySeconds' must be a number between 0 and 300")
    if status is None and not delay and spec.get("body") is None:
        raise BadRequest("A fault needs a 'status', a 'delaySeconds' or a 'body'")
    for key in ("body", "contentType", "method", "path"):
        if spec.get(key) is not None and not isinstance(spec[key], str):
            raise BadRequest(f"'{key}' must be a string")
    headers = spec.get("headers", {})
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        raise BadRequest("'headers' must be an object of strings")
    # A header that cannot be sent would fail the SCIM request the fault is meant for.
    if any(_BREAKS_HEADER.search(text) for text in [*headers, *headers.values()]) or (
        spec.get("contentType") and _BREAKS_HEADER.search(spec["contentType"])
    ):
        raise BadRequest("Header names and values must not contain CR, LF or NUL")
    row = {
        "remaining": count,
        "status": status,
        "delay_seconds": float(delay),
        "body": spec.get("body"),
        "content_type": spec.get("contentType"),
        "headers": json.dumps(headers),
        "method": spec.get("method"),
        "path": spec.get("path"),
    }
    fault_id = db["_mock_faults"].insert(row).last_pk
    return {"id": fault_id, **_public(row)}


def take_fault(db: Database, method: str, path: str) -> Fault | None:
    """Consume one use of the first fault matching the request, if any."""
    # Read first: with no fault pending (the usual case) no write transaction is opened.
    if next(db.query("select exists(select 1 from _mock_faults where remaining > 0) as n"))["n"]:
        return _take_fault(db, method, path)
    return None


@transactional
def _take_fault(db: Database, method: str, path: str) -> Fault | None:
    for row in db.query("select * from _mock_faults where remaining > 0 order by id"):
        if row["method"] and row["method"].upper() != method.upper():
            continue
        if row["path"] and row["path"] not in path:
            continue
        db.execute("update _mock_faults set remaining = remaining - 1 where id = ?", [row["id"]])
        return Fault(
            status=row["status"],
            delay_seconds=row["delay_seconds"],
            body=row["body"],
            content_type=row["content_type"],
            headers=json.loads(row["headers"]),
        )
    return None


@transactional
def clear(db: Database) -> None:
    """Remove every pending fault."""
    db.execute("delete from _mock_faults")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _public(row: dict) -> dict:
    return {
        "count": row["remaining"],
        "status": row["status"],
        "delaySeconds": row["delay_seconds"],
        "body": row["body"],
        "contentType": row["content_type"],
        "headers": json.loads(row["headers"]),
        "method": row["method"],
        "path": row["path"],
    }
