"""What the signed-in pages share: the visitor, the web app's guards, the form token, one-shot
messages and the page frame.

The real pages are one React app calling the Web API. Ours are server-rendered, so the rules
the app and the server filters apply are gathered here: no session → the login page
(`return_to` kept); `reset_password` → /account/reset_password (ResetPasswordFilter, every
page but that one); not an administrator on an admin page → the login page with
`authorizationError=true` (handleRequiredAuthorization). Forms post the session's XSRF token,
the one browser calls to /api must echo in X-XSRF-TOKEN (JwtCsrfVerifier).
"""

import functools
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from urllib.parse import quote, urlencode

from flask import Flask, Response, g, redirect, render_template, request

from mock_sonar.accounts import permissions, users
from mock_sonar.accounts.sessions import XSRF_HEADER
from mock_sonar.text import NUL
from mock_sonar.views.common import get_db, now
from mock_sonar.views.cookies import delete_cookie, set_cookie
from mock_sonar.views.ui import browser

RESET_PASSWORD_PATH = "/account/reset_password"
LOGIN_PATH = "/sessions/new"
XSRF_FIELD = "xsrf_token"
FLASH_COOKIE = "SQ-MESSAGE"
# Guess: the web app never shows this (its script always sends the token); a stale or forged
# form gets this page instead of SonarQube's bare 401.
CSRF_REFUSED = "This form has expired or was not sent by this page."
CSRF_DETAIL = "Reload the page and try again."


class Flash(StrEnum):
    """The one-shot success messages (addGlobalSuccessMessage) a page leaves for the next."""

    SETTINGS_SAVED = "settings_saved"
    PASSWORD_CHANGED = "password_changed"


MESSAGES = {
    Flash.SETTINGS_SAVED: "Settings saved successfully.",
    Flash.PASSWORD_CHANGED: "The password has been changed!",
}


@dataclass(frozen=True)
class Visitor:
    """The signed-in user of a page, their session and whether they administer the system."""

    user: dict
    session: dict
    is_admin: bool

    @property
    def xsrf_token(self) -> str:
        """The session's form token."""
        return self.session["xsrf_token"]


def load_visitor() -> Visitor | None:
    """The active user behind a live JWT-SESSION cookie, else None."""
    found = browser.signed_in_session()
    if found is None:
        return None
    user, session = found
    return Visitor(user, session, permissions.is_system_administrator(get_db(), user["uuid"]))


def visitor() -> Visitor:
    """The visitor of a guarded page."""
    return g.visitor


def login_url(return_to: str, *, authorization_error: bool = False) -> str:
    """/sessions/new?return_to=… (and authorizationError=true, as the web app adds it)."""
    query = {"return_to": return_to}
    if authorization_error:
        query["authorizationError"] = "true"
    return f"{LOGIN_PATH}?{urlencode(query, quote_via=quote, safe='')}"


def _here() -> str:
    query = request.query_string.decode()
    return request.path + (f"?{query}" if query else "")


def _csrf_ok(current: Visitor) -> bool:
    sent = request.form.get(XSRF_FIELD) or request.headers.get(XSRF_HEADER) or ""
    return hmac.compare_digest(sent, current.xsrf_token)


def signed_in(*, admin: bool = False, back: str | None = None) -> Callable:
    """Guard a page: a session, no pending password reset, admin if asked, a valid form token.

    `back` is the page a POST-only route returns to after logging in again.
    """

    def decorate(view: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(view)
        def guarded(*args: object, **kwargs: object) -> Response:
            current = load_visitor()
            return_to = back if back and request.method != "GET" else _here()
            if current is None:
                return redirect(login_url(return_to))
            if current.user["reset_password"] and request.path != RESET_PASSWORD_PATH:
                return redirect(RESET_PASSWORD_PATH)
            if admin and not current.is_admin:
                return redirect(login_url(return_to, authorization_error=True))
            if request.method == "POST" and not _csrf_ok(current):
                return browser.error_page(403, CSRF_REFUSED, CSRF_DETAIL)
            g.visitor = current
            users.record_connection(get_db(), now(), current.user)
            return view(*args, **kwargs)

        return guarded

    return decorate


def render(template: str, status: int = 200, **context: object) -> Response:
    """A signed-in page in the global frame, with the pending one-shot message if any."""
    current = visitor()
    message = MESSAGES.get(request.cookies.get(FLASH_COOKIE, ""))
    html = render_template(
        template,
        current_user=current.user,
        is_admin=current.is_admin,
        xsrf_token=current.xsrf_token,
        now=now(),
        success_message=message,
        **context,
    )
    response = Response(html, status=status, mimetype="text/html")
    if message is not None:
        delete_cookie(response, FLASH_COOKIE)
    return response


def redirect_to(location: str, message: str | None = None) -> Response:
    """303 back to a page (post/redirect/get), with a one-shot message for it."""
    response = redirect(location, code=303)
    if message is not None:
        set_cookie(response, FLASH_COOKIE, message, max_age=None, httponly=True, samesite="Lax")
    return response


# --- dates as the web app shows them ---------------------------------------------------------


def _plural(value: int, unit: str) -> str:
    return f"{value} {unit}{'' if value == 1 else 's'} ago"


def from_now(value: str | None, moment: datetime) -> str:
    """DateFromNow with hourPrecision: "Never", "< 1 hour ago", else the largest whole unit."""
    if not value:
        return "Never"
    seconds = (moment - datetime.fromisoformat(value)).total_seconds()
    if seconds < 3600:
        return "< 1 hour ago"
    for unit, size in (("year", 365 * 86400), ("month", 30 * 86400), ("day", 86400)):
        if seconds >= size:
            return _plural(int(seconds // size), unit)
    return _plural(int(seconds // 3600), "hour")


def long_date(value: str | None) -> str:
    """DateFormatter `long` in English: "January 15, 2025"."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    return f"{moment:%B} {moment.day}, {moment.year}"


def initial(name: str | None) -> str:
    """GenericAvatar: the name's first letter, upper-cased."""
    return name[0].upper() if name else ""


def printable(value: object) -> object:
    """What a page prints of a value: a NUL becomes U+FFFD, as a browser's HTML parser makes
    it, so no page ever carries one, whatever a request or an old stored value held."""
    return value.replace(NUL, "\ufffd") if isinstance(value, str) else value


def register(app: Flask) -> None:
    """Template filters of the pages, and what every printed value goes through."""
    app.jinja_env.finalize = printable
    app.add_template_filter(from_now)
    app.add_template_filter(long_date)
    app.add_template_filter(initial)
    app.add_template_filter(json.loads, "fromjson")
