"""The state of a fresh SonarQube instance (PopulateInitialSchema, reference §1)."""

from datetime import datetime

from sqlite_utils import Database

from ..storage.ids import new_uuid
from . import groups, permissions
from .passwords import hash_password

ADMIN_PERMISSIONS = (
    "admin",
    "profileadmin",
    "gateadmin",
    "provisioning",
    "applicationcreator",
    "portfoliocreator",
)
USERS_PERMISSIONS = ("scan", "provisioning")


def bootstrap(db: Database, now: datetime) -> bool:
    """Create `admin`/`admin` and the two built-in groups if the instance is empty."""
    if db["users"].count:
        return False
    admins = groups.create_group(db, now, groups.ADMIN_GROUP, "System administrators")
    users = groups.create_group(
        db,
        now,
        groups.DEFAULT_GROUP,
        "Every authenticated user automatically belongs to this group",
    )
    for permission in ADMIN_PERMISSIONS:
        permissions.grant_to_group(db, admins["uuid"], permission)
    for permission in USERS_PERMISSIONS:
        permissions.grant_to_group(db, users["uuid"], permission)
    admin_uuid = new_uuid()
    db["users"].insert(
        {
            "uuid": admin_uuid,
            "login": "admin",
            "name": "Administrator",
            "email": None,
            "active": 1,
            "local": 1,
            "external_provider": "sonarqube",
            "external_id": "admin",
            "external_login": "admin",
            "password_hash": hash_password("admin"),
            "reset_password": 1,
            "scm_accounts": "[]",
            "created_at": now.isoformat(),
            "updated_at": now.isoformat(),
        }
    )
    groups.add_member(db, admins, admin_uuid)
    groups.add_member(db, users, admin_uuid)
    return True
