"""Group rules and their evaluation. Being written."""

from datetime import datetime

from sqlite_utils import Database


def evaluate_user(db: Database, now: datetime, user_id: str) -> None:
    """Apply every ACTIVE rule to one user: add or remove the rule's memberships."""
