"""The app's Assignments tab: people (with the red "!"), groups, and the Assign dialogs."""

import json

from sqlite_utils import Database

from mock_okta.provisioning import assignment_status as status


def people_rows(db: Database, app_id: str) -> list[dict]:
    """Assigned people (directly or through a group) with Okta's provisioning message."""
    return [
        {**row, "type": "Individual" if row["scope"] == "USER" else "Group"}
        for row in status.assignments_tab(db, app_id)
    ]


def group_rows(db: Database, app_id: str) -> list[dict]:
    """Assigned groups, by priority."""
    rows = db.query(
        "select g.id, g.name, g.description, ag.priority from app_groups ag "
        "join groups g on g.id = ag.group_id where ag.app_id = ? order by ag.priority, ag.seq",
        [app_id],
    )
    return [dict(row) for row in rows]


def people_to_assign(db: Database, app_id: str) -> list[dict]:
    """Assign to People: everyone who can be assigned, and whether they already are directly."""
    rows = db.query(
        "select u.id, u.profile, u.status, coalesce(au.direct, 0) as assigned from users u "
        "left join app_users au on au.user_id = u.id and au.app_id = ? "
        "where u.status != 'DEPROVISIONED' order by u.seq limit 500",
        [app_id],
    )
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
    rows = db.query(
        "select g.id, g.name, g.description, (ag.group_id is not null) as assigned from groups g "
        "left join app_groups ag on ag.group_id = g.id and ag.app_id = ? "
        "where g.type != 'APP_GROUP' order by g.seq limit 500",
        [app_id],
    )
    return [{**row, "assigned": bool(row["assigned"])} for row in rows]


def person_to_provision(db: Database, app_id: str, user_id: str) -> dict | None:
    """The row the Provision User dialog is about, if it still offers the action."""
    for row in people_rows(db, app_id):
        if row["userId"] == user_id and row["canProvisionUser"]:
            return row
    return None
