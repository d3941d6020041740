"""Dashboard > Dashboard and Dashboard > Tasks."""

import json

from sqlite_utils import Database

from mock_okta.timestamps import okta_datetime


def overview(db: Database) -> dict:
    """The Dashboard's counts, in one query."""
    row = next(
        db.query(
            "select (select count(*) from users where status != 'DEPROVISIONED') as people, "
            "(select count(*) from groups where type != 'APP_GROUP') as groups, "
            "(select count(*) from apps where status = 'ACTIVE') as apps, "
            "(select count(*) from provisioning_tasks where status = 'FAILED') as tasks, "
            "(select count(*) from group_push_mappings where status = 'ERROR') as push_errors"
        )
    )
    return dict(row)


def task_rows(db: Database) -> list[dict]:
    """Open provisioning tasks with the app, the person or group they concern, oldest first."""
    rows = db.query(
        "select t.id, t.kind, t.error_summary, t.created, t.user_id, t.group_id, "
        "a.id as app_id, a.name as app_name, a.label as app_label, "
        "u.profile as user_profile, g.name as group_name "
        "from provisioning_tasks t join apps a on a.id = t.app_id "
        "left join users u on u.id = t.user_id left join groups g on g.id = t.group_id "
        "where t.status = 'FAILED' order by t.seq"
    )
    return [_task(row) for row in rows]


def _task(row: dict) -> dict:
    profile = json.loads(row["user_profile"]) if row["user_profile"] else {}
    person = " ".join(p for p in (profile.get("firstName"), profile.get("lastName")) if p)
    return {
        "id": row["id"],
        "kind": row["kind"],
        "errorSummary": row["error_summary"],
        "created": okta_datetime(row["created"]),
        "appId": row["app_id"],
        "appName": row["app_name"],
        "appLabel": row["app_label"],
        "userId": row["user_id"],
        "person": person or row["user_id"],
        "groupId": row["group_id"],
        "groupName": row["group_name"],
    }
