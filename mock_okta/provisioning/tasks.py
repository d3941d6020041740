"""Dashboard > Tasks: failed provisioning operations, retried or dismissed by an admin."""

from datetime import datetime

from sqlite_utils import Database

from mock_okta.errors import ResourceNotFound
from mock_okta.timestamps import okta_datetime


def list_tasks(db: Database) -> list[dict]:
    """Open tasks, oldest first."""
    rows = db.query(
        "select t.*, a.label as app_label from provisioning_tasks t "
        "join apps a on a.id = t.app_id where t.status = 'FAILED' order by t.seq"
    )
    return [task_json(row) for row in rows]


def task_json(row: dict) -> dict:
    """A task as the console JSON shows it."""
    return {
        "id": row["id"],
        "appId": row["app_id"],
        "appLabel": row.get("app_label"),
        "kind": row["kind"],
        "userId": row["user_id"],
        "groupId": row["group_id"],
        "mappingId": row["mapping_id"],
        "status": row["status"],
        "errorSummary": row["error_summary"],
        "created": okta_datetime(row["created"]),
        "lastUpdated": okta_datetime(row["last_updated"]),
    }


def require_task(db: Database, task_id: str) -> dict:
    """An open task, or E0000007."""
    rows = list(
        db.query("select * from provisioning_tasks where id = ? and status = 'FAILED'", [task_id])
    )
    if not rows:
        raise ResourceNotFound(task_id, "Task")
    return rows[0]


def retry_task(db: Database, now: datetime, task: dict) -> None:
    """Retry: the failed event goes back to the queue; a new failure opens a new task."""
    db["provisioning_events"].update(
        task["event_id"],
        {"status": "PENDING", "attempts": 0, "next_attempt_at": None, "finished": None},
    )
    db["provisioning_tasks"].update(
        task["id"], {"status": "RETRIED", "last_updated": now.isoformat()}
    )


def dismiss_task(db: Database, now: datetime, task: dict) -> None:
    """Dismiss: the task leaves the list; nothing is sent."""
    db["provisioning_tasks"].update(
        task["id"], {"status": "DISMISSED", "last_updated": now.isoformat()}
    )
