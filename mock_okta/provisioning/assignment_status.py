"""What the Assignments tab shows per user: the provisioning state and the red "!" (§3.3, §4)."""

import json

from sqlite_utils import Database

from mock_okta.applications import assignments

#: Okta's message for users assigned before provisioning was enabled (reference/okta.md §4).
ASSIGNED_BEFORE_PROVISIONING = (
    "User was assigned this application before Provisioning was enabled and not provisioned "
    "in the downstream application. Click Provision User."
)


def assignments_tab(db: Database, app_id: str) -> list[dict]:
    """Every app user with its scope, status and, when something needs attention, the message."""
    return [_row_json(row) for row in assignments.app_users_with_profiles(db, app_id)]


def assignments_tab_page(
    db: Database, app_id: str, *, q: str | None, after: str | None, limit: int
) -> tuple[list[dict], str | None]:
    """A page of `assignments_tab` (by name), and the next page's cursor."""
    rows, cursor = assignments.app_users_page(db, app_id, q=q, after=after, limit=limit)
    return [_row_json(row) for row in rows], cursor


def assignment_row(db: Database, app_id: str, user_id: str) -> dict | None:
    """One user's row of `assignments_tab`, or None when not assigned."""
    row = assignments.app_user_with_profile(db, app_id, user_id)
    return _row_json(row) if row else None


def _row_json(row: dict) -> dict:
    profile = json.loads(row["user_profile"])  # app_users has a `profile` column too
    problem = None
    if row["sync_state"] == assignments.SyncState.ERROR and row["error_summary"]:
        problem = row["error_summary"]
    elif row["provisioned_before_enabled"]:
        problem = ASSIGNED_BEFORE_PROVISIONING
    return {
        "userId": row["user_id"],
        "userName": row["user_name"],
        "displayName": " ".join(
            p for p in (profile.get("firstName"), profile.get("lastName")) if p
        ),
        "scope": "USER" if row["direct"] else "GROUP",
        "status": row["status"],
        "syncState": row["sync_state"],
        "externalId": row["external_id"],
        # The red exclamation mark and the text shown when it is clicked.
        "provisioningIssue": problem,
        "canProvisionUser": bool(row["provisioned_before_enabled"]),
    }
