"""Browser sign-in sessions behind Okta's `sid` cookie.

One session per browser sign-in, shared by the end-user dashboard, SAML SSO (a second app sign-in
is silent) and the admin console. The cookie value is random; only its hash is stored, so a
deactivated or deleted user's sessions can be ended server-side.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlite_utils import Database

from mock_common.db import transactional

SESSION_COOKIE = "sid"
#: Okta's default global session policy: a 2-hour idle timeout.
IDLE_TIMEOUT = timedelta(hours=2)


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


@transactional
def create_session(db: Database, now: datetime, user_id: str) -> str:
    """Start a session for a user; returns the cookie value."""
    value = secrets.token_urlsafe(32)
    stamp = now.isoformat()
    db["web_sessions"].insert(
        {
            "token_hash": _hash(value),
            "user_id": user_id,
            "csrf_token": secrets.token_urlsafe(24),
            "created": stamp,
            "last_active": stamp,
            "expires": (now + IDLE_TIMEOUT).isoformat(),
        }
    )
    return value


def find_session(db: Database, now: datetime, value: str | None) -> dict | None:
    """The live session of a cookie value (its idle timeout is extended), else None."""
    if not value:
        return None
    rows = list(db.query("select * from web_sessions where token_hash = ?", [_hash(value)]))
    if not rows or datetime.fromisoformat(rows[0]["expires"]) <= now:
        return None
    session = rows[0]
    db["web_sessions"].update(
        session["token_hash"],
        {"last_active": now.isoformat(), "expires": (now + IDLE_TIMEOUT).isoformat()},
    )
    return session


@transactional
def delete_session(db: Database, value: str | None) -> None:
    """Sign a browser out."""
    if value:
        db.execute("delete from web_sessions where token_hash = ?", [_hash(value)])


@transactional
def end_user_sessions(db: Database, user_id: str) -> None:
    """End every session of a user (deactivation, suspension, deletion)."""
    db.execute("delete from web_sessions where user_id = ?", [user_id])
