"""The state of a fresh SonarQube instance (PopulateInitialSchema, reference §1)."""

from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_sonar.accounts import groups, memberships, permissions, users

P = permissions.Permission
ADMIN_PERMISSIONS = (
    P.ADMINISTER,
    P.ADMINISTER_QUALITY_PROFILES,
    P.ADMINISTER_QUALITY_GATES,
    P.PROVISION_PROJECTS,
    P.APPLICATION_CREATOR,
    P.PORTFOLIO_CREATOR,
)
USERS_PERMISSIONS = (P.SCAN, P.PROVISION_PROJECTS)


@transactional
def bootstrap(db: Database, now: datetime) -> bool:
    """Create `admin`/`admin` and the two built-in groups if the instance is empty."""
    if users.count_users(db):
        return False
    admins = groups.create_group(db, now, groups.ADMIN_GROUP, "System administrators")
    everyone = groups.create_group(
        db,
        now,
        groups.DEFAULT_GROUP,
        "Every authenticated user automatically belongs to this group",
    )
    for permission in ADMIN_PERMISSIONS:
        permissions.grant_to_group(db, admins["uuid"], permission)
    for permission in USERS_PERMISSIONS:
        permissions.grant_to_group(db, everyone["uuid"], permission)
    admin = users.create_bootstrap_admin(db, now)
    memberships.add_member(db, admins, admin["uuid"])
    memberships.add_member(db, everyone, admin["uuid"])
    return True
