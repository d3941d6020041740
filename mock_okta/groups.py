"""Groups and memberships: OKTA_GROUP, APP_GROUP and the BUILT_IN Everyone (reference §5.4).

A membership row has a source: `MANUAL` (an admin or the API) or `RULE:<ruleId>` (a group rule);
a user is a member while any source remains. Okta's documented interplay of the two (Okta help,
"Manual group user management"):

* a manually added user who meets a rule that adds them becomes managed by the rule;
* a rule-managed user removed manually is put on that rule's exclusion list.

Every membership change stamps `lastMembershipUpdated`, is logged, refreshes the user's
group-based app assignments and is handed to the push engine for each ACTIVE push mapping.
"""

import json
from collections.abc import Iterable
from datetime import datetime

from sqlite_utils import Database

from . import assignments, group_rules, provisioning_events, system_log
from .errors import AccessDenied, ApiValidationFailed, ResourceNotFound
from .filters import AttributeMap, to_sql
from .ids import GROUP, new_id
from .pagination import next_seq, page
from .provisioning import push_rules
from .timestamps import okta_datetime

OKTA_GROUP, APP_GROUP, BUILT_IN = "OKTA_GROUP", "APP_GROUP", "BUILT_IN"
MANUAL = "MANUAL"
_RULE = "RULE:"
#: Okta's okta:user_group profile limits (Groups API, "Default Profile Properties").
NAME_MAX, DESCRIPTION_MAX = 255, 1024
_OKTA_TIME = "strftime('%Y-%m-%dT%H:%M:%fZ', {})"
_FILTERABLE = {  # Groups API: filter supports id, type, lastUpdated, lastMembershipUpdated
    "id": "id",
    "type": "type",
    "lastUpdated": _OKTA_TIME.format("last_updated"),
    "lastMembershipUpdated": _OKTA_TIME.format("last_membership_updated"),
}


class _SearchAttributes(AttributeMap):
    """`search` adds `created`, any `profile.<name>` and `source.id` (APP_GROUP's app)."""

    def get(self, key, default=None):  # type: ignore[override]
        attr, sub, _uri = key
        if attr.lower() == "source" and sub == "id":
            return "source_app_id"
        return super().get(key, default)


_FILTER_ATTRIBUTES = AttributeMap(_FILTERABLE, profile_column=None)
_SEARCH_ATTRIBUTES = _SearchAttributes({**_FILTERABLE, "created": _OKTA_TIME.format("created")})


def rule_source(rule_id: str) -> str:
    """The membership source of a group rule."""
    return f"{_RULE}{rule_id}"


# --- reading --------------------------------------------------------------------------------


def add_everyone(db: Database, now: datetime, user_id: str) -> None:
    """Every user belongs to the BUILT_IN Everyone group."""
    everyone = next(db.query("select id from groups where type = 'BUILT_IN'"))["id"]
    db["group_members"].insert(
        {"group_id": everyone, "user_id": user_id, "source": "MANUAL", "created": now.isoformat()},
        ignore=True,
    )


def user_group_ids(db: Database, user_id: str) -> list[str]:
    """Ids of the groups the user belongs to (any source), in group creation order."""
    rows = db.query(
        "select distinct g.id from group_members m join groups g on g.id = m.group_id "
        "where m.user_id = ? order by g.seq",
        [user_id],
    )
    return [row["id"] for row in rows]


def get_group(db: Database, group_id: str) -> dict | None:
    """A group by id, or None."""
    rows = list(db.query("select * from groups where id = ?", [group_id]))
    return rows[0] if rows else None


def require_group(db: Database, group_id: str) -> dict:
    """The group, or E0000007 `Not found: Resource not found: <id> (UserGroup)`."""
    group = get_group(db, group_id)
    if group is None:
        raise ResourceNotFound(group_id, "UserGroup")
    return group


def member_sources(db: Database, group_id: str, user_id: str) -> list[str]:
    """Why the user is in the group: MANUAL and/or RULE:<ruleId>; empty when not a member."""
    rows = db.query(
        "select source from group_members where group_id = ? and user_id = ?", [group_id, user_id]
    )
    return [row["source"] for row in rows]


def group_names(db: Database, group_ids: Iterable[str]) -> dict[str, str]:
    """Names of the existing groups among the ids."""
    ids = list(group_ids)
    marks = ",".join("?" * len(ids))
    rows = db.query(f"select id, name from groups where id in ({marks})", ids) if ids else []
    return {row["id"]: row["name"] for row in rows}


def group_json(db: Database, row: dict, org_url: str, expand: Iterable[str] = ()) -> dict:
    """The Group object as the API returns it; `expand` may hold `stats` and `app`."""
    href = f"{org_url}/api/v1/groups/{row['id']}"
    logos = [
        {"name": size, "href": f"{org_url}/img/logos/groups/okta-{size}.png", "type": "image/png"}
        for size in ("medium", "large")
    ]
    body = {
        "id": row["id"],
        "created": okta_datetime(row["created"]),
        "lastUpdated": okta_datetime(row["last_updated"]),
        "lastMembershipUpdated": okta_datetime(row["last_membership_updated"]),
        # Guess: the objectClass of app-sourced (non-AD) groups is not documented.
        "objectClass": ["okta:app_group" if row["type"] == APP_GROUP else "okta:user_group"],
        "type": row["type"],
        "profile": json.loads(row["profile"]),
        "_links": {
            "logo": logos,
            "users": {"href": f"{href}/users"},
            "apps": {"href": f"{href}/apps"},
        },
    }
    if row["source_app_id"]:
        body["source"] = {"id": row["source_app_id"]}
        body["_links"]["source"] = {"href": f"{org_url}/api/v1/apps/{row['source_app_id']}"}
    embedded = _embedded(db, row, set(expand))
    if embedded:
        body["_embedded"] = embedded
    return body


def _embedded(db: Database, row: dict, expand: set[str]) -> dict:
    embedded: dict = {}
    if "stats" in expand:
        embedded["stats"] = {
            "usersCount": _count(
                db,
                "select count(distinct user_id) as n from group_members where group_id = ?",
                row["id"],
            ),
            "appsCount": _count(
                db, "select count(*) as n from app_groups where group_id = ?", row["id"]
            ),
            "groupPushMappingsCount": _count(
                db,
                "select count(*) as n from group_push_mappings where source_group_id = ?",
                row["id"],
            ),
            # Spelled as real responses spell it; Okta's OpenAPI says `hasAdminPrivlege`.
            "hasAdminPrivilege": False,
        }
    if "app" in expand and row["source_app_id"]:
        apps = list(
            db.query(
                "select id, name, label, sign_on_mode from apps where id = ?",
                [row["source_app_id"]],
            )
        )
        if apps:
            app = apps[0]
            embedded["app"] = {
                "id": app["id"],
                "name": app["name"],
                "label": app["label"],
                "signOnMode": app["sign_on_mode"],
            }
    return embedded


def _count(db: Database, sql: str, group_id: str) -> int:
    return next(db.query(sql, [group_id]))["n"]


def list_groups(
    db: Database,
    *,
    q: str | None = None,
    filter_: str | None = None,
    search: str | None = None,
    after: str | None = None,
    limit: int,
) -> tuple[list[dict], str | None]:
    """GET /api/v1/groups. `q` is a name prefix and is not paged (Groups API)."""
    where, params = [], {}
    for expression, attributes in ((filter_, _FILTER_ATTRIBUTES), (search, _SEARCH_ATTRIBUTES)):
        if expression:
            sql, values = to_sql(expression, attributes)
            where.append(sql)
            params.update(values)
    if q is None:
        return page(db, table="groups", where=where, params=params, after=after, limit=limit)
    # "Exact matches are always returned before partial matches"; prefix match, no paging.
    where.append("name like :q escape '\\'")
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    params.update(q=f"{escaped}%", exact=q, limit=limit)
    rows = db.query(
        f"select * from groups where {' and '.join(where)} "
        "order by lower(name) = lower(:exact) desc, seq limit :limit",
        params,
    )
    return list(rows), None


# --- group lifecycle ------------------------------------------------------------------------


def _validate_profile(db: Database, profile: object, group_id: str | None = None) -> dict:
    """Checks of the okta:user_group profile; returns it with `description` present."""
    if not isinstance(profile, dict):
        raise ApiValidationFailed("profile", ["profile: The field cannot be left blank"])
    name, description = profile.get("name"), profile.get("description")
    causes = []
    if not isinstance(name, str) or not name.strip():
        causes.append("name: The field cannot be left blank")
    elif len(name) > NAME_MAX:
        causes.append(f"name: The field cannot exceed {NAME_MAX} characters")
    if description is not None and not isinstance(description, str):
        causes.append("description: Property value is not of the expected type")
    elif description is not None and len(description) > DESCRIPTION_MAX:
        causes.append(f"description: The field cannot exceed {DESCRIPTION_MAX} characters")
    for key, value in profile.items():
        if value is not None and not isinstance(value, str | int | float | bool | list):
            causes.append(f"{key}: Property value is not of the expected type")
    if not causes and _name_taken(db, name, group_id):
        causes.append("name: An object with this field already exists in the current organization")
    if causes:
        raise ApiValidationFailed(causes[0].split(":")[0], causes)
    return {**profile, "description": description}


def _name_taken(db: Database, name: str, group_id: str | None) -> bool:
    # Guess: names are unique among Okta-managed groups, case-insensitively; app groups may
    # repeat them (an imported group can carry an Okta group's name).
    rows = db.query(
        "select id from groups where lower(name) = lower(?) and type != 'APP_GROUP'", [name]
    )
    return any(row["id"] != group_id for row in rows)


def create_group(
    db: Database,
    now: datetime,
    profile: dict,
    type_: str = OKTA_GROUP,
    source_app_id: str | None = None,
    *,
    group_id: str | None = None,
    actor: dict | None = None,
) -> dict:
    """POST /api/v1/groups (OKTA_GROUP); app imports create APP_GROUPs the same way.

    `group_id` lets a fixture keep its ids; the API always makes a new one.
    """
    profile = _validate_profile(db, profile) if type_ == OKTA_GROUP else dict(profile)
    stamp = now.isoformat()
    group_id = group_id or new_id(GROUP)
    db["groups"].insert(
        {
            "id": group_id,
            "seq": next_seq(db, "groups"),
            "type": type_,
            "name": profile["name"],
            "description": profile.get("description"),
            "profile": json.dumps(profile),
            "created": stamp,
            "last_updated": stamp,
            "last_membership_updated": stamp,
            "source_app_id": source_app_id,
        }
    )
    group = require_group(db, group_id)
    system_log.record(
        db,
        now,
        "group.lifecycle.create",
        "Create Okta group",
        actor=actor,
        targets=[system_log.group_target(group)],
    )
    push_rules.group_changed(db, now, group)  # ACTIVE push rules pick up new matches
    return group


def replace_group(
    db: Database, now: datetime, group: dict, profile: object, *, actor: dict | None = None
) -> dict:
    """PUT /api/v1/groups/{id}: the whole profile; only OKTA_GROUP profiles can change."""
    if group["type"] != OKTA_GROUP:
        raise AccessDenied()  # Guess: the code for APP_GROUP/BUILT_IN profiles is not documented.
    profile = _validate_profile(db, profile, group["id"])
    db["groups"].update(
        group["id"],
        {
            "name": profile["name"],
            "description": profile["description"],
            "profile": json.dumps(profile),
            "last_updated": now.isoformat(),
        },
    )
    updated = require_group(db, group["id"])
    system_log.record(
        db,
        now,
        "group.profile.update",
        "Update group profile",
        actor=actor,
        targets=[system_log.group_target(updated)],
    )
    if updated["name"] != group["name"]:
        _renamed(db, now, group, updated)
    push_rules.group_changed(db, now, updated)  # ACTIVE push rules pick up new matches
    return updated


def _renamed(db: Database, now: datetime, old: dict, new: dict) -> None:
    # reference §5.8: a rename is pushed for ACTIVE mappings only.
    for mapping in _push_mappings(db, new["id"]):
        provisioning_events.enqueue(
            db,
            now,
            mapping["app_id"],
            provisioning_events.GROUP_RENAMED,
            groupId=new["id"],
            oldName=old["name"],
            newName=new["name"],
        )
    for user_id in _member_ids(db, new["id"]):  # isMemberOfGroupName(...) may now differ
        group_rules.evaluate_user(db, now, user_id)


def delete_group(db: Database, now: datetime, group: dict, *, actor: dict | None = None) -> None:
    """DELETE /api/v1/groups/{id}: OKTA_GROUP, or an APP_GROUP no push mapping targets."""
    if group["type"] == BUILT_IN:
        raise AccessDenied()  # Okta: BUILT_IN groups "can't be modified"
    used = db.query("select id from group_push_mappings where target_group_id = ?", [group["id"]])
    if group["type"] == APP_GROUP and list(used):
        # Groups API: "You can't remove groups of type APP_GROUP if they are used in a group
        # push mapping." Guess: the error is E0000001 with this cause.
        raise ApiValidationFailed("id", ["id: The group is used in a group push mapping"])
    members = _member_ids(db, group["id"])
    # Rules that assign to a deleted group become INVALID (observed: allGroupsValid false).
    db.execute(
        "update group_rules set status = 'INVALID' where exists "
        "(select 1 from json_each(group_rules.group_ids) where value = ?)",
        [group["id"]],
    )
    # Memberships, app assignments and push mappings of the group go with it (cascade).
    db.execute("delete from groups where id = ?", [group["id"]])
    system_log.record(
        db,
        now,
        "group.lifecycle.delete",
        "Delete Okta group",
        actor=actor,
        targets=[system_log.group_target(group)],
    )
    for user_id in members:
        assignments.refresh_user_assignments(db, now, user_id)
        group_rules.evaluate_user(db, now, user_id)


# --- memberships ----------------------------------------------------------------------------


def _member_ids(db: Database, group_id: str) -> list[str]:
    rows = db.query(
        "select distinct m.user_id from group_members m join users u on "
        "u.id = m.user_id where m.group_id = ? order by u.seq",
        [group_id],
    )
    return [row["user_id"] for row in rows]


def _require_user(db: Database, user_id: str) -> dict:
    rows = list(db.query("select * from users where id = ?", [user_id]))
    if not rows:
        raise ResourceNotFound(user_id, "User")
    return rows[0]


def _push_mappings(db: Database, group_id: str) -> list[dict]:
    return list(
        db.query(
            "select id, app_id from group_push_mappings where source_group_id = ? "
            "and status = 'ACTIVE' order by seq",
            [group_id],
        )
    )


def add_member(
    db: Database,
    now: datetime,
    group_id: str,
    user_id: str,
    source: str = MANUAL,
    *,
    actor: dict | None = None,
) -> bool:
    """Add a membership source; True when the user was not a member before."""
    group, user = require_group(db, group_id), _require_user(db, user_id)
    sources = member_sources(db, group_id, user_id)
    if source in sources:
        return False
    if source.startswith(_RULE) and MANUAL in sources:
        # Okta: a manually managed user who meets a rule's condition becomes managed by it.
        db.execute(
            "delete from group_members where group_id = ? and user_id = ? and source = ?",
            [group_id, user_id, MANUAL],
        )
    elif source == MANUAL and sources:
        return False  # already a member (by rule): stays managed by the rule
    db["group_members"].insert(
        {"group_id": group_id, "user_id": user_id, "source": source, "created": now.isoformat()}
    )
    if sources:
        return False
    _membership_changed(db, now, group, user, added=True, actor=actor, source=source)
    return True


def remove_member(
    db: Database,
    now: datetime,
    group_id: str,
    user_id: str,
    source: str | None = MANUAL,
    *,
    actor: dict | None = None,
) -> bool:
    """Remove one membership source (None: all); True when the user is no longer a member."""
    group, user = require_group(db, group_id), _require_user(db, user_id)
    sources = member_sources(db, group_id, user_id)
    gone = sources if source is None else [s for s in sources if s == source]
    if not gone:
        return False
    for each in gone:
        db.execute(
            "delete from group_members where group_id = ? and user_id = ? and source = ?",
            [group_id, user_id, each],
        )
    if len(gone) < len(sources):
        return False
    _membership_changed(db, now, group, user, added=False, actor=actor, source=source)
    return True


def _membership_changed(
    db: Database,
    now: datetime,
    group: dict,
    user: dict,
    *,
    added: bool,
    actor: dict | None,
    source: str | None,
) -> None:
    """The effects of a user joining or leaving a group."""
    db["groups"].update(group["id"], {"last_membership_updated": now.isoformat()})
    event, message = (
        ("group.user_membership.add", "Add user to group membership")
        if added
        else ("group.user_membership.remove", "Remove user from group membership")
    )
    debug = {"ruleId": source[len(_RULE) :]} if source and source.startswith(_RULE) else None
    system_log.record(
        db,
        now,
        event,
        message,
        actor=actor,
        debug_data=debug,
        targets=[system_log.user_target(user), system_log.group_target(group)],
    )
    if added:  # the app user must exist downstream before the group membership is pushed
        assignments.refresh_user_assignments(db, now, user["id"])
    for mapping in _push_mappings(db, group["id"]):
        provisioning_events.enqueue(
            db,
            now,
            mapping["app_id"],
            provisioning_events.GROUP_MEMBERSHIP_CHANGED,
            groupId=group["id"],
            userId=user["id"],
            added=added,
        )
    if not added:
        assignments.refresh_user_assignments(db, now, user["id"])
    if source == MANUAL or source is None:
        # Group rules fire when "the user's group membership changes" (Okta help).
        group_rules.evaluate_user(db, now, user["id"])


def assign_user_to_group(
    db: Database, now: datetime, group: dict, user_id: str, *, actor: dict | None = None
) -> None:
    """PUT /api/v1/groups/{gid}/users/{uid}: OKTA_GROUP memberships only."""
    if group["type"] != OKTA_GROUP:
        raise AccessDenied()  # observed: E0000006 for BUILT_IN and APP_GROUP memberships
    add_member(db, now, group["id"], user_id, MANUAL, actor=actor)


def unassign_user_from_group(
    db: Database, now: datetime, group: dict, user_id: str, *, actor: dict | None = None
) -> None:
    """DELETE /api/v1/groups/{gid}/users/{uid}: the user leaves, whatever put them there.

    Okta: "If a rule-managed user is manually removed from a group, the user is automatically
    added to the rule's Except The following users field."
    """
    if group["type"] != OKTA_GROUP:
        raise AccessDenied()
    _require_user(db, user_id)
    for source in member_sources(db, group["id"], user_id):
        if source.startswith(_RULE):
            group_rules.exclude_user(db, now, source[len(_RULE) :], user_id)
    remove_member(db, now, group["id"], user_id, None, actor=actor)


def list_group_users(
    db: Database, group_id: str, *, after: str | None, limit: int
) -> tuple[list[dict], str | None]:
    """The member users, in user creation order (Link paging)."""
    return page(
        db,
        table="users",
        where=["id in (select user_id from group_members where group_id = :gid)"],
        params={"gid": group_id},
        after=after,
        limit=limit,
    )


def list_user_groups(db: Database, user_id: str) -> list[dict]:
    """GET /api/v1/users/{id}/groups: every group of the user (no paging in Okta's API)."""
    return list(
        db.query(
            "select * from groups where id in (select group_id from group_members "
            "where user_id = ?) order by seq",
            [user_id],
        )
    )


def list_group_apps(
    db: Database, group_id: str, *, after: str | None, limit: int
) -> tuple[list[dict], str | None]:
    """GET /api/v1/groups/{id}/apps: the apps the group is assigned to."""
    return page(
        db,
        table="apps",
        where=["id in (select app_id from app_groups where group_id = :gid)"],
        params={"gid": group_id},
        after=after,
        limit=limit,
    )
