"""The app's Push Groups tab: pushed groups, push rules, and the forms that create them."""

from datetime import datetime

from sqlite_utils import Database

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
    where, params = ["m.app_id = :app"], {"app": app_id}
    if filter_ == "by-name":
        where.append("m.rule_id is null")
    elif filter_ == "by-rule":
        where.append("m.rule_id is not null")
        if rule_id:
            where.append("m.rule_id = :rule")
            params["rule"] = rule_id
    elif filter_ == "errors":
        where.append("m.status = 'ERROR'")
    rows = db.query(
        "select m.*, g.name as source_name, r.name as rule_name from group_push_mappings m "
        "join groups g on g.id = m.source_group_id "
        "left join group_push_rules r on r.id = m.rule_id "
        f"where {' and '.join(where)} order by m.seq",
        params,
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
    for row in push_rules.list_push_rules(db, app):
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


def groups_to_push(db: Database, app_id: str) -> list[str]:
    """Names of the Okta groups not pushed to the app yet (the search field's suggestions)."""
    rows = db.query(
        "select name from groups where type = ? and id not in "
        "(select source_group_id from group_push_mappings where app_id = ?) order by name",
        [groups.OKTA_GROUP, app_id],
    )
    return [row["name"] for row in rows]


def by_name_body(db: Database, form: dict) -> dict:
    """Find groups by name > Save: the push mapping to create."""
    name = (form.get("groupName") or "").strip()
    rows = list(
        db.query(
            "select id, name from groups where lower(name) = lower(?) and type != 'APP_GROUP'",
            [name],
        )
    )
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


def unlink(
    db: Database, now: datetime, app: dict, mapping: dict, delete: bool, *, actor: dict | None
) -> None:
    """Unlink pushed group: the console stops an active push and unlinks it in one step."""
    # The API refuses to delete an ACTIVE mapping; the console's menu offers Unlink on it.
    push_mappings.delete_group_push_mapping(
        db, now, app, {**mapping, "status": push_mappings.INACTIVE}, delete, actor=actor
    )


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
