"""Deactivating a user (UserDeactivator, reference §3.7): tokens, memberships, permissions and
sessions go, the row stays, inactive; optionally anonymized as well (UserAnonymizer).

Whoever deactivates decides what is refused first: an administrator (`user_admin`) or the SCIM
server (`mock_sonar/scim/service.py`).
"""

from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_sonar.accounts import memberships, permissions, scim_mapping, sessions, tokens, users
from mock_sonar.errors import BadRequest


@transactional
def deactivate_user(db: Database, now: datetime, user: dict) -> dict:
    """UserDeactivator: remove tokens, memberships, permissions and sessions, then deactivate."""
    if permissions.is_system_administrator(
        db, user["uuid"]
    ) and not permissions.has_other_active_administrator(db, user["uuid"]):
        raise BadRequest("User is last administrator, and cannot be deactivated")
    tokens.delete_user_tokens(db, user["uuid"])
    memberships.leave_all_groups(db, user["uuid"])
    permissions.revoke_user_permissions(db, user["uuid"])
    sessions.delete_user_sessions(db, user["uuid"])
    return users.set_inactive(db, now, user)


@transactional
def anonymize_user(db: Database, now: datetime, user: dict) -> dict:
    """UserAnonymizer: an `sq-removed-` login replaces every identifying field; no SCIM id."""
    user = users.anonymize(db, now, user)
    scim_mapping.unmap_user_of(db, user["uuid"])
    return user
