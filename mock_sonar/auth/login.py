"""Logging in with SonarQube's own credentials: a local user's login and password open a
browser session (api/authentication/login, and the login page's form)."""

from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_sonar.accounts import sessions, users


@transactional
def password_login(
    db: Database, now: datetime, login: str, password: str
) -> tuple[dict, str, str] | None:
    """api/authentication/login: a local user's credentials open a browser session.

    Returns (user, session cookie value, XSRF token), or None for wrong credentials.
    """
    user = users.authenticate_password(db, login, password)
    if user is None:
        return None
    value, xsrf = sessions.create_session(db, now, user["uuid"])
    users.record_connection(db, now, user)
    return user, value, xsrf
