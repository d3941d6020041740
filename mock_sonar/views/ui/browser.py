"""What the browser pages share: the signed-in user, SonarQube's cookies, HTML error pages.

Pages live outside /api, so the Web API's session filter does not run for them; they read
the JWT-SESSION cookie themselves and always answer HTML.
"""

import logging

from flask import Response, current_app, redirect, render_template, request

from mock_sonar.accounts import permissions, sessions, users
from mock_sonar.accounts.sessions import SESSION_COOKIE
from mock_sonar.saml import oauth
from mock_sonar.saml import settings as saml_settings
from mock_sonar.views.common import get_db, now
from mock_sonar.views.cookies import clear_session_cookies, set_cookie

log = logging.getLogger(__name__)

#: Page texts from the web app's English strings (sonarqube-webapp l10n/default.ts).
PAGE_NOT_FOUND = "The page you were looking for does not exist."
ADDRESS_MISTYPED = "You may have mistyped the address or the page may have moved."
# Guess: the web app's generic error text, for errors SonarQube would show as a server page.
UNEXPECTED_ERROR = "An unexpected error occurred."


def redirect_to_unauthorized(public_message: str | None = None) -> Response:
    """AuthenticationError: 302 to /sessions/unauthorized, the reason in AUTHENTICATION-ERROR."""
    response = redirect(oauth.UNAUTHORIZED_PATH)
    if public_message:
        set_cookie(
            response,
            oauth.AUTHENTICATION_ERROR_COOKIE,
            oauth.encode_message(public_message),
            max_age=oauth.FIVE_MINUTES,
            httponly=False,
        )
    return response


def signed_in_session() -> tuple[dict, dict] | None:
    """(active user, session) behind a live JWT-SESSION cookie, if any."""
    value = request.cookies.get(SESSION_COOKIE)
    if not value:
        return None
    db = get_db()
    session = sessions.find_session(db, now(), value)
    user = users.get_user(db, session["user_uuid"]) if session else None
    return (user, session) if user and user["active"] else None


def signed_in_user() -> dict | None:
    """The active user behind the JWT-SESSION cookie, if any."""
    found = signed_in_session()
    return found[0] if found else None


def is_system_administrator(user: dict | None) -> bool:
    """Whether a signed-in user holds 'Administer System'."""
    return user is not None and permissions.is_system_administrator(get_db(), user["uuid"])


def end_session(response: Response) -> None:
    """Log the browser out: the session is deleted and its cookies cleared."""
    value = request.cookies.get(SESSION_COOKIE)
    if value:
        sessions.delete_session(get_db(), value)
    clear_session_cookies(response)


def acs_url() -> str:
    """SonarQube's Assertion Consumer Service URL for this request."""
    return saml_settings.callback_url(
        saml_settings.load(get_db()),
        current_app.config["BASE_URL"],
        request.headers.get("X-Forwarded-Proto"),
    )


def page(template: str, status: int = 200, **context: object) -> Response:
    """A server-rendered page with the signed-in user for the header."""
    context.setdefault("current_user", signed_in_user())
    return Response(render_template(template, **context), status=status, mimetype="text/html")


def error_page(status: int, message: str, detail: str | None = None) -> Response:
    """A small HTML error page for paths outside the Web API."""
    try:
        user = signed_in_user()
    except Exception:  # the database itself may be what failed
        log.exception("no user for the error page")
        user = None
    return page("error.html", status, message=message, detail=detail, current_user=user)
