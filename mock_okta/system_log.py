"""The System Log: every directory, assignment and provisioning event, as LogEvent objects."""

import json
import uuid
from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_common.rows import insert_row
from mock_okta.storage.filters import AttributeMap, to_sql
from mock_okta.storage.pagination import next_seq

SYSTEM_ACTOR = {
    "id": "system",
    "type": "SystemPrincipal",
    "alternateId": "system@okta.com",
    "displayName": "Okta System",
    "detailEntry": None,
}


def user_target(user: dict) -> dict:
    """A User as an event actor or target."""
    profile = json.loads(user["profile"]) if isinstance(user["profile"], str) else user["profile"]
    name = " ".join(p for p in (profile.get("firstName"), profile.get("lastName")) if p)
    return {
        "id": user["id"],
        "type": "User",
        "alternateId": profile.get("login"),
        "displayName": name or profile.get("login"),
        "detailEntry": None,
    }


def group_target(group: dict) -> dict:
    """A UserGroup as an event target."""
    return {
        "id": group["id"],
        "type": "UserGroup",
        "alternateId": "unknown",
        "displayName": group["name"],
        "detailEntry": None,
    }


def app_target(app: dict) -> dict:
    """An AppInstance as an event target."""
    return {
        "id": app["id"],
        "type": "AppInstance",
        "alternateId": app["label"],
        "displayName": app["label"],
        "detailEntry": {"signOnModeType": app["sign_on_mode"]},
    }


@transactional
def record(
    db: Database,
    now: datetime,
    event_type: str,
    display_message: str,
    *,
    actor: dict | None = None,
    targets: list[dict] | None = None,
    outcome: str = "SUCCESS",
    reason: str | None = None,
    severity: str = "INFO",
    debug_data: dict | None = None,
    transaction_id: str | None = None,
) -> dict:
    """Append one event; returns it in the API's shape."""
    event = {
        "uuid": str(uuid.uuid4()),
        "published": now.isoformat(),
        "eventType": event_type,
        "version": "0",
        "severity": severity,
        "legacyEventType": None,
        "displayMessage": display_message,
        "actor": actor or SYSTEM_ACTOR,
        "client": {
            "userAgent": None,
            "zone": "null",
            "device": "Unknown",
            "id": None,
            "ipAddress": "127.0.0.1",
            "geographicalContext": None,
        },
        "outcome": {"result": outcome, "reason": reason},
        "target": targets or [],
        "transaction": {"type": "WEB", "id": transaction_id, "detail": {}},
        "debugContext": {"debugData": debug_data or {}},
        "authenticationContext": {
            "authenticationProvider": None,
            "credentialProvider": None,
            "credentialType": None,
            "issuer": None,
            "externalSessionId": None,
            "interface": None,
        },
        "securityContext": {
            "asNumber": None,
            "asOrg": None,
            "isp": None,
            "domain": None,
            "isProxy": None,
        },
        "request": {"ipChain": []},
    }
    insert_row(
        db,
        "system_log",
        {
            "uuid": event["uuid"],
            "seq": next_seq(db, "system_log"),
            "published": now.isoformat(),
            "event_type": event_type,
            "severity": severity,
            "display_message": display_message,
            "outcome_result": outcome,
            "body": json.dumps(event),
        },
    )
    return event


_LOG_ATTRIBUTES = AttributeMap(
    {
        "eventType": "event_type",
        "severity": "severity",
        "outcome.result": "outcome_result",
        "displayMessage": "display_message",
        "uuid": "uuid",
        "actor.id": "json_extract(body, '$.actor.id')",
        "actor.alternateId": "json_extract(body, '$.actor.alternateId')",
        "target.id": "(select group_concat(json_extract(t.value, '$.id')) "
        "from json_each(json_extract(body, '$.target')) t)",
    },
    profile_column=None,
)


def list_events(
    db: Database,
    *,
    since: datetime,
    until: datetime | None,
    filter_: str | None,
    q: str | None,
    descending: bool,
    after: str | None,
    limit: int,
) -> tuple[list[dict], str | None]:
    """Events published in [since, until), filtered, oldest first unless descending."""
    where = ["published >= :since"]
    params: dict = {"since": since.isoformat()}
    if until is not None:
        where.append("published < :until")
        params["until"] = until.isoformat()
    if filter_:
        sql, values = to_sql(filter_, _LOG_ATTRIBUTES)
        where.append(sql)
        params.update(values)
    for index, word in enumerate((q or "").split()):
        where.append(f"body like :q{index}")
        params[f"q{index}"] = f"%{word}%"
    order = "desc" if descending else "asc"
    if after:
        where.append(
            f"seq {'<' if descending else '>'} "
            "coalesce((select seq from system_log where uuid = :after), 0)"
        )
        params["after"] = after
    rows = list(
        db.query(
            f"select * from system_log where {' and '.join(where)} order by seq {order} "
            "limit :limit",
            {**params, "limit": limit + 1},
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return [json.loads(row["body"]) for row in rows], (rows[-1]["uuid"] if more else None)
