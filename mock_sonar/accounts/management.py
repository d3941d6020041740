"""Managed-instance state: SCIM on or off, and which users and groups SCIM manages (§4)."""

from sqlite_utils import Database

from mock_common.db import transactional
from mock_sonar import settings
from mock_sonar.accounts import scim_mapping
from mock_sonar.config import SCIM_EDITIONS
from mock_sonar.errors import ManagedInstance


def scim_available(edition: str) -> bool:
    """SCIM exists only in Enterprise Edition and above (reference §3.1)."""
    return edition in SCIM_EDITIONS


def is_scim_enabled(db: Database) -> bool:
    """The internal property `sonar.scim.enabled` (not visible in api/settings)."""
    return settings.get_internal(db, settings.SCIM_ENABLED) == "true"


def is_instance_managed(db: Database) -> bool:
    """An instance is managed while an external provisioner (here: SCIM) is active."""
    return is_scim_enabled(db)


@transactional
def enable_scim(db: Database) -> None:
    """Turn SCIM on; existing users and groups stay local until an IdP adopts them."""
    settings.set_internal(db, settings.SCIM_ENABLED, "true")


@transactional
def disable_scim(db: Database) -> None:
    """Turn SCIM off: every SCIM mapping is dropped, so all users and groups become local."""
    settings.set_internal(db, settings.SCIM_ENABLED, None)
    scim_mapping.unmap_all(db)


def check_not_managed(db: Database) -> None:
    """Refuse user and group edits while the instance is managed."""
    if is_instance_managed(db):
        raise ManagedInstance()


def is_user_managed(db: Database, user_uuid: str) -> bool:
    """A user is managed exactly when a scim_users row points at it."""
    return scim_mapping.has_user(db, user_uuid)


def is_group_managed(db: Database, group_uuid: str) -> bool:
    """A group is managed exactly when a scim_groups row points at it."""
    return scim_mapping.has_group(db, group_uuid)
