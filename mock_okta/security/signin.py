"""End-user sign-in: checking credentials, starting and ending the `sid` session, logging it.

The Okta Sign-In Widget answers every refused sign-in with the same words, "Unable to sign in"
(widget login.properties, `errors.E0000004`), whether the username is unknown, the password
wrong or the user not ACTIVE; only a locked-out account is told so. The System Log records
`user.session.start` ("User login to Okta") and `user.session.end` ("User logout from Okta").
"""

import hashlib
import hmac
import json
import secrets
from datetime import datetime
from urllib.parse import urlsplit

from sqlite_utils import Database

from mock_common.db import atomic
from mock_okta import system_log
from mock_okta.applications import assignments
from mock_okta.directory import users
from mock_okta.directory.passwords import check_password
from mock_okta.directory.users import User, UserStatus
from mock_okta.errors import SignInFailed
from mock_okta.security import sessions as web_sessions

LOCKED_OUT = "Your account is locked. Please contact your administrator."
_SECRET_KEY = "signin.secret"


def sign_in(db: Database, now: datetime, username: str, password: str) -> tuple[dict, str]:
    """Check the credentials and start a session: (user, `sid` cookie value), or SignInFailed.

    A refusal is logged before it is raised, so the caller must not roll it back.
    """
    user = users.find_by_login(db, username) if username else None
    if user is None or not password:
        _log_failure(db, now, user, username, "INVALID_CREDENTIALS")
        raise SignInFailed()
    if user["status"] == UserStatus.LOCKED_OUT:
        _log_failure(db, now, user, username, UserStatus.LOCKED_OUT)
        raise SignInFailed(LOCKED_OUT)
    if not user["password_hash"] or not check_password(user["password_hash"], password):
        _log_failure(db, now, user, username, "INVALID_CREDENTIALS")
        if users.record_failed_sign_in(db, now, user)["status"] == UserStatus.LOCKED_OUT:
            raise SignInFailed(LOCKED_OUT)
        raise SignInFailed()
    if user["status"] != "ACTIVE":
        # Guess: STAGED, PROVISIONED, SUSPENDED, DEPROVISIONED, PASSWORD_EXPIRED and RECOVERY
        # users are all refused with the generic words (no password change flow here).
        _log_failure(db, now, user, username, f"User status is {user['status']}")
        raise SignInFailed()
    with atomic(db):
        users.record_sign_in(db, now, user)
        value = web_sessions.create_session(db, now, user["id"])
        system_log.record(
            db, now, "user.session.start", "User login to Okta", actor=system_log.user_target(user)
        )
    return user, value


def current_session(db: Database, now: datetime, cookie: str | None) -> tuple[dict, dict] | None:
    """(session, user) of a live `sid` cookie whose user is still ACTIVE, else None."""
    session = web_sessions.find_session(db, now, cookie)
    if session is None:
        return None
    user = users.get_user_by_id(db, session["user_id"])
    if user is None or user["status"] != users.UserStatus.ACTIVE:
        return None
    return session, user


def sign_out(
    db: Database, now: datetime, cookie: str | None, *, debug_data: dict | None = None
) -> None:
    """End the browser's session (logged when there was one, with `debug_data`)."""
    live = current_session(db, now, cookie)
    with atomic(db):
        web_sessions.delete_session(db, cookie)
        if live is None:
            return
        system_log.record(
            db,
            now,
            "user.session.end",
            "User logout from Okta",
            actor=system_log.user_target(live[1]),
            debug_data=debug_data,
        )


def dashboard_tiles(db: Database, user_id: str, base_url: str) -> list[dict]:
    """The app links the user's dashboard shows (apps hidden from the web dashboard are not)."""
    return [link for link in assignments.app_links(db, user_id, base_url) if not link["hidden"]]


def safe_from_uri(from_uri: str | None, base_url: str) -> str | None:
    """`fromURI` when it stays in this org (a path, or this org's URL), else None."""
    if not from_uri or "\\" in from_uri or any(ord(c) < 32 for c in from_uri):
        return None
    target, org = urlsplit(from_uri), urlsplit(base_url)
    if not target.scheme and not target.netloc:
        return from_uri if from_uri.startswith("/") and not from_uri.startswith("//") else None
    same_origin = (target.scheme, target.netloc) == (org.scheme, org.netloc)
    return from_uri if same_origin else None


# --- browser tokens: CSRF and sealed values ---------------------------------------------------


def csrf_token(db: Database, presession: str) -> str:
    """The form token bound to the browser's pre-session cookie."""
    return seal(db, f"csrf:{presession}")


def check_csrf(db: Database, presession: str | None, token: str | None) -> bool:
    """Whether the posted token belongs to this browser's pre-session cookie."""
    return bool(presession and token) and hmac.compare_digest(csrf_token(db, presession), token)


def seal(db: Database, text: str) -> str:
    """An HMAC of `text` under the org's secret (unforgeable by the browser)."""
    return hmac.new(_secret(db), text.encode(), hashlib.sha256).hexdigest()


def _secret(db: Database) -> bytes:
    rows = list(db.query("select value from internal_properties where kee = ?", [_SECRET_KEY]))
    if rows:
        return bytes.fromhex(json.loads(rows[0]["value"]))
    value = secrets.token_hex(32)
    db["internal_properties"].insert({"kee": _SECRET_KEY, "value": json.dumps(value)}, ignore=True)
    return _secret(db)


def _log_failure(
    db: Database, now: datetime, user: User | None, username: str, reason: str
) -> None:
    # Guess: an unknown username is logged with the typed name as the actor's alternateId.
    actor = (
        system_log.user_target(user)
        if user
        else {
            "id": "unknown",
            "type": "User",
            "alternateId": username or "unknown",
            "displayName": "unknown",
            "detailEntry": None,
        }
    )
    system_log.record(
        db,
        now,
        "user.session.start",
        "User login to Okta",
        actor=actor,
        outcome="FAILURE",
        reason=reason,
        severity="WARN",
    )
