"""Dashboard > Tasks: failed provisioning operations, retried or dismissed by an admin.

This module owns the `provisioning_tasks` table.
"""

from datetime import datetime
from enum import StrEnum

from sqlite_utils import Database

from mock_common.db import transactional
from mock_okta import outbox
from mock_okta.errors import ResourceNotFound
from mock_okta.storage.ids import new_id
from mock_okta.storage.pagination import next_seq
from mock_okta.timestamps import okta_datetime


class TaskStatus(StrEnum):
    """An open task is FAILED; an admin's Retry or Dismiss closes it."""

    FAILED = "FAILED"
    RETRIED = "RETRIED"
    DISMISSED = "DISMISSED"


@transactional
def open_task(db: Database, now: datetime, app_id: str, event: dict, task: dict) -> str:
    """A failed event becomes a task; `task` holds its errorSummary and what it is about."""
    task_id = new_id("tsk")
    stamp = now.isoformat()
    db["provisioning_tasks"].insert(
        {
            "id": task_id,
            "seq": next_seq(db, "provisioning_tasks"),
            "app_id": app_id,
            "event_id": event["id"],
            "kind": event["kind"],
            "user_id": task.get("userId"),
            "group_id": task.get("groupId"),
            "mapping_id": task.get("mappingId"),
            "status": TaskStatus.FAILED,
            "error_summary": task["errorSummary"],
            "created": stamp,
            "last_updated": stamp,
        }
    )
    return task_id


def list_tasks(db: Database) -> list[dict]:
    """Open tasks, oldest first, with their app's label."""
    rows = db.query(
        "select t.*, a.name as app_name, a.label as app_label from provisioning_tasks t "
        "join apps a on a.id = t.app_id where t.status = ? order by t.seq",
        [TaskStatus.FAILED],
    )
    return list(rows)


def tasks_being_retried(db: Database) -> list[dict]:
    """Tasks an admin retried whose push is not finished yet, oldest first, with their app's
    label (a new failure opens a new task)."""
    rows = list(
        db.query(
            "select t.*, a.name as app_name, a.label as app_label from provisioning_tasks t "
            "join apps a on a.id = t.app_id where t.status = ? order by t.seq",
            [TaskStatus.RETRIED],
        )
    )
    still_open = outbox.open_among(db, [row["event_id"] for row in rows])
    return [row for row in rows if row["event_id"] in still_open]


def count_open_tasks(db: Database) -> int:
    """How many tasks wait for an admin."""
    sql = "select count(*) as n from provisioning_tasks where status = ?"
    return next(db.query(sql, [TaskStatus.FAILED]))["n"]


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
        db.query(
            "select * from provisioning_tasks where id = ? and status = ?",
            [task_id, TaskStatus.FAILED],
        )
    )
    if not rows:
        raise ResourceNotFound(task_id, "Task")
    return rows[0]


def was_retried(db: Database, event_id: int) -> bool:
    """Whether an admin retried the task of this event (it is then being delivered again)."""
    rows = db.query(
        "select 1 from provisioning_tasks where event_id = ? and status = ? limit 1",
        [event_id, TaskStatus.RETRIED],
    )
    return bool(list(rows))


@transactional
def retry_task(db: Database, now: datetime, task_id: str) -> None:
    """Retry: the failed event goes back to the queue; a new failure opens a new task."""
    task = require_task(db, task_id)
    outbox.requeue(db, task["event_id"])
    _close(db, now, task["id"], TaskStatus.RETRIED)


@transactional
def dismiss_task(db: Database, now: datetime, task_id: str) -> None:
    """Dismiss: the task leaves the list; nothing is sent."""
    _close(db, now, require_task(db, task_id)["id"], TaskStatus.DISMISSED)


@transactional
def retry_tasks(db: Database, now: datetime, task_ids: list[str]) -> None:
    """Dashboard > Tasks > Retry Selected: every checked task, or none."""
    for task_id in task_ids:
        retry_task(db, now, task_id)


@transactional
def dismiss_tasks(db: Database, now: datetime, task_ids: list[str]) -> None:
    """Dashboard > Tasks > Dismiss: every checked task, or none."""
    for task_id in task_ids:
        dismiss_task(db, now, task_id)


@transactional
def retry_tasks_of_mapping(db: Database, now: datetime, mapping_id: str) -> None:
    """A full push of a failed group push retries its open tasks (a new failure opens one)."""
    db.execute(
        "update provisioning_tasks set status = ?, last_updated = ? "
        "where mapping_id = ? and status = ?",
        [TaskStatus.RETRIED, now.isoformat(), mapping_id, TaskStatus.FAILED],
    )


def _close(db: Database, now: datetime, task_id: str, status: TaskStatus) -> None:
    db["provisioning_tasks"].update(task_id, {"status": status, "last_updated": now.isoformat()})
