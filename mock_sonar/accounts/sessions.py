"""Browser sessions behind the `JWT-SESSION` and `XSRF-TOKEN` cookies.

The real cookie is a signed JWT; ours is an opaque random value whose hash is stored, so that
deactivating a user can delete its sessions server-side, as SonarQube does (§3.7).
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlite_utils import Database

from mock_common.db import transactional

SESSION_COOKIE = "JWT-SESSION"
XSRF_COOKIE = "XSRF-TOKEN"
XSRF_HEADER = "X-XSRF-TOKEN"
#: sonar.web.sessionTimeoutInMinutes defaults to three days.
SESSION_TIMEOUT = timedelta(days=3)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@transactional
def create_session(db: Database, now: datetime, user_uuid: str) -> tuple[str, str]:
    """A new session; returns (cookie value, xsrf token)."""
    value, xsrf = secrets.token_urlsafe(32), secrets.token_urlsafe(16)
    db["sessions"].insert(
        {
            "token_hash": _hash(value),
            "user_uuid": user_uuid,
            "xsrf_token": xsrf,
            "created_at": now.isoformat(),
            "expires_at": (now + SESSION_TIMEOUT).isoformat(),
        }
    )
    return value, xsrf


def find_session(db: Database, now: datetime, value: str) -> dict | None:
    """The live session for a cookie value, else None."""
    rows = list(db.query("select * from sessions where token_hash = ?", [_hash(value)]))
    if not rows or datetime.fromisoformat(rows[0]["expires_at"]) <= now:
        return None
    return rows[0]


@transactional
def delete_session(db: Database, value: str) -> None:
    """Log a session out."""
    db.execute("delete from sessions where token_hash = ?", [_hash(value)])


@transactional
def delete_user_sessions(db: Database, user_uuid: str) -> None:
    """Log every browser of the user out (password change, deactivation)."""
    db.execute("delete from sessions where user_uuid = ?", [user_uuid])
