"""App users and app group assignments. Being written."""

from datetime import datetime

from sqlite_utils import Database


def refresh_user_assignments(db: Database, now: datetime, user_id: str) -> None:
    """Recompute the user's group-based app users from their group memberships."""


def revoke_user_assignments(db: Database, now: datetime, user_id: str) -> None:
    """Deactivation: every app user of the user goes (USER_DEACTIVATED per app)."""


def user_profile_changed(db: Database, now: datetime, user_id: str, changed: list[str]) -> None:
    """A profile change reaches every app the user is assigned to (USER_PROFILE_CHANGED)."""


def app_links(db: Database, user_id: str) -> list[dict]:
    """The user's app links (GET /api/v1/users/{id}/appLinks)."""
    return []
