"""Push Groups > Find groups by rule: a named search that bulk-creates push mappings (§2.2).

A rule matches Okta groups on their name and/or description, each with "starts with" or
"contains" (Okta's test plan shows "start with"; KB "Group Push by rule" implies "contains";
there are no expressions: "It is not possible to specify an expression (regex)"). Adding a rule
fails when more than 100 groups match; otherwise it creates one mapping per matching group that
is not pushed yet. While the rule is ACTIVE, groups that come to match (created, renamed, or a
new description) get a mapping too; existing mappings are never touched by a rule change, a
deactivation, or a group that stops matching (Okta KB "Push Groups that no longer match the
rule criteria…"). Real Okta has no public API for push rules; the console JSON has one.
"""

import json
from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_okta import fields, system_log
from mock_okta.applications import apps, scim_connection
from mock_okta.directory import groups
from mock_okta.directory.groups import Group
from mock_okta.errors import (
    ApiValidationFailed,
    GroupPushBadRequest,
    MissingParameter,
    ResourceNotFound,
)
from mock_okta.group_push import mappings as push_mappings
from mock_okta.storage.ids import new_id
from mock_okta.storage.pagination import next_seq
from mock_okta.timestamps import okta_datetime

# Rules and mappings share the ACTIVE / INACTIVE statuses.
ACTIVE, INACTIVE = push_mappings.ACTIVE, push_mappings.INACTIVE
#: Guess: the id prefix of push rules is not public (mappings are `gPm…`).
PUSH_RULE = "gPr"
#: "When adding the Pushed Groups By rule, no more than 100 groups can match the filter;
#: otherwise, the request will fail." (Okta KB "Can a Group Push contain all Okta groups")
MAX_MATCHES = 100
CRITERIA = ("groupName", "description")
OPERATORS = ("startsWith", "contains")
NAME_MAX = 255  # guess, as the group name limit


# --- reading -------------------------------------------------------------------------------------


def rule_json(db: Database, row: dict) -> dict:
    """A push rule as the console JSON shows it, with the ids of the mappings it created."""
    criteria = json.loads(row["criteria"])
    mapping_ids = push_mappings.mapping_ids_of_rule(db, row["id"])
    return {
        "id": row["id"],
        "name": row["name"],
        "status": row["status"],
        **{key: criteria[key] for key in CRITERIA if key in criteria},
        "pushImmediately": bool(row["push_immediately"]),
        "mappingIds": mapping_ids,
        "created": okta_datetime(row["created"]),
        "lastUpdated": okta_datetime(row["last_updated"]),
    }


def list_push_rules(db: Database, app_id: str) -> list[dict]:
    """The app's push rules, oldest first."""
    app = apps.require_app(db, app_id)
    return list(
        db.query("select * from group_push_rules where app_id = ? order by seq", [app["id"]])
    )


def require_push_rule(db: Database, app_id: str, rule_id: str) -> dict:
    """The rule, or E0000007."""
    rows = list(
        db.query("select * from group_push_rules where app_id = ? and id = ?", [app_id, rule_id])
    )
    if not rows:
        raise ResourceNotFound(rule_id, "GroupPushRule")
    return rows[0]


def matches(criteria: dict, group: Group) -> bool:
    """Whether an Okta group meets every criterion of a rule.

    Guess: the comparison ignores case, as Okta's group name search (`q`) does.
    """
    if group["type"] != groups.OKTA_GROUP:
        return False  # only Okta groups are pushed (§2.1)
    for field, column in (("groupName", "name"), ("description", "description")):
        if field not in criteria:
            continue
        ((operator, value),) = criteria[field].items()
        text, value = (group[column] or "").lower(), value.lower()
        if not (text.startswith(value) if operator == "startsWith" else value in text):
            return False
    return True


def matching_groups(db: Database, criteria: dict) -> list[dict]:
    """The Okta groups a rule matches, in creation order."""
    return [group for group in groups.okta_groups(db) if matches(criteria, group)]


# --- lifecycle -----------------------------------------------------------------------------------


@transactional
def create_push_rule(
    db: Database, now: datetime, app_id: str, body: dict, *, actor: dict | None = None
) -> dict:
    """+ Push Groups > Find groups by rule > Create: the rule, ACTIVE, and its mappings."""
    app = apps.require_app(db, app_id)
    push_mappings.require_push_groups(db, app)
    name, criteria, push_immediately = _validate(body)
    found = matching_groups(db, criteria)
    if len(found) > MAX_MATCHES:
        # The KB says only that "the request will fail"; this wording is a guess.
        raise GroupPushBadRequest(
            f"The rule matches {len(found)} groups. No more than {MAX_MATCHES} groups can "
            "match a group push rule when it is added."
        )
    stamp = now.isoformat()
    rule_id = new_id(PUSH_RULE)
    db["group_push_rules"].insert(
        {
            "id": rule_id,
            "seq": next_seq(db, "group_push_rules"),
            "app_id": app["id"],
            "name": name,
            "status": ACTIVE,
            "criteria": json.dumps(criteria),
            "push_immediately": int(push_immediately),
            "created": stamp,
            "last_updated": stamp,
        }
    )
    rule = require_push_rule(db, app["id"], rule_id)
    for group in found:
        _push_group(db, now, app, rule, group, actor)
    return rule


@transactional
def activate_push_rule(
    db: Database, now: datetime, app_id: str, rule_id: str, *, actor: dict | None = None
) -> dict:
    """Activate: the rule picks up matching groups again, starting with those not yet pushed.

    Guess: activation runs the rule once (like adding it, without the 100-group check), so
    groups created while it was inactive are not left out.
    """
    app = apps.require_app(db, app_id)
    rule = require_push_rule(db, app["id"], rule_id)
    push_mappings.require_push_groups(db, app)
    if rule["status"] != ACTIVE:
        db["group_push_rules"].update(
            rule["id"], {"status": ACTIVE, "last_updated": now.isoformat()}
        )
        rule = require_push_rule(db, app["id"], rule["id"])
        for group in matching_groups(db, json.loads(rule["criteria"])):
            _push_group(db, now, app, rule, group, actor)
    return rule


@transactional
def deactivate_push_rule(db: Database, now: datetime, app_id: str, rule_id: str) -> dict:
    """Deactivate: no new mappings; the existing ones stay as they are (Okta KB)."""
    app = apps.require_app(db, app_id)
    rule = require_push_rule(db, app["id"], rule_id)
    push_mappings.require_push_groups(db, app)
    if rule["status"] != INACTIVE:
        db["group_push_rules"].update(
            rule["id"], {"status": INACTIVE, "last_updated": now.isoformat()}
        )
    return require_push_rule(db, app["id"], rule["id"])


@transactional
def delete_push_rule(
    db: Database,
    now: datetime,
    app_id: str,
    rule_id: str,
    delete_target_groups: bool | None,
    *,
    actor: dict | None = None,
) -> None:
    """Delete the rule: "Delete the associated groups" or "Leave associated groups" (§2.2).

    Every mapping the rule created is unlinked, active or not, as the dialog (and Bulk Edit >
    Delete) does: with deleteTargetGroups the groups are deleted in the target app, otherwise
    they stay there (§2.7). Guess: "Leave" also removes the mappings, as "Leave the group in the
    target app" does when unlinking one pushed group.
    """
    app = apps.require_app(db, app_id)
    rule = require_push_rule(db, app["id"], rule_id)
    if delete_target_groups is None:
        raise MissingParameter("deleteTargetGroups")
    for mapping in push_mappings.mappings_of_rule(db, rule["id"]):
        # The API refuses to delete an ACTIVE mapping; the console deactivates it first.
        push_mappings.unlink(db, now, app, mapping, delete_target_group=delete_target_groups)
    db.execute("delete from group_push_rules where id = ?", [rule["id"]])


@transactional
def group_changed(db: Database, now: datetime, group: Group) -> None:
    """A group was created or its profile changed: ACTIVE rules that now match push it."""
    if group["type"] != groups.OKTA_GROUP:
        return
    rules = db.query("select * from group_push_rules where status = ? order by seq", [ACTIVE])
    for rule in list(rules):
        if not matches(json.loads(rule["criteria"]), group):
            continue
        app = apps.get_app(db, rule["app_id"])
        if app is not None and scim_connection.push_groups_enabled(db, app["id"]):
            _push_group(db, now, app, rule, group, None)


# --- helpers -------------------------------------------------------------------------------------


def _push_group(
    db: Database, now: datetime, app: dict, rule: dict, group: Group, actor: dict | None
) -> None:
    """One mapping from the rule, named as the group; none if the group is already pushed."""
    pushed = push_mappings.mapping_of_group(db, app["id"], group["id"])
    if pushed:
        # Okta: "duplicate group push mappings are not created" (KB); a group this rule
        # pushed already is no news.
        if pushed["rule_id"] != rule["id"]:
            _log(db, now, app, group, rule, actor, duplicate=True)
        return
    body = {
        "sourceGroupId": group["id"],
        # Without "Push group memberships immediately" nothing is sent until Push Now (§2.2):
        # created INACTIVE (no event), then made ACTIVE without an initial push.
        "status": ACTIVE if rule["push_immediately"] else INACTIVE,
        "targetGroupName": group["name"],
    }
    mapping = push_mappings.create_group_push_mapping(db, now, app["id"], body, actor=actor)
    push_mappings.attach_rule(db, mapping["id"], rule["id"])
    _log(db, now, app, group, rule, actor, duplicate=False)


def _log(
    db: Database,
    now: datetime,
    app: dict,
    group: Group,
    rule: dict,
    actor: dict | None,
    *,
    duplicate: bool,
) -> None:
    """`…mapping.created.from.rule` or `…created.from.rule.error.duplicate` (§2.2)."""
    event = "app.user_management.grouppush.mapping.created.from.rule"
    message = "Group push mapping created from rule"
    if duplicate:
        event += ".error.duplicate"
        message = "Group push mapping not created from rule: the group is already pushed"
    system_log.record(
        db,
        now,
        event,
        message,
        actor=actor,
        targets=[system_log.app_target(app), system_log.group_target(group)],
        outcome="FAILURE" if duplicate else "SUCCESS",
        debug_data={"ruleId": rule["id"], "ruleName": rule["name"]},
    )


def _validate(body: dict) -> tuple[str, dict, bool]:
    """The rule's name, its criteria and pushImmediately, or E0000001 with the causes."""
    causes = []
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        causes.append(fields.cause("name", fields.BLANK))
    elif problem := fields.text_cause("name", name, maximum=NAME_MAX):
        causes.append(problem)
    criteria = {}
    for field in CRITERIA:
        if body.get(field) is None:
            continue
        criterion = body[field]
        if (
            not isinstance(criterion, dict)
            or len(criterion) != 1
            or next(iter(criterion)) not in OPERATORS
        ):
            # Okta KB: "It is not possible to specify an expression (regex)".
            causes.append(
                f"{field}: Use one operator, startsWith or contains; "
                "expressions (regex) are not supported"
            )
            continue
        value = next(iter(criterion.values()))
        if not isinstance(value, str) or not value:
            causes.append(f"{field}: The value cannot be left blank")
            continue
        criteria[field] = dict(criterion)
    if not criteria and not causes:
        causes.append("groupName: A rule needs a group name or a group description criterion")
    push_immediately = body.get("pushImmediately", True)
    if not isinstance(push_immediately, bool):
        causes.append("pushImmediately: must be true or false")
    if causes:
        raise ApiValidationFailed(causes[0].split(":")[0], causes)
    return name, criteria, push_immediately
