"""Directory > Groups: the list, the group page (its people) and the Rules tab."""

from sqlite_utils import Database

from .. import group_rules, groups
from .people import person_row

#: Okta's names for group types in the console.
TYPE_LABELS = {"OKTA_GROUP": "Okta group", "BUILT_IN": "Built-in", "APP_GROUP": "App group"}
RULE_STATUS_LABELS = {"ACTIVE": "Active", "INACTIVE": "Inactive", "INVALID": "Invalid"}


def list_groups(db: Database, *, q: str | None) -> list[dict]:
    """Okta and built-in groups with their people and app counts; `q` is a name prefix."""
    where, params = ["g.type != 'APP_GROUP'"], {}
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append("g.name like :q escape '\\'")
        params["q"] = f"{escaped}%"
    rows = db.query(
        "select g.id, g.name, g.description, g.type, "
        "(select count(distinct m.user_id) from group_members m where m.group_id = g.id) "
        "as people, (select count(*) from app_groups ag where ag.group_id = g.id) as apps "
        f"from groups g where {' and '.join(where)} order by g.seq limit 200",
        params,
    )
    return [{**row, "typeLabel": TYPE_LABELS.get(row["type"], row["type"])} for row in rows]


def group_people(db: Database, group_id: str) -> list[dict]:
    """The group's members, each with how they joined (a rule or by hand)."""
    rows = db.query(
        "select u.*, group_concat(m.source) as sources from users u "
        "join group_members m on m.user_id = u.id where m.group_id = ? "
        "group by u.id order by u.seq limit 500",
        [group_id],
    )
    result = []
    for row in rows:
        managed_by_rule = any(s.startswith("RULE:") for s in (row["sources"] or "").split(","))
        result.append({**person_row(row), "byRule": managed_by_rule})
    return result


def people_to_add(db: Database, group_id: str) -> list[dict]:
    """People who are not members yet (deactivated people cannot be added)."""
    rows = db.query(
        "select * from users where status != 'DEPROVISIONED' and id not in "
        "(select user_id from group_members where group_id = ?) order by seq limit 500",
        [group_id],
    )
    return [person_row(row) for row in rows]


def group_apps(db: Database, group_id: str) -> list[dict]:
    """The apps the group is assigned to."""
    rows = db.query(
        "select a.id, a.name, a.label from app_groups ag join apps a on a.id = ag.app_id "
        "where ag.group_id = ? order by ag.seq",
        [group_id],
    )
    return [dict(row) for row in rows]


def list_rules(db: Database) -> list[dict]:
    """Group rules with their expression and the names of the groups they assign."""
    rows, _cursor = group_rules.list_group_rules(db, search=None, after=None, limit=200)
    result = []
    for row in rows:
        rule = group_rules.rule_json(db, row, group_names=True)
        names = rule["_embedded"]["groupIdToGroupNameMap"]
        result.append(
            {
                "id": rule["id"],
                "name": rule["name"],
                "status": rule["status"],
                "statusLabel": RULE_STATUS_LABELS.get(rule["status"], rule["status"]),
                "expression": rule["conditions"]["expression"]["value"],
                "groups": [
                    {"id": gid, "name": names.get(gid, gid)}
                    for gid in rule["actions"]["assignUserToGroups"]["groupIds"]
                ],
            }
        )
    return result


def new_group(form: dict) -> dict:
    """Add group: the group profile."""
    description = (form.get("description") or "").strip()
    return {"name": (form.get("name") or "").strip(), "description": description or None}


def can_edit_members(group: dict) -> bool:
    """Only Okta groups take manual members (Everyone and app groups do not)."""
    return group["type"] == groups.OKTA_GROUP
