"""The one place where changes that cause SCIM traffic are handed over for delivery.

The domain calls `enqueue` inside the transaction of the change that causes it, so an event
exists exactly when its change committed (a transactional outbox). The push engine delivers
them in order; until it is configured, events simply wait.
"""

import json
from datetime import datetime

from sqlite_utils import Database

#: What Okta reacts to (reference/okta.md §5.8).
USER_ASSIGNED = "USER_ASSIGNED"  # an app user appeared (directly or via a group)
USER_UNASSIGNED = "USER_UNASSIGNED"  # the app user is gone
USER_PROFILE_CHANGED = "USER_PROFILE_CHANGED"  # a mapped attribute of an app user changed
USER_DEACTIVATED = "USER_DEACTIVATED"  # the Okta user was deactivated
GROUP_MEMBERSHIP_CHANGED = "GROUP_MEMBERSHIP_CHANGED"  # a member of a pushed group changed
GROUP_RENAMED = "GROUP_RENAMED"  # a pushed group's name changed
PUSH_MAPPING_CREATED = "PUSH_MAPPING_CREATED"
PUSH_MAPPING_ACTIVATED = "PUSH_MAPPING_ACTIVATED"
PUSH_MAPPING_DELETED = "PUSH_MAPPING_DELETED"  # payload says whether to delete the target
PUSH_NOW = "PUSH_NOW"  # Push Now: the full member list of a pushed group
PROVISION_USER = "PROVISION_USER"  # Assignments > Provision User (assigned before provisioning)

KINDS = (
    USER_ASSIGNED,
    USER_UNASSIGNED,
    USER_PROFILE_CHANGED,
    USER_DEACTIVATED,
    GROUP_MEMBERSHIP_CHANGED,
    GROUP_RENAMED,
    PUSH_MAPPING_CREATED,
    PUSH_MAPPING_ACTIVATED,
    PUSH_MAPPING_DELETED,
    PUSH_NOW,
    PROVISION_USER,
)


def enqueue(db: Database, now: datetime, app_id: str, kind: str, **payload: object) -> int:
    """Record a provisioning event for an app; returns its id."""
    if kind not in KINDS:
        raise ValueError(f"unknown provisioning event {kind}")
    resource = payload.get("userId") or payload.get("groupId") or payload.get("mappingId")
    row = {
        "app_id": app_id,
        "kind": kind,
        "payload": json.dumps(payload),
        "resource": resource,
        "created": now.isoformat(),
        "status": "PENDING",
    }
    return db["provisioning_events"].insert(row).last_pk


def pending(db: Database, app_id: str | None = None) -> list[dict]:
    """Events not yet delivered, oldest first."""
    where, params = "status = 'PENDING'", []
    if app_id:
        where, params = where + " and app_id = ?", [app_id]
    rows = db.query(f"select * from provisioning_events where {where} order by id", params)
    return [{**row, "payload": json.loads(row["payload"])} for row in rows]
