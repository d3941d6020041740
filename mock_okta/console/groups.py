"""Directory > Groups: the list, the group page (its people) and the Rules tab."""

from collections.abc import Iterable
from datetime import datetime

from sqlite_utils import Database
from werkzeug.datastructures import MultiDict

from mock_common.db import transactional
from mock_okta import reactions
from mock_okta.applications import assignments
from mock_okta.console.people import person_row
from mock_okta.directory import group_rules, groups, memberships
from mock_okta.directory.groups import Group

#: Okta's names for group types in the console.
TYPE_LABELS = {"OKTA_GROUP": "Okta group", "BUILT_IN": "Built-in", "APP_GROUP": "App group"}
RULE_STATUS_LABELS = {"ACTIVE": "Active", "INACTIVE": "Inactive", "INVALID": "Invalid"}


#: Groups per page of the Groups list.
GROUPS_PAGE = 200


def list_groups(
    db: Database, *, q: str | None, after: str | None = None
) -> tuple[list[dict], str | None]:
    """A page of Okta and built-in groups with their people and app counts (`q` is a name
    prefix), and the next page's cursor when there may be one."""
    after_seq = int(after) if after and after.isdigit() and len(after) < 19 else None
    found = groups.search_groups(db, name_prefix=q or None, limit=GROUPS_PAGE, after_seq=after_seq)
    cursor = str(found[-1]["seq"]) if len(found) == GROUPS_PAGE else None
    return [
        {
            "id": group["id"],
            "name": group["name"],
            "description": group["description"],
            "type": group["type"],
            "people": memberships.count_members(db, group["id"]),
            "apps": assignments.count_group_apps(db, group["id"]),
            "typeLabel": TYPE_LABELS.get(group["type"], group["type"]),
        }
        for group in found
    ], cursor


#: Members per page on a group's page, and people offered at once by its Assign people list.
GROUP_PAGE_SIZE = 200


def group_people(
    db: Database, group_id: str, after: str | None = None
) -> tuple[list[dict], str | None]:
    """A page of the group's members, each with how they joined (a rule or by hand), and the
    next page's cursor."""
    members, cursor = memberships.members_with_sources(
        db, group_id, after=after, limit=GROUP_PAGE_SIZE
    )
    result = []
    for user, sources in members:
        by_rule = any(memberships.rule_of(source) for source in sources)
        result.append({**person_row(user), "byRule": by_rule})
    return result, cursor


def people_to_add(db: Database, group_id: str, named: str = "") -> list[dict]:
    """People who are not members yet (deactivated people cannot be added), narrowed to those
    whose username, first or last name starts with `named`."""
    rows = memberships.non_members(db, group_id, named=named.strip(), limit=GROUP_PAGE_SIZE)
    return [person_row(row) for row in rows]


def group_apps(db: Database, group_id: str) -> list[dict]:
    """The apps the group is assigned to."""
    return assignments.apps_of_group(db, group_id)


def list_rules(db: Database) -> list[dict]:
    """Group rules with their expression and the names of the groups they assign."""
    rows, _cursor = group_rules.list_group_rules(db, search=None, after=None, limit=200)
    return [_rule_row(db, row) for row in rows]


def rule_view(db: Database, rule_id: str) -> dict:
    """One rule as the list shows it (E0000007 for an unknown id)."""
    return _rule_row(db, group_rules.require_rule(db, rule_id))


def _rule_row(db: Database, row: dict) -> dict:
    rule = group_rules.rule_json(db, row, group_names=True)
    names = rule["_embedded"]["groupIdToGroupNameMap"]
    group_ids = rule["actions"]["assignUserToGroups"]["groupIds"]
    return {
        "id": rule["id"],
        "name": rule["name"],
        "status": rule["status"],
        "statusLabel": RULE_STATUS_LABELS.get(rule["status"], rule["status"]),
        "expression": rule["conditions"]["expression"]["value"],
        "groups": [{"id": gid, "name": names.get(gid, gid)} for gid in group_ids],
        # Okta support, "How to Edit Group Rules": Edit appears only once the rule is
        # deactivated; an ACTIVE rule is deactivated before it can be deleted as well.
        "editable": rule["status"] == group_rules.INACTIVE,
        "deletable": rule["status"] != group_rules.ACTIVE,
    }


def rule_dialog(dialog: str | None, rule: dict | None) -> str | None:
    """The dialog to open: Edit only for an INACTIVE rule, Delete only for one not ACTIVE."""
    if dialog == "edit" and not (rule and rule["editable"]):
        return None
    if dialog == "delete" and not (rule and rule["deletable"]):
        return None
    return dialog


#: Groups listed at once by the rule's "Assign to" picker; its search field finds the others.
TARGET_GROUPS_SHOWN = 500


def rule_target_groups(db: Database, named: str = "", chosen: Iterable[str] = ()) -> list[dict]:
    """The groups a rule can assign to (Okta groups only, not Everyone, not app groups) whose
    name starts with `named`, by name, and the `chosen` ones wherever they are, so a search
    never drops a group already picked."""
    rows = groups.okta_groups_by_name(db, limit=TARGET_GROUPS_SHOWN, named=named.strip())
    found = {group["id"]: group["name"] for group in rows}
    found.update(groups.group_names(db, set(chosen) - found.keys()))
    ordered = sorted(found.items(), key=lambda item: (item[1].lower(), item[0]))
    return [{"id": group_id, "name": name} for group_id, name in ordered]


def rule_form(form: MultiDict | None = None, rule: dict | None = None) -> dict:
    """The Add Rule / Edit Rule fields: from the posted form, else from the rule, else empty."""
    if form is not None:
        return {
            "name": form.get("name", ""),
            "expression": form.get("expression", ""),
            "groupIds": form.getlist("groupIds"),
        }
    if rule is not None:
        group_ids = [group["id"] for group in rule["groups"]]
        return {"name": rule["name"], "expression": rule["expression"], "groupIds": group_ids}
    return {"name": "", "expression": "", "groupIds": []}


def new_rule(form: dict) -> dict:
    """Add Rule > Save: the GroupRule body of POST /api/v1/groups/rules."""
    return {
        "type": "group_rule",
        "name": form["name"].strip(),
        "conditions": {
            "expression": {"value": form["expression"], "type": group_rules.EXPRESSION_TYPE}
        },
        "actions": {"assignUserToGroups": {"groupIds": form["groupIds"]}},
    }


@transactional
def edit_rule(db: Database, now: datetime, rule_id: str, form: dict) -> dict:
    """Edit Rule > Save: a new name and condition; exclusions and "Assign to" are kept."""
    # Okta support, "How to Edit Group Rules": the "Assign to" groups cannot be edited.
    current = group_rules.rule_json(db, group_rules.require_rule(db, rule_id))
    body = new_rule({**form, "groupIds": []})
    body = {
        **body,
        "conditions": {**current["conditions"], "expression": body["conditions"]["expression"]},
        "actions": current["actions"],
    }
    return reactions.replace_group_rule(db, now, rule_id, body)


def new_group(form: dict) -> dict:
    """Add group: the group profile."""
    description = (form.get("description") or "").strip()
    return {"name": (form.get("name") or "").strip(), "description": description or None}


def can_edit_members(group: Group) -> bool:
    """Only Okta groups take manual members (Everyone and app groups do not)."""
    return group["type"] == groups.OKTA_GROUP
