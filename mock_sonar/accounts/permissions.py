"""Global permissions, held by groups or users (reference/sonarqube.md §1)."""

from enum import StrEnum

from sqlite_utils import Database

from mock_common.db import transactional


class Permission(StrEnum):
    """GlobalPermission, in the order api/users/current lists them."""

    ADMINISTER = "admin"
    ADMINISTER_QUALITY_GATES = "gateadmin"
    ADMINISTER_QUALITY_PROFILES = "profileadmin"
    PROVISION_PROJECTS = "provisioning"
    SCAN = "scan"
    APPLICATION_CREATOR = "applicationcreator"
    PORTFOLIO_CREATOR = "portfoliocreator"


def user_permissions(db: Database, user_uuid: str) -> set[str]:
    """Every global permission the user holds, directly or through a group."""
    rows = db.query(
        """
        select permission from user_permissions where user_uuid = :u
        union
        select gp.permission from group_permissions gp
          join groups_users gu on gu.group_uuid = gp.group_uuid
         where gu.user_uuid = :u
        """,
        {"u": user_uuid},
    )
    return {row["permission"] for row in rows}


def is_system_administrator(db: Database, user_uuid: str) -> bool:
    """Whether the user has 'Administer System'."""
    return Permission.ADMINISTER in user_permissions(db, user_uuid)


def has_other_active_administrator(db: Database, user_uuid: str) -> bool:
    """Whether an active user other than this one holds 'Administer System'.

    Starts from the permission's holders (a few rows), not from every user, and stops at the
    first one found: deactivating or removing a member must not cost more as users grow.
    """
    row = next(
        db.query(
            """
        select exists (
          select 1 from users u
           where u.active = 1 and u.uuid != :u and u.uuid in (
             select user_uuid from user_permissions where permission = 'admin'
             union all
             select gu.user_uuid from group_permissions gp
               join groups_users gu on gu.group_uuid = gp.group_uuid
              where gp.permission = 'admin')
        ) as found
        """,
            {"u": user_uuid},
        )
    )
    return bool(row["found"])


@transactional
def grant_to_group(db: Database, group_uuid: str, permission: str) -> None:
    """Give a global permission to a group."""
    db["group_permissions"].insert(
        {"group_uuid": group_uuid, "permission": permission}, ignore=True
    )


def group_permissions(db: Database, group_uuid: str) -> set[str]:
    """The global permissions a group holds."""
    rows = db.query("select permission from group_permissions where group_uuid = ?", [group_uuid])
    return {row["permission"] for row in rows}


def is_last_admin_group(db: Database, group_uuid: str) -> bool:
    """Whether this group alone holds 'Administer System' and no user holds it directly."""
    holders = {
        row["group_uuid"]
        for row in db.query("select group_uuid from group_permissions where permission = 'admin'")
    }
    direct_admins = list(
        db.query("select 1 from user_permissions where permission = 'admin' limit 1")
    )
    return holders == {group_uuid} and not direct_admins


@transactional
def revoke_user_permissions(db: Database, user_uuid: str) -> None:
    """Every permission granted to the user directly goes (deactivation)."""
    db.execute("delete from user_permissions where user_uuid = ?", [user_uuid])
