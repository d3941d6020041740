"""The app's Assignments tab: people (with the red "!"), groups, and the Assign dialogs."""

import json

from sqlite_utils import Database

from mock_okta import outbox
from mock_okta.applications import assignments
from mock_okta.outbox import EventKind
from mock_okta.provisioning import assignment_status as status


def people_rows(db: Database, app_id: str) -> list[dict]:
    """Assigned people (directly or through a group) with Okta's provisioning message, and
    whether the push that clears their "!" is on its way (shown as pending instead): a
    Provision User, or a retry of a failed push."""
    provisioning = outbox.users_with_open_work(db, app_id, (EventKind.PROVISION_USER,))
    retrying = outbox.users_with_open_work(db, app_id)
    return [
        {
            **row,
            "type": "Individual" if row["scope"] == "USER" else "Group",
            "pushPending": row["userId"] in provisioning
            or (row["syncState"] == assignments.SyncState.ERROR and row["userId"] in retrying),
        }
        for row in status.assignments_tab(db, app_id)
    ]


def group_rows(db: Database, app_id: str) -> list[dict]:
    """Assigned groups, by priority."""
    return assignments.app_groups_with_names(db, app_id)


def people_to_assign(db: Database, app_id: str) -> list[dict]:
    """Assign to People: everyone who can be assigned, and whether they already are directly."""
    rows = assignments.assignable_users(db, app_id, limit=500)
    result = []
    for row in rows:
        profile = json.loads(row["profile"])
        name = " ".join(p for p in (profile.get("firstName"), profile.get("lastName")) if p)
        result.append(
            {
                "id": row["id"],
                "name": name,
                "login": profile.get("login"),
                "assigned": bool(row["assigned"]),
            }
        )
    return result


def groups_to_assign(db: Database, app_id: str) -> list[dict]:
    """Assign to Groups: Okta and built-in groups, and whether each is assigned."""
    rows = assignments.assignable_groups(db, app_id, limit=500)
    return [{**row, "assigned": bool(row["assigned"])} for row in rows]


def person_to_provision(db: Database, app_id: str, user_id: str) -> dict | None:
    """The row the Provision User dialog is about, if it still offers the action."""
    for row in people_rows(db, app_id):
        if row["userId"] == user_id and row["canProvisionUser"]:
            return row
    return None
