"""Deactivating a user (UserDeactivator, reference §3.7): tokens, memberships, permissions and
sessions go, the row stays, inactive; optionally anonymized as well (UserAnonymizer)."""

from datetime import datetime

from sqlite_utils import Database

from ..errors import BadRequest, ManagedInstance
from . import management, memberships, permissions, scim_mapping, sessions, tokens, users

SELF_DEACTIVATION = "Self-deactivation is not possible"


def deactivate_user(db: Database, now: datetime, user: dict) -> dict:
    """UserDeactivator: remove tokens, memberships, permissions and sessions, then deactivate."""
    if permissions.count_other_active_administrators(
        db, user["uuid"]
    ) == 0 and permissions.is_system_administrator(db, user["uuid"]):
        raise BadRequest("User is last administrator, and cannot be deactivated")
    tokens.delete_user_tokens(db, user["uuid"])
    memberships.leave_all_groups(db, user["uuid"])
    permissions.revoke_user_permissions(db, user["uuid"])
    sessions.delete_user_sessions(db, user["uuid"])
    return users.set_inactive(db, now, user)


def check_not_self_deactivation(actor_uuid: str, user_uuid: str) -> None:
    """DeactivateAction: an administrator cannot deactivate their own account."""
    if actor_uuid == user_uuid:
        raise BadRequest(SELF_DEACTIVATION)


def deactivate_by_admin(
    db: Database, now: datetime, user: dict, *, anonymize: bool = False
) -> dict:
    """UserService.deactivate (Web API): managed users are refused; optionally anonymized."""
    if management.is_user_managed(db, user["uuid"]):
        raise ManagedInstance()
    user = deactivate_user(db, now, user)
    return anonymize_user(db, now, user) if anonymize else user


def anonymize_user(db: Database, now: datetime, user: dict) -> dict:
    """UserAnonymizer: an `sq-removed-` login replaces every identifying field; no SCIM id."""
    user = users.anonymize(db, now, user)
    scim_mapping.unmap_user_of(db, user["uuid"])
    return user
