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
