"""Group rules and their evaluation (reference/okta.md §5.5; Okta help "Group rules").

A rule is created INACTIVE; activation evaluates it for the whole org, and while ACTIVE it is
evaluated for a user when the user is created, activated or reactivated, when their profile
changes and when their group memberships change. Rule memberships have the source
`RULE:<ruleId>`. Okta's documented behaviour that shapes this module:

* deactivating a rule keeps the memberships it made (Okta support, "What happens if group rules
  are deactivated and deleted"); deleting it either removes them (`removeUsers=true`) or leaves
  the users in the groups, no longer managed by the rule;
* "The rule doesn't move users in a Pending or Inactive state" (Okta help, "Create group
  rules"), and deactivated users keep rule memberships (Okta support, "Deactivated users not
  removed from Okta groups automatically");
* a rule whose target group is deleted turns INVALID and can then only be read or deleted
  (observed, okta/terraform-provider-okta#157 and #250).
"""

import json
from datetime import datetime

from sqlite_utils import Database

from . import expressions, groups, system_log
from .errors import ApiValidationFailed, ResourceNotFound
from .ids import GROUP_RULE, new_id
from .pagination import next_seq, page
from .timestamps import okta_datetime

ACTIVE, INACTIVE, INVALID = "ACTIVE", "INACTIVE", "INVALID"
EXPRESSION_TYPE = "urn:okta:expression:1.0"
#: Guess: Okta's "Pending or Inactive" read as STAGED and DEPROVISIONED.
EXEMPT_STATUSES = ("STAGED", "DEPROVISIONED")
#: Okta support, "Group Rule Restrictions": names up to 50 characters, at most 100 target
#: groups and 100 excluded users per rule.
NAME_MAX, MAX_GROUPS, MAX_EXCLUDED = 50, 100, 100


def get_rule(db: Database, rule_id: str) -> dict | None:
    """A rule by id, or None."""
    rows = list(db.query("select * from group_rules where id = ?", [rule_id]))
    return rows[0] if rows else None


def require_rule(db: Database, rule_id: str) -> dict:
    """The rule, or E0000007."""
    rule = get_rule(db, rule_id)
    if rule is None:
        raise ResourceNotFound(rule_id, "GroupRule")  # Guess: the resource name in the text.
    return rule


def rule_json(db: Database, row: dict, *, group_names: bool = False) -> dict:
    """The GroupRule object; `group_names` adds _embedded.groupIdToGroupNameMap."""
    group_ids = json.loads(row["group_ids"])
    names = groups.group_names(db, group_ids)
    body = {
        "type": row["type"],
        "id": row["id"],
        "status": row["status"],
        "name": row["name"],
        "created": okta_datetime(row["created"]),
        "lastUpdated": okta_datetime(row["last_updated"]),
        "conditions": {
            "people": {
                "users": {"exclude": json.loads(row["exclude_user_ids"])},
                "groups": {"exclude": json.loads(row["exclude_group_ids"])},
            },
            "expression": {"value": row["expression"], "type": EXPRESSION_TYPE},
        },
        "actions": {"assignUserToGroups": {"groupIds": group_ids}},
        # Observed on real rules (terraform-provider-okta#157); not in Okta's OpenAPI.
        "allGroupsValid": len(names) == len(group_ids),
    }
    if group_names:
        body["_embedded"] = {"groupIdToGroupNameMap": names}
    return body


# --- validation -----------------------------------------------------------------------------


def _invalid(field: str, cause: str) -> ApiValidationFailed:
    return ApiValidationFailed(field, [f"{field}: {cause}"])


def _strings(value: object, field: str, maximum: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _invalid(field, "The field must be an array of strings")
    if len(value) > maximum:
        raise _invalid(field, f"The array cannot have more than {maximum} elements")
    return list(dict.fromkeys(value))


def _section(body: dict, *path: str) -> dict:
    node: object = body
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else {}


def _fields(db: Database, body: dict) -> dict:
    """The stored columns of a rule from a create or replace body, validated."""
    if body.get("type", "group_rule") != "group_rule":
        raise _invalid("type", "The field must be group_rule")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _invalid("name", "The field cannot be left blank")
    if len(name) > NAME_MAX:
        raise _invalid("name", f"The field cannot exceed {NAME_MAX} characters")
    expression = _section(body, "conditions", "expression")
    if expression.get("type") != EXPRESSION_TYPE:
        raise _invalid("conditions.expression.type", f"The field must be {EXPRESSION_TYPE}")
    try:
        expressions.parse(expression.get("value"))
    except expressions.ExpressionError as error:
        # Observed: an invalid expression answers "Api validation failed: validateRule" with
        # the parser's complaint as the cause (terraform-provider-okta#148); wording is ours.
        raise ApiValidationFailed(
            summary="Api validation failed: validateRule", causes=[str(error)]
        ) from error
    people = _section(body, "conditions", "people")
    excluded = {
        kind: _strings(
            _section(people, kind).get("exclude"), f"conditions.people.{kind}.exclude", MAX_EXCLUDED
        )
        for kind in ("users", "groups")
    }
    return {
        "name": name,
        "type": "group_rule",
        "expression": expression["value"],
        "exclude_user_ids": json.dumps(excluded["users"]),
        "exclude_group_ids": json.dumps(excluded["groups"]),
        "group_ids": json.dumps(_target_groups(db, body)),
    }


def _target_groups(db: Database, body: dict) -> list[str]:
    field = "actions.assignUserToGroups.groupIds"
    ids = _strings(
        _section(body, "actions", "assignUserToGroups").get("groupIds"), field, MAX_GROUPS
    )
    if not ids:
        raise _invalid(field, "The field cannot be left blank")
    for group_id in ids:
        group = groups.get_group(db, group_id)
        # Guess: rules populate Okta groups only ("automatically populate Okta groups").
        if group is None or group["type"] != groups.OKTA_GROUP:
            raise _invalid(field, f"Invalid group id {group_id}")
    return ids


def _must_be_inactive(rule: dict, action: str) -> None:
    # Okta: only INACTIVE rules can be updated; ACTIVE ones are deactivated first and INVALID
    # ones can only be read or deleted. Guess: the error is E0000001 with this cause.
    if rule["status"] != INACTIVE:
        raise _invalid("status", f"Cannot {action} a group rule whose status is {rule['status']}")


# --- operations -----------------------------------------------------------------------------


def create_group_rule(
    db: Database, now: datetime, body: dict, *, rule_id: str | None = None
) -> dict:
    """POST /api/v1/groups/rules: the rule, INACTIVE (`rule_id` lets a fixture keep its id)."""
    stamp = now.isoformat()
    rule_id = rule_id or new_id(GROUP_RULE)
    db["group_rules"].insert(
        {
            "id": rule_id,
            "seq": next_seq(db, "group_rules"),
            "status": INACTIVE,
            "created": stamp,
            "last_updated": stamp,
            **_fields(db, body),
        }
    )
    return require_rule(db, rule_id)


def replace_group_rule(db: Database, now: datetime, rule: dict, body: dict) -> dict:
    """PUT /api/v1/groups/rules/{id}: only while INACTIVE, and `actions` cannot change."""
    _must_be_inactive(rule, "update")
    fields = _fields(db, body)
    if sorted(json.loads(fields["group_ids"])) != sorted(json.loads(rule["group_ids"])):
        raise _invalid("actions", "The actions of a group rule cannot be updated")
    fields["group_ids"] = rule["group_ids"]
    db["group_rules"].update(rule["id"], {**fields, "last_updated": now.isoformat()})
    return require_rule(db, rule["id"])


def activate_group_rule(db: Database, now: datetime, rule: dict) -> None:
    """Activation runs the rule across the whole org."""
    if rule["status"] == ACTIVE:
        return
    _must_be_inactive(rule, "activate")
    db["group_rules"].update(rule["id"], {"status": ACTIVE, "last_updated": now.isoformat()})
    marks = ",".join("?" * len(EXEMPT_STATUSES))
    users = db.query(
        f"select id from users where status not in ({marks}) order by seq", list(EXEMPT_STATUSES)
    )
    for user in list(users):
        evaluate_user(db, now, user["id"])


def deactivate_group_rule(db: Database, now: datetime, rule: dict) -> None:
    """Deactivation stops the rule; the memberships it made remain."""
    if rule["status"] == INVALID:
        _must_be_inactive(rule, "deactivate")
    if rule["status"] == ACTIVE:
        db["group_rules"].update(rule["id"], {"status": INACTIVE, "last_updated": now.isoformat()})


def delete_group_rule(db: Database, now: datetime, rule: dict, *, remove_users: bool) -> None:
    """DELETE: the rule's members leave its groups, or stay as manual members."""
    if rule["status"] == ACTIVE:
        _must_be_inactive(rule, "delete")
    source = groups.rule_source(rule["id"])
    members = list(
        db.query("select group_id, user_id from group_members where source = ?", [source])
    )
    if remove_users:
        for row in members:
            groups.remove_member(db, now, row["group_id"], row["user_id"], source)
    else:
        db.execute(
            "insert or ignore into group_members (group_id, user_id, source, created) "
            "select group_id, user_id, 'MANUAL', created from group_members "
            "where source = ?",
            [source],
        )
        db.execute("delete from group_members where source = ?", [source])
    db.execute("delete from group_rules where id = ?", [rule["id"]])
    for user_id in dict.fromkeys(row["user_id"] for row in members):
        evaluate_user(db, now, user_id)


def list_group_rules(
    db: Database, *, search: str | None, after: str | None, limit: int
) -> tuple[list[dict], str | None]:
    """GET /api/v1/groups/rules; `search` is a keyword matched in the rule's name (guess)."""
    where, params = [], {}
    if search:
        where.append("name like :search")
        params["search"] = f"%{search}%"
    return page(db, table="group_rules", where=where, params=params, after=after, limit=limit)


def exclude_user(db: Database, now: datetime, rule_id: str, user_id: str) -> None:
    """Put a user on a rule's exclusion list (a manual removal from a rule-managed group)."""
    rule = get_rule(db, rule_id)
    if rule is None:
        return
    excluded = json.loads(rule["exclude_user_ids"])
    if user_id in excluded:
        return
    db["group_rules"].update(rule_id, {"exclude_user_ids": json.dumps([*excluded, user_id])})
    user = next(db.query("select * from users where id = ?", [user_id]))
    target = {
        "id": rule_id,
        "type": "PolicyRule",
        "alternateId": "unknown",
        "displayName": rule["name"],
        "detailEntry": None,
    }
    system_log.record(
        db,
        now,
        "group.user_membership.rule.add_exclusion",
        "User added to exclusion list for group rule",
        targets=[system_log.user_target(user), target],
    )


# --- evaluation -----------------------------------------------------------------------------


def evaluate_user(db: Database, now: datetime, user_id: str) -> None:
    """Apply every ACTIVE rule to one user: add or remove the rule's memberships.

    Rules may depend on memberships other rules make (Okta discourages such "cascading rules"
    but runs them), so the rules are applied until nothing changes.
    """
    rows = list(db.query("select * from users where id = ?", [user_id]))
    if not rows or rows[0]["status"] in EXEMPT_STATUSES:
        return
    user = rows[0]
    rules = list(db.query("select * from group_rules where status = 'ACTIVE' order by seq"))
    for _ in range(len(rules) + 1):
        changes = [_apply(db, now, rule, user) for rule in rules]
        if not any(changes):
            return


def _apply(db: Database, now: datetime, rule: dict, user: dict) -> bool:
    source = groups.rule_source(rule["id"])
    wanted = user["id"] not in json.loads(rule["exclude_user_ids"]) and expressions.matches(
        rule["expression"], _context(db, user)
    )
    changed = False
    for group_id in json.loads(rule["group_ids"]):
        if groups.get_group(db, group_id) is None:
            continue
        has = source in groups.member_sources(db, group_id, user["id"])
        if wanted and not has:
            groups.add_member(db, now, group_id, user["id"], source)
            changed = True
        elif has and not wanted:
            groups.remove_member(db, now, group_id, user["id"], source)
            changed = True
    return changed


def _context(db: Database, user: dict) -> expressions.Context:
    group_ids = groups.user_group_ids(db, user["id"])
    return expressions.Context(
        profile=json.loads(user["profile"]),
        group_ids=frozenset(group_ids),
        group_names=frozenset(groups.group_names(db, group_ids).values()),
    )
