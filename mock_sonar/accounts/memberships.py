"""Group memberships, the `groups_users` table (UserGroupDao, GroupMembershipService).

A user's groups decide their permissions, so removing a member keeps at least one
administrator, except on the two paths where SonarQube itself does not check (SAML group sync,
SCIM member lists).
"""

from enum import StrEnum

from sqlite_utils import Database

from mock_common.db import select_page, transactional
from mock_sonar.accounts import groups, permissions
from mock_sonar.errors import BadRequest
from mock_sonar.storage.ids import new_uuid


class SelectionMode(StrEnum):
    """Which users a group's member list shows (api/user_groups/users `selected`)."""

    SELECTED = "selected"
    DESELECTED = "deselected"
    ALL = "all"


@transactional
def add_member(db: Database, group: dict, user_uuid: str) -> None:
    """Add a user to a group (no-op when already a member)."""
    db.execute(
        "insert or ignore into groups_users (uuid, group_uuid, user_uuid) values (?, ?, ?)",
        [new_uuid(), group["uuid"], user_uuid],
    )


@transactional
def add_membership(db: Database, group: dict, user: dict) -> dict:
    """GroupMembershipService.addMembership: not the default group, not twice; the new row."""
    groups.check_not_default(group)
    if is_member(db, group, user["uuid"]):
        raise BadRequest(f"User '{user['login']}' is already a member of group '{group['name']}'")
    add_member(db, group, user["uuid"])
    return next(
        db.query(
            "select * from groups_users where group_uuid = ? and user_uuid = ?",
            [group["uuid"], user["uuid"]],
        )
    )


@transactional
def add_to_default_group(db: Database, user_uuid: str) -> None:
    """New and reactivated users join the default group (UserUpdater.addUserToDefaultGroup)."""
    add_member(db, groups.default_group(db), user_uuid)


@transactional
def remove_member(db: Database, group: dict, user_uuid: str) -> None:
    """Remove a user from a group, keeping at least one administrator."""
    if (
        permissions.Permission.ADMINISTER in permissions.group_permissions(db, group["uuid"])
        and not permissions.has_other_active_administrator(db, user_uuid)
        and is_member(db, group, user_uuid)
    ):
        raise BadRequest("The last administrator user cannot be removed")
    leave_group(db, group, user_uuid)


@transactional
def leave_group(db: Database, group: dict, user_uuid: str) -> None:
    """Remove a user from a group without the last-administrator check (UserGroupDao.delete)."""
    db.execute(
        "delete from groups_users where group_uuid = ? and user_uuid = ?",
        [group["uuid"], user_uuid],
    )


@transactional
def leave_all_groups(db: Database, user_uuid: str) -> None:
    """Every membership of the user goes (deactivation)."""
    db.execute("delete from groups_users where user_uuid = ?", [user_uuid])


def get_membership(db: Database, uuid: str) -> dict | None:
    """A groups_users row by its uuid (the v2 group-membership id)."""
    rows = list(db.query("select * from groups_users where uuid = ?", [uuid]))
    return rows[0] if rows else None


def is_member(db: Database, group: dict, user_uuid: str) -> bool:
    """Whether the user belongs to the group."""
    return bool(
        list(
            db.query(
                "select 1 from groups_users where group_uuid = ? and user_uuid = ?",
                [group["uuid"], user_uuid],
            )
        )
    )


def members_count(db: Database, group_uuid: str) -> int:
    """How many users belong to the group."""
    return next(
        db.query("select count(*) as n from groups_users where group_uuid = ?", [group_uuid])
    )["n"]


def group_names(db: Database, user_uuid: str) -> list[str]:
    """Names of the user's groups, sorted."""
    rows = db.query(
        "select g.name from groups g join groups_users gu on gu.group_uuid = g.uuid "
        "where gu.user_uuid = ? order by g.name",
        [user_uuid],
    )
    return [row["name"] for row in rows]


def search_memberships(
    db: Database,
    *,
    group_uuid: str | None = None,
    user_uuid: str | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[dict], int]:
    """Memberships filtered by group and/or user, in creation order, and the total count."""
    where, params = [], {}
    if group_uuid is not None:
        where.append("group_uuid = :g")
        params["g"] = group_uuid
    if user_uuid is not None:
        where.append("user_uuid = :u")
        params["u"] = user_uuid
    return select_page(
        db,
        columns="*",
        source="groups_users",
        where=where,
        params=params,
        order_by="uuid",
        offset=(page - 1) * page_size,
        limit=page_size,
    )
