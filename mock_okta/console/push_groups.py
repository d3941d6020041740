"""The app's Push Groups tab: pushed groups, push rules, and the forms that create them."""

from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_okta.applications import apps
from mock_okta.directory import groups
from mock_okta.errors import ApiValidationFailed
from mock_okta.group_push import mappings as push_mappings
from mock_okta.group_push import rules as push_rules
from mock_okta.timestamps import okta_datetime

STATUS_LABELS = {"ACTIVE": "Active", "INACTIVE": "Inactive", "ERROR": "Error"}
#: Find groups by rule: the operators Okta offers (no regular expressions).
OPERATORS = (("startsWith", "starts with"), ("contains", "contains"))
FILTERS = ("all", "by-name", "by-rule", "errors")


def pushed_groups(
    db: Database, app_id: str, filter_: str, rule_id: str | None = None
) -> list[dict]:
    """Pushed groups: All, By name, By rule (optionally one rule), Errors."""
    rows = push_mappings.pushed_groups(
        db,
        app_id,
        by_rule={"by-name": False, "by-rule": True}.get(filter_),
        rule_id=rule_id if filter_ == "by-rule" else None,
        errors_only=filter_ == "errors",
    )
    return [_mapping_row(row) for row in rows]


def _mapping_row(row: dict) -> dict:
    return {
        "id": row["id"],
        "sourceGroupId": row["source_group_id"],
        "sourceName": row["source_name"],
        "targetName": row["target_group_name"] or row["source_name"],
        "status": row["status"],
        "statusLabel": STATUS_LABELS.get(row["status"], row["status"]),
        "errorSummary": row["error_summary"],
        "lastPush": okta_datetime(row["last_push"]),
        "ruleName": row["rule_name"],
    }


def rules(db: Database, app: dict) -> list[dict]:
    """The app's push rules with their criteria in words and their groups' count."""
    result = []
    for row in push_rules.list_push_rules(db, app["id"]):
        rule = push_rules.rule_json(db, row)
        words = dict(OPERATORS)
        criteria = [
            f"{label} {words[op]} \u201c{value}\u201d"
            for key, label in (("groupName", "Group name"), ("description", "Group description"))
            for op, value in (rule.get(key) or {}).items()
        ]
        result.append(
            {
                "id": rule["id"],
                "name": rule["name"],
                "status": rule["status"],
                "statusLabel": STATUS_LABELS.get(rule["status"], rule["status"]),
                "criteria": " and ".join(criteria),
                "groups": len(rule["mappingIds"]),
            }
        )
    return result


#: How many groups the search field suggests at once (Okta's type-ahead shows a short list).
SUGGESTIONS = 10


def group_suggestions(db: Database, app_id: str, text: str) -> list[str]:
    """The search field's suggestions: groups not pushed to the app yet, named like `text`."""
    return push_mappings.unpushed_groups_named_like(db, app_id, text.strip(), SUGGESTIONS)


def by_name_body(db: Database, form: dict) -> dict:
    """Find groups by name > Save: the push mapping to create."""
    name = (form.get("groupName") or "").strip()
    rows = groups.groups_named(db, name)
    if not rows:
        # Guess: Okta's search field finds nothing; the wording is ours.
        raise ApiValidationFailed(summary=f"No Okta group named \u201c{name}\u201d was found.")
    # Guess: without "Push group memberships immediately" the push is created inactive and
    # pushed when activated (Push Now is offered on active pushes only).
    status = "ACTIVE" if form.get("pushImmediately") == "on" else "INACTIVE"
    return {"sourceGroupId": rows[0]["id"], "status": status, "targetGroupName": rows[0]["name"]}


def rule_body(form: dict) -> dict:
    """Find groups by rule > Create Rule: the push rule to create."""
    body: dict = {
        "name": (form.get("ruleName") or "").strip(),
        "pushImmediately": form.get("pushImmediately") == "on",
    }
    for field in ("groupName", "description"):
        value = (form.get(f"{field}Value") or "").strip()
        operator = form.get(f"{field}Operator") or "startsWith"
        if value:
            body[field] = {operator: value}
    return body


@transactional
def unlink(db: Database, now: datetime, app_id: str, mapping_id: str, delete: bool) -> None:
    """Unlink pushed group: the console stops an active push and unlinks it in one step."""
    # The API refuses to delete an ACTIVE mapping; the console's menu offers Unlink on it.
    app = apps.require_app(db, app_id)
    mapping = push_mappings.require_mapping(db, app["id"], mapping_id)
    push_mappings.unlink(db, now, app, mapping, delete_target_group=delete)


@transactional
def push_by_name(
    db: Database, now: datetime, app_id: str, form: dict, *, actor: dict | None
) -> dict:
    """Find groups by name > Save: the push mapping of the named group."""
    body = by_name_body(db, form)
    return push_mappings.create_group_push_mapping(db, now, app_id, body, actor=actor)


def choice(form: dict, field: str) -> bool:
    """The Unlink / Delete dialogs' choice: delete in the target app (True) or leave (False)."""
    value = form.get(field)
    if value not in ("delete", "leave"):
        raise ApiValidationFailed(summary="Choose what happens to the group in the target app.")
    return value == "delete"


def mapping_view(db: Database, app_id: str, mapping_id: str) -> dict:
    """One pushed group, for a dialog."""
    mapping = push_mappings.require_mapping(db, app_id, mapping_id)
    group = groups.get_group(db, mapping["source_group_id"]) or {"name": ""}
    return {**mapping, "sourceName": group["name"]}
