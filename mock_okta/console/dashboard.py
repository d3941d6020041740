"""Dashboard > Dashboard and Dashboard > Tasks."""

from sqlite_utils import Database

from mock_okta.applications import apps
from mock_okta.directory import groups, users
from mock_okta.group_push import mappings as push_mappings
from mock_okta.provisioning import tasks
from mock_okta.timestamps import okta_datetime


def overview(db: Database) -> dict:
    """The Dashboard's counts."""
    return {
        "people": users.count_users(db),
        "groups": groups.count_groups(db),
        "apps": apps.count_active_apps(db),
        "tasks": tasks.count_open_tasks(db),
        "push_errors": push_mappings.count_failed(db),
    }


def task_rows(db: Database) -> list[dict]:
    """Open provisioning tasks with the app, the person or group they concern, oldest first."""
    return [_task(db, row) for row in tasks.list_tasks(db)]


def retrying_task_rows(db: Database) -> list[dict]:
    """Tasks retried by an admin and not finished yet (shown as pending), oldest first."""
    return [_task(db, row) for row in tasks.tasks_being_retried(db)]


def _task(db: Database, row: dict) -> dict:
    user = users.get_user_by_id(db, row["user_id"]) if row["user_id"] else None
    profile = users.profile_of(user) if user else {}
    person = " ".join(p for p in (profile.get("firstName"), profile.get("lastName")) if p)
    group = groups.get_group(db, row["group_id"]) if row["group_id"] else None
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
        "groupName": group["name"] if group else None,
    }
