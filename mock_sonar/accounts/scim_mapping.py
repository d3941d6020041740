"""Which users and groups SCIM manages: the `scim_users` and `scim_groups` tables (ScimUserDao,
ScimGroupDao), with the SCIM id and the attributes the IdP sent that SonarQube has no column for.

SonarQube keeps these tables in its core, beside the users and groups they point at; the SCIM
server (`mock_sonar/scim/`) and the managed-instance rules (`management`) both read them here.
"""

import json
from datetime import datetime

from sqlite_utils import Database

from mock_common.db import select_page, transactional
from mock_common.rows import insert_row, update_rows
from mock_sonar.storage.ids import new_uuid


def list_users(
    db: Database, *, user_name: str | None, offset: int, limit: int
) -> tuple[list[dict], int]:
    """Mapped users ordered by scim_uuid; userName matches case-insensitively (ScimUserMapper)."""
    where, params = [], {}
    if user_name is not None:
        where, params = ["lower(u.external_id) = lower(:name)"], {"name": user_name}
    return select_page(
        db,
        columns="u.*, s.scim_uuid, s.attributes",
        source="scim_users s join users u on u.uuid = s.user_uuid",
        where=where,
        params=params,
        order_by="s.scim_uuid",
        offset=offset,
        limit=limit,
    )


def get_user(db: Database, scim_uuid: str) -> dict | None:
    """A mapped user with its SCIM id and stored attributes."""
    rows = list(
        db.query(
            "select u.*, s.scim_uuid, s.attributes from scim_users s "
            "join users u on u.uuid = s.user_uuid where s.scim_uuid = ?",
            [scim_uuid],
        )
    )
    return rows[0] if rows else None


def mapped_user(user: dict, scim_uuid: str, attributes: dict) -> dict:
    """A user row and its mapping as `get_user` reads them, from what was just written."""
    return {**user, "scim_uuid": scim_uuid, "attributes": json.dumps(attributes)}


def find_user_by_user_name(db: Database, user_name: str) -> dict | None:
    """The mapped user whose userName matches (case-insensitively)."""
    rows = db.query(
        "select u.*, s.scim_uuid, s.attributes from scim_users s "
        "join users u on u.uuid = s.user_uuid where lower(u.external_id) = lower(?) "
        "order by s.scim_uuid limit 1",
        [user_name],
    )
    return next(iter(rows), None)


@transactional
def map_user(db: Database, user_uuid: str, attributes: dict) -> str:
    """Make a SonarQube user managed; returns its new SCIM id."""
    scim_uuid = new_uuid()
    row = {"scim_uuid": scim_uuid, "user_uuid": user_uuid, "attributes": json.dumps(attributes)}
    insert_row(db, "scim_users", row)
    return scim_uuid


@transactional
def save_user_attributes(db: Database, scim_uuid: str, attributes: dict) -> None:
    """Remember SCIM attributes SonarQube has no column for (name parts)."""
    values = {"attributes": json.dumps(attributes)}
    update_rows(db, "scim_users", {"scim_uuid": scim_uuid}, values)


@transactional
def unmap_user(db: Database, scim_uuid: str) -> None:
    """Forget the SCIM id: the user becomes local again."""
    db.execute("delete from scim_users where scim_uuid = ?", [scim_uuid])


def list_groups(
    db: Database, *, display_name: str | None, offset: int, limit: int
) -> tuple[list[dict], int]:
    """Mapped groups ordered by scim_uuid; displayName matches exactly (ScimGroupMapper)."""
    where, params = [], {}
    if display_name is not None:
        where, params = ["g.name = :name"], {"name": display_name}
    return select_page(
        db,
        columns="g.*, s.scim_uuid, s.attributes, s.last_modified",
        source="scim_groups s join groups g on g.uuid = s.group_uuid",
        where=where,
        params=params,
        order_by="s.scim_uuid",
        offset=offset,
        limit=limit,
    )


def get_group(db: Database, scim_uuid: str) -> dict | None:
    """A mapped group with its SCIM id."""
    rows = list(
        db.query(
            "select g.*, s.scim_uuid, s.attributes, s.last_modified from scim_groups s "
            "join groups g on g.uuid = s.group_uuid "
            "where s.scim_uuid = ?",
            [scim_uuid],
        )
    )
    return rows[0] if rows else None


@transactional
def map_group(db: Database, now: datetime, group_uuid: str, attributes: dict) -> str:
    """Make a SonarQube group managed; returns its new SCIM id."""
    scim_uuid = new_uuid()
    db["scim_groups"].insert(
        {
            "scim_uuid": scim_uuid,
            "group_uuid": group_uuid,
            "attributes": json.dumps(attributes),
            "last_modified": now.isoformat(),
        }
    )
    return scim_uuid


@transactional
def save_group_attributes(db: Database, now: datetime, scim_uuid: str, attributes: dict) -> None:
    """Remember SCIM attributes SonarQube has no column for (externalId), and that the group
    changed now (its meta.lastModified)."""
    db["scim_groups"].update(
        scim_uuid, {"attributes": json.dumps(attributes), "last_modified": now.isoformat()}
    )


def attributes_of(row: dict) -> dict:
    """The stored SCIM attributes of a mapped user or group row."""
    return json.loads(row.get("attributes") or "{}")


def group_members(db: Database, group_uuid: str) -> list[dict]:
    """Members of a group that SCIM knows (managed users), by SCIM id."""
    return list(
        db.query(
            "select s.scim_uuid, u.external_id, u.uuid from groups_users gu "
            "join scim_users s on s.user_uuid = gu.user_uuid join users u on u.uuid = gu.user_uuid "
            "where gu.group_uuid = ? order by s.scim_uuid",
            [group_uuid],
        )
    )


def user_groups(db: Database, user_uuid: str) -> list[dict]:
    """Managed groups the user belongs to, by SCIM id."""
    return list(
        db.query(
            "select s.scim_uuid, g.name from groups_users gu "
            "join scim_groups s on s.group_uuid = gu.group_uuid "
            "join groups g on g.uuid = gu.group_uuid "
            "where gu.user_uuid = ? order by s.scim_uuid",
            [user_uuid],
        )
    )


def user_uuids_for(db: Database, scim_uuids: list[str]) -> dict[str, str]:
    """SonarQube user uuids for SCIM user ids (unknown ids are absent)."""
    if not scim_uuids:
        return {}
    marks = ",".join("?" for _ in scim_uuids)
    rows = db.query(
        f"select scim_uuid, user_uuid from scim_users where scim_uuid in ({marks})", scim_uuids
    )
    return {row["scim_uuid"]: row["user_uuid"] for row in rows}


def has_user(db: Database, user_uuid: str) -> bool:
    """Whether a scim_users row points at the user."""
    return bool(list(db.query("select 1 from scim_users where user_uuid = ?", [user_uuid])))


def has_group(db: Database, group_uuid: str) -> bool:
    """Whether a scim_groups row points at the group."""
    return bool(list(db.query("select 1 from scim_groups where group_uuid = ?", [group_uuid])))


@transactional
def unmap_user_of(db: Database, user_uuid: str) -> None:
    """Forget the SCIM id of a SonarQube user, if it has one."""
    db.execute("delete from scim_users where user_uuid = ?", [user_uuid])


@transactional
def unmap_all(db: Database) -> None:
    """Forget every SCIM id: all users and groups become local."""
    db.execute("delete from scim_users")
    db.execute("delete from scim_groups")
