"""Browser sign-in sessions behind Okta's `sid` cookie.

One session per browser sign-in, shared by the end-user dashboard, SAML SSO (a second app sign-in
is silent) and the admin console. The cookie value is random; only its hash is stored, so a
deactivated or deleted user's sessions can be ended server-side.

Each session also remembers the SAML apps it signed in to (`web_session_apps`: the NameID and
SessionIndex of every assertion), which Single Logout needs: Okta sends its outbound
LogoutRequests to "the downstream apps where the user has previously established a session"
(Okta developer guide "Configure Single Logout"). Ending a session forgets them with it.
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
def record_app_sign_in(
    db: Database,
    now: datetime,
    token_hash: str,
    app_id: str,
    *,
    name_id: str,
    name_id_format: str,
    session_index: str,
) -> None:
    """Remember that this session signed in to a SAML app with this NameID and SessionIndex."""
    db["web_session_apps"].insert(
        {
            "token_hash": token_hash,
            "app_id": app_id,
            "name_id": name_id,
            "name_id_format": name_id_format,
            "session_index": session_index,
            "created": now.isoformat(),
        }
    )


def app_sign_ins(db: Database, token_hash: str) -> list[dict]:
    """The SAML sign-ins of a session, oldest first."""
    return list(
        db.query(
            "select app_id, name_id, name_id_format, session_index, created "
            "from web_session_apps where token_hash = ? order by id",
            [token_hash],
        )
    )


@transactional
def delete_session(db: Database, value: str | None) -> None:
    """Sign a browser out."""
    if value:
        db.execute("delete from web_sessions where token_hash = ?", [_hash(value)])


@transactional
def end_user_sessions(db: Database, user_id: str) -> None:
    """End every session of a user (deactivation, suspension, deletion)."""
    db.execute("delete from web_sessions where user_id = ?", [user_id])
