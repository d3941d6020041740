"""Group rules and their evaluation (reference/okta.md §5.5; Okta help "Group rules").

A rule is created INACTIVE; activation evaluates it for the whole org, and while ACTIVE it is
evaluated for a user when the user is created, activated or reactivated, when their profile
changes and when their group memberships change. Rule memberships have the source
`RULE:<ruleId>`. Okta's documented behaviour that shapes this module:

* deactivating a rule keeps the memberships it made (Okta support, "What happens if group rules
  are deactivated and deleted"); deleting it either removes them (`removeUsers=true`) or leaves
  the users in the groups, no longer managed by the rule;
* rules apply to users of every status but DEPROVISIONED: a real org, after a rule was
  activated, listed a STAGED user (created with activate=false) as a member of the rule's
  group. Deactivated users are not evaluated and keep their rule memberships (Okta support,
  "Deactivated users not removed from Okta groups automatically");
* a rule whose target group is deleted turns INVALID and can then only be read or deleted
  (observed, okta/terraform-provider-okta#157 and #250).

This module owns the `group_rules` table and decides: `evaluate_rule` says which memberships a
rule wants added or removed for a user; `mock_okta.reactions` applies them, and runs the rules
whenever one of the changes above happens.
"""

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlite_utils import Database

from mock_common.db import transactional
from mock_okta import fields, system_log
from mock_okta.directory import expressions, groups, memberships, users
from mock_okta.directory.users import User, UserStatus
from mock_okta.errors import ApiValidationFailed, ExpressionError, ResourceNotFound
from mock_okta.storage.ids import GROUP_RULE, new_id
from mock_okta.storage.pagination import next_seq, page
from mock_okta.timestamps import okta_datetime


class RuleStatus(StrEnum):
    """A rule is created INACTIVE; INVALID once a group it assigns to is deleted."""

    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    INVALID = "INVALID"


ACTIVE, INACTIVE, INVALID = RuleStatus.ACTIVE, RuleStatus.INACTIVE, RuleStatus.INVALID
EXPRESSION_TYPE = "urn:okta:expression:1.0"
#: Rules leave deactivated users alone (observed: STAGED users are moved, see above).
EXEMPT_STATUSES = (UserStatus.DEPROVISIONED,)
#: Okta support, "Group Rule Restrictions": names up to 50 characters, at most 100 target
#: groups and 100 excluded users per rule.
NAME_MAX, MAX_GROUPS, MAX_EXCLUDED = 50, 100, 100


@dataclass(frozen=True)
class RuleMembership:
    """A membership a rule wants made (`wanted`) or undone for a user."""

    rule_id: str
    group_id: str
    user_id: str
    wanted: bool

    @property
    def source(self) -> str:
        """The membership source the rule adds or removes."""
        return memberships.rule_source(self.rule_id)


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
        raise _invalid("name", fields.BLANK)
    problem = fields.text_cause("name", name, maximum=NAME_MAX)
    if problem:
        raise ApiValidationFailed("name", [problem])
    expression = _section(body, "conditions", "expression")
    if expression.get("type") != EXPRESSION_TYPE:
        raise _invalid("conditions.expression.type", f"The field must be {EXPRESSION_TYPE}")
    if not isinstance(expression.get("value"), str | None):
        raise _invalid("conditions.expression.value", fields.TYPE)
    try:
        node = expressions.parse(expression.get("value"))
    except ExpressionError as error:
        # Observed: an invalid expression answers "Api validation failed: validateRule" with
        # the parser's complaint as the cause (terraform-provider-okta#148); wording is ours.
        raise ApiValidationFailed(
            summary="Api validation failed: validateRule", causes=[str(error)]
        ) from error
    unknown = sorted(expressions.attributes(node) - users.profile_schema(db))
    if unknown:
        # Okta checks the condition against the profile schema: 400 E0000001 "Invalid property
        # <name> in expression <expression>".
        raise ApiValidationFailed(
            summary="Api validation failed: validateRule",
            causes=[f"Invalid property {unknown[0]} in expression {expression['value']}"],
        )
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


@transactional
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


@transactional
def replace_group_rule(db: Database, now: datetime, rule: dict, body: dict) -> dict:
    """PUT /api/v1/groups/rules/{id}: only while INACTIVE, and `actions` cannot change."""
    _must_be_inactive(rule, "update")
    fields = _fields(db, body)
    if sorted(json.loads(fields["group_ids"])) != sorted(json.loads(rule["group_ids"])):
        raise _invalid("actions", "The actions of a group rule cannot be updated")
    fields["group_ids"] = rule["group_ids"]
    db["group_rules"].update(rule["id"], {**fields, "last_updated": now.isoformat()})
    return require_rule(db, rule["id"])


@transactional
def activate_group_rule(db: Database, now: datetime, rule: dict) -> None:
    """INACTIVE -> ACTIVE (`reactions` then runs the rule across the whole org)."""
    if rule["status"] == ACTIVE:
        return
    _must_be_inactive(rule, "activate")
    db["group_rules"].update(rule["id"], {"status": ACTIVE, "last_updated": now.isoformat()})


@transactional
def deactivate_group_rule(db: Database, now: datetime, rule: dict) -> None:
    """Deactivation stops the rule; the memberships it made remain."""
    if rule["status"] == INVALID:
        _must_be_inactive(rule, "deactivate")
    if rule["status"] == ACTIVE:
        db["group_rules"].update(rule["id"], {"status": INACTIVE, "last_updated": now.isoformat()})


@transactional
def delete_group_rule(db: Database, now: datetime, rule: dict) -> None:
    """DELETE: only a rule that is not ACTIVE (`reactions` settles the memberships it made)."""
    if rule["status"] == ACTIVE:
        _must_be_inactive(rule, "delete")
    db.execute("delete from group_rules where id = ?", [rule["id"]])


@transactional
def invalidate_rules_targeting(db: Database, group_id: str) -> None:
    """Rules that assign to a deleted group become INVALID (observed: allGroupsValid false)."""
    db.execute(
        "update group_rules set status = ? where exists "
        "(select 1 from json_each(group_rules.group_ids) where value = ?)",
        [INVALID, group_id],
    )


def list_group_rules(
    db: Database, *, search: str | None, after: str | None, limit: int
) -> tuple[list[dict], str | None]:
    """GET /api/v1/groups/rules; `search` is a keyword matched in the rule's name (guess)."""
    where, params = [], {}
    if search:
        where.append("name like :search")
        params["search"] = f"%{search}%"
    return page(db, table="group_rules", where=where, params=params, after=after, limit=limit)


@transactional
def exclude_user(db: Database, now: datetime, rule_id: str, user_id: str) -> None:
    """Put a user on a rule's exclusion list (a manual removal from a rule-managed group)."""
    rule = get_rule(db, rule_id)
    if rule is None:
        return
    excluded = json.loads(rule["exclude_user_ids"])
    if user_id in excluded:
        return
    db["group_rules"].update(rule_id, {"exclude_user_ids": json.dumps([*excluded, user_id])})
    user = users.require_user_by_id(db, user_id)
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


def active_rules(db: Database) -> list[dict]:
    """The ACTIVE rules, in creation order."""
    return list(db.query("select * from group_rules where status = ? order by seq", [ACTIVE]))


def rule_subject_ids(db: Database) -> list[str]:
    """The users rules apply to, in creation order (activation runs a rule for all of them)."""
    return users.rule_candidate_ids(db, EXEMPT_STATUSES)


def evaluate_rule(db: Database, rule: dict, user_id: str) -> list[RuleMembership]:
    """The memberships `rule` wants added or removed for the user, given their current profile
    and groups; empty when the rule is satisfied or the user's status exempts them."""
    user = users.get_user_by_id(db, user_id)
    if user is None or user["status"] in EXEMPT_STATUSES:
        return []
    source = memberships.rule_source(rule["id"])
    wanted = user_id not in json.loads(rule["exclude_user_ids"]) and expressions.matches(
        rule["expression"], _context(db, user)
    )
    decisions = []
    for group_id in json.loads(rule["group_ids"]):
        if groups.get_group(db, group_id) is None:
            continue
        has = source in memberships.member_sources(db, group_id, user_id)
        if wanted != has:
            decisions.append(RuleMembership(rule["id"], group_id, user_id, wanted))
    return decisions


def _context(db: Database, user: User) -> expressions.Context:
    group_ids = memberships.user_group_ids(db, user["id"])
    return expressions.Context(
        profile=json.loads(user["profile"]),
        group_ids=frozenset(group_ids),
        group_names=frozenset(groups.group_names(db, group_ids).values()),
    )
