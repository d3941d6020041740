"""Reports > System Log: events newest first, searched by expression or by text."""

import re
from datetime import datetime, timedelta

from sqlite_utils import Database

from mock_okta import system_log
from mock_okta.timestamps import okta_datetime

#: A search that is a filter expression (`eventType eq "…"`, `target.id eq "…"`, …).
_EXPRESSION = re.compile(r'^\s*[A-Za-z.]+\s+(eq|sw|co|ne|gt|lt|ge|le)\s+"', re.IGNORECASE)
OUTCOMES = ("SUCCESS", "FAILURE")
#: Okta's System Log opens on the last 24 hours; the simulator shows the last 7 days.
WINDOW = timedelta(days=7)
PAGE_SIZE = 100


def search(
    db: Database, now: datetime, *, text: str, outcome: str, after: str | None = None
) -> tuple[list[dict], str | None]:
    """A page of the last seven days' events, newest first, and the next page's cursor;
    `text` is an expression or free text."""
    filters, q = [], None
    text = text.strip()
    if text and _EXPRESSION.match(text):
        filters.append(f"({text})")
    elif text:
        q = text
    if outcome in OUTCOMES:
        filters.append(f'outcome.result eq "{outcome}"')
    events, cursor = system_log.list_events(
        db,
        since=now - WINDOW,
        until=None,
        filter_=" and ".join(filters) or None,
        q=q,
        descending=True,
        after=after,
        limit=PAGE_SIZE,
    )
    return [_row(event) for event in events], cursor


def _row(event: dict) -> dict:
    actor = event.get("actor") or {}
    outcome = event.get("outcome") or {}
    return {
        "uuid": event["uuid"],
        "published": okta_datetime(event["published"]),
        "eventType": event["eventType"],
        "displayMessage": event["displayMessage"],
        "severity": event.get("severity"),
        "actor": actor.get("displayName") or actor.get("alternateId") or "",
        "actorId": actor.get("alternateId") or "",
        "outcome": outcome.get("result"),
        "reason": outcome.get("reason"),
        "targets": [
            {"type": t.get("type"), "name": t.get("displayName") or t.get("alternateId")}
            for t in event.get("target") or []
        ],
    }
