"""Groups: OKTA_GROUP, APP_GROUP and the BUILT_IN Everyone (reference/okta.md §5.4).

This module owns the `groups` table: the groups' profiles and their lifecycle. Memberships are
`memberships`; what a new, renamed or deleted group sets off elsewhere (rules, pushes, app
assignments) is `mock_okta.reactions`' work.
"""

import json
from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import TypedDict

from sqlite_utils import Database

from mock_common.db import transactional
from mock_common.rows import update_rows
from mock_okta import fields, system_log
from mock_okta.errors import AccessDenied, ApiValidationFailed, ResourceNotFound
from mock_okta.storage import like
from mock_okta.storage.filters import AttributeMap, to_sql
from mock_okta.storage.ids import GROUP, new_id
from mock_okta.storage.pagination import next_seq, page


class Group(TypedDict):
    """A row of `groups` (`profile` is JSON text; `source_app_id` for APP_GROUPs)."""

    id: str
    seq: int
    type: str
    name: str
    description: str | None
    profile: str
    created: str
    last_updated: str
    last_membership_updated: str | None
    source_app_id: str | None


class GroupType(StrEnum):
    """Okta groups are made in Okta, app groups come from (or stand for) an app's groups."""

    OKTA_GROUP = "OKTA_GROUP"
    APP_GROUP = "APP_GROUP"
    BUILT_IN = "BUILT_IN"  # Everyone


OKTA_GROUP, APP_GROUP, BUILT_IN = GroupType.OKTA_GROUP, GroupType.APP_GROUP, GroupType.BUILT_IN
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


# --- reading --------------------------------------------------------------------------------


def get_group(db: Database, group_id: str) -> Group | None:
    """A group by id, or None."""
    rows = list(db.query("select * from groups where id = ?", [group_id]))
    return rows[0] if rows else None


def require_group(db: Database, group_id: str) -> Group:
    """The group, or E0000007 `Not found: Resource not found: <id> (UserGroup)`."""
    group = get_group(db, group_id)
    if group is None:
        raise ResourceNotFound(group_id, "UserGroup")
    return group


def search_groups(
    db: Database, *, name_prefix: str | None, limit: int, after_seq: int | None = None
) -> list[dict]:
    """Okta and built-in groups (app groups aside) whose name starts with the prefix (any case),
    in creation order; those created after `after_seq` when given (the next page)."""
    where, params = ["type != :app_group"], {"app_group": APP_GROUP, "limit": limit}
    if after_seq is not None:
        where.append("seq > :after")
        params["after"] = after_seq
    if name_prefix:
        where.append("name like :q escape '\\'")
        params["q"] = like.starts_with(name_prefix)
    sql = f"select * from groups where {' and '.join(where)} order by seq limit :limit"
    return list(db.query(sql, params))


def groups_named(db: Database, name: str) -> list[dict]:
    """Okta and built-in groups of that name, any case (app groups aside)."""
    sql = "select * from groups where lower(name) = lower(?) and type != ?"
    return list(db.query(sql, [name, APP_GROUP]))


def count_groups(db: Database) -> int:
    """How many groups the org manages itself (app groups aside)."""
    sql = "select count(*) as n from groups where type != ?"
    return next(db.query(sql, [APP_GROUP]))["n"]


def okta_groups(db: Database) -> list[dict]:
    """Every OKTA_GROUP, in creation order."""
    return list(db.query("select * from groups where type = ? order by seq", [OKTA_GROUP]))


def okta_groups_by_name(db: Database, limit: int, *, named: str = "") -> list[dict]:
    """The first `limit` OKTA_GROUPs by name (any case) whose name starts with `named` (any
    case), read a page at a time from SQLite."""
    sql = (
        "select * from groups where type = ? and name like ? escape '\\' "
        "order by name collate nocase, seq limit ?"
    )
    return list(db.query(sql, [OKTA_GROUP, like.starts_with(named), limit]))


def everyone_id(db: Database) -> str:
    """The id of the BUILT_IN Everyone group."""
    return next(db.query("select id from groups where type = ?", [BUILT_IN]))["id"]


def group_names(db: Database, group_ids: Iterable[str]) -> dict[str, str]:
    """Names of the existing groups among the ids."""
    ids = list(group_ids)
    marks = ",".join("?" * len(ids))
    rows = db.query(f"select id, name from groups where id in ({marks})", ids) if ids else []
    return {row["id"]: row["name"] for row in rows}


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
    params.update(q=like.starts_with(q), exact=q, limit=limit)
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
        causes.append(fields.cause("name", fields.BLANK))
    for key, value in profile.items():
        problem = _profile_cause(key, value)
        causes += [problem] if problem else []
    if not causes and _name_taken(db, name, group_id):
        causes.append("name: An object with this field already exists in the current organization")
    if causes:
        raise ApiValidationFailed(causes[0].split(":")[0], causes)
    return {**profile, "description": description}


def _profile_cause(key: str, value: object) -> str | None:
    """`name` and `description` are strings of at most their maxLength (a description may span
    lines); custom attributes may be strings, numbers, Booleans or arrays of those."""
    if value is None:
        return None
    if key == "name":
        return fields.text_cause(key, value, maximum=NAME_MAX) if isinstance(value, str) else None
    if key == "description":
        return fields.text_cause(key, value, maximum=DESCRIPTION_MAX, multiline=True)
    return fields.scalar_cause(key, value)


def _name_taken(db: Database, name: str, group_id: str | None) -> bool:
    # Guess: names are unique among Okta-managed groups, case-insensitively; app groups may
    # repeat them (an imported group can carry an Okta group's name).
    rows = db.query(
        "select id from groups where lower(name) = lower(?) and type != 'APP_GROUP'", [name]
    )
    return any(row["id"] != group_id for row in rows)


@transactional
def create_group(
    db: Database,
    now: datetime,
    profile: dict,
    type_: str = OKTA_GROUP,
    source_app_id: str | None = None,
    *,
    group_id: str | None = None,
    actor: dict | None = None,
) -> Group:
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
    return group


@transactional
def replace_group(
    db: Database, now: datetime, group: Group, profile: object, *, actor: dict | None = None
) -> Group:
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
    return updated


@transactional
def rename_app_group(db: Database, now: datetime, group_id: str, name: str) -> None:
    """An APP_GROUP follows the name its group has downstream (Group Push renames it)."""
    group = get_group(db, group_id)
    if group is None or group["type"] != APP_GROUP or group["name"] == name:
        return
    profile = {**json.loads(group["profile"]), "name": name}
    db["groups"].update(
        group_id, {"name": name, "profile": json.dumps(profile), "last_updated": now.isoformat()}
    )


@transactional
def delete_app_group(db: Database, group_id: str) -> None:
    """Remove an APP_GROUP whose group was deleted downstream (the push engine logs it)."""
    db.execute("delete from groups where id = ? and type = ?", [group_id, APP_GROUP])


@transactional
def delete_app_groups_of(db: Database, app_id: str) -> None:
    """Remove the APP_GROUPs an app imported or pushed (the app is being deleted)."""
    db.execute("delete from groups where type = ? and source_app_id = ?", [APP_GROUP, app_id])


@transactional
def membership_updated(db: Database, now: datetime, group_id: str) -> None:
    """Stamp `lastMembershipUpdated` (memberships calls this on every join and leave)."""
    update_rows(db, "groups", {"id": group_id}, {"last_membership_updated": now.isoformat()})


@transactional
def delete_group(db: Database, now: datetime, group: Group, *, actor: dict | None = None) -> None:
    """DELETE /api/v1/groups/{id}: an OKTA_GROUP or APP_GROUP, never Everyone.

    Memberships, app assignments and push mappings of the group go with it (foreign keys
    cascade); `reactions.delete_group` checks what must stop it first and applies the rest.
    """
    if group["type"] == BUILT_IN:
        raise AccessDenied()  # Okta: BUILT_IN groups "can't be modified"
    db.execute("delete from groups where id = ?", [group["id"]])
    system_log.record(
        db,
        now,
        "group.lifecycle.delete",
        "Delete Okta group",
        actor=actor,
        targets=[system_log.group_target(group)],
    )
