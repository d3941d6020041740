"""The app's Assignments tab: people (with the red "!"), groups, and the Assign dialogs."""

import json

from sqlite_utils import Database

from mock_okta import outbox
from mock_okta.applications import assignments
from mock_okta.directory import users
from mock_okta.outbox import EventKind
from mock_okta.provisioning import assignment_status as status

#: People per page on the Assignments tab and in the Assign to People dialog.
PAGE_SIZE = 200


def people_rows(
    db: Database, app_id: str, *, q: str | None = None, after: str | None = None
) -> tuple[list[dict], str | None]:
    """A page of the assigned people (directly or through a group) with Okta's provisioning
    message, and the next page's cursor."""
    rows, cursor = status.assignments_tab_page(db, app_id, q=q, after=after, limit=PAGE_SIZE)
    return _with_push_state(db, app_id, rows), cursor


def _with_push_state(db: Database, app_id: str, rows: list[dict]) -> list[dict]:
    """The rows with their type and whether the push that clears their "!" is on its way
    (shown as pending instead): a Provision User, or a retry of a failed push."""
    provisioning = outbox.users_with_open_work(db, app_id, (EventKind.PROVISION_USER,))
    retrying = outbox.users_with_open_work(db, app_id)
    return [
        {
            **row,
            "type": "Individual" if row["scope"] == "USER" else "Group",
            "pushPending": row["userId"] in provisioning
            or (row["syncState"] == assignments.SyncState.ERROR and row["userId"] in retrying),
        }
        for row in rows
    ]


def group_rows(db: Database, app_id: str) -> list[dict]:
    """Assigned groups, by priority."""
    return assignments.app_groups_with_names(db, app_id)


def people_to_assign(
    db: Database, app_id: str, *, q: str | None = None, after: str | None = None
) -> tuple[list[dict], str | None]:
    """Assign to People: a page of everyone who can be assigned (the People search), whether
    each already is directly, and the next page's cursor."""
    rows, cursor = users.list_users(db, q=q or None, after=after, limit=PAGE_SIZE)
    assigned = assignments.directly_assigned(db, app_id, [row["id"] for row in rows])
    result = []
    for row in rows:
        profile = json.loads(row["profile"])
        name = " ".join(p for p in (profile.get("firstName"), profile.get("lastName")) if p)
        result.append(
            {
                "id": row["id"],
                "name": name,
                "login": profile.get("login"),
                "assigned": row["id"] in assigned,
            }
        )
    return result, cursor


def groups_to_assign(db: Database, app_id: str, q: str | None = None) -> list[dict]:
    """Assign to Groups: Okta and built-in groups (named like `q`), and whether each is
    assigned."""
    rows = assignments.assignable_groups(db, app_id, limit=500, name_starts_with=(q or "").strip())
    return [{**row, "assigned": bool(row["assigned"])} for row in rows]


def person_to_provision(db: Database, app_id: str, user_id: str) -> dict | None:
    """The row the Provision User dialog is about, if it still offers the action."""
    row = status.assignment_row(db, app_id, user_id)
    if row is None or not row["canProvisionUser"]:
        return None
    return _with_push_state(db, app_id, [row])[0]
