"""SSWS API tokens: only a SHA-256 hash is stored; the clear value is shown once."""

import hashlib
import secrets
from datetime import datetime

from sqlite_utils import Database

from .ids import API_TOKEN, new_id


def hash_token(value: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(value.encode()).hexdigest()


def create_token(
    db: Database, now: datetime, name: str, *, value: str | None = None, user_id: str | None = None
) -> tuple[dict, str]:
    """A new token (Okta's tokens start with `00` and are 42 characters long)."""
    value = value or "00" + secrets.token_urlsafe(30)[:40]
    row = {
        "id": new_id(API_TOKEN),
        "name": name,
        "token_hash": hash_token(value),
        "user_id": user_id,
        "created": now.isoformat(),
        "last_used": None,
    }
    db["api_tokens"].insert(row)
    return row, value


def find_token(db: Database, value: str) -> dict | None:
    """The token row for a clear value, else None."""
    rows = list(db.query("select * from api_tokens where token_hash = ?", [hash_token(value)]))
    return rows[0] if rows else None
