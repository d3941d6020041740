"""Helpers of the end-user browser pages: the `sid` and pre-session cookies, redirects to the
sign-in page, the auto-submitting SAML form, the front-channel logout page and Okta's HTML
error page."""

import secrets
from collections.abc import Sequence
from urllib.parse import urlencode

from flask import Response, make_response, redirect, render_template, request

from mock_okta.errors import PageError
from mock_okta.saml.idp import IssuedResponse
from mock_okta.saml.outbound_logout import OutboundLogout
from mock_okta.security import signin
from mock_okta.security.sessions import SESSION_COOKIE
from mock_okta.storage.org import org
from mock_okta.views.common import get_db, now, org_url

#: The widget's pre-authentication cookie; the sign-in form's CSRF token is bound to it.
PRESESSION_COOKIE = "JSESSIONID"
SIGNIN_PATH = "/login/login.htm"
HOME_PATH = "/app/UserHome"


def live_session() -> tuple[dict, dict] | None:
    """(session, user) of this browser's `sid` cookie, when live and its user ACTIVE."""
    return signin.current_session(get_db(), now(), request.cookies.get(SESSION_COOKIE))


def to_signin(from_uri: str) -> Response:
    """302 to the sign-in page, which brings the browser back to `from_uri` afterwards."""
    return no_store(redirect(f"{SIGNIN_PATH}?{urlencode({'fromURI': from_uri})}"))


def next_page(from_uri: str | None, default: str) -> str:
    """Where to go after signing in or out: a safe fromURI, else `default`."""
    return signin.safe_from_uri(from_uri, org_url()) or default


def set_session_cookie(response: Response, value: str) -> None:
    """The `sid` cookie: HttpOnly, SameSite=Lax, path /.

    Okta's own cookie is SameSite=None; Secure. Over plain http a browser refuses that, so the
    simulator uses Lax, which still travels with the SP's redirects to the SSO URL (top-level
    GET navigations) and with POSTs from a same-site SP such as localhost:9000.
    """
    response.set_cookie(
        SESSION_COOKIE, value, httponly=True, samesite="Lax", path="/", secure=_https()
    )


def clear_session_cookie(response: Response) -> None:
    """Forget the `sid` cookie in the browser."""
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Lax")


def presession() -> tuple[str, bool]:
    """(this browser's pre-session value, whether it is new and must be set)."""
    value = request.cookies.get(PRESESSION_COOKIE)
    if value and 20 <= len(value) <= 64:
        return value, False
    return secrets.token_urlsafe(24), True


def set_presession_cookie(response: Response, value: str) -> None:
    """The pre-session cookie the CSRF token is bound to."""
    response.set_cookie(
        PRESESSION_COOKIE, value, httponly=True, samesite="Lax", path="/", secure=_https()
    )


def page(template: str, status: int = 200, **context: object) -> Response:
    """An end-user page with the org's name for the logo area; never cached."""
    company = org(get_db()).get("companyName") or "Okta"
    html = render_template(template, company=company, **context)
    return no_store(make_response(html, status))


def saml_post_form(issued: IssuedResponse, title: str) -> Response:
    """Okta's auto-submitting form that POSTs SAMLResponse (+ RelayState) to the ACS."""
    fields = {"SAMLResponse": issued.saml_response}
    if issued.relay_state:
        fields["RelayState"] = issued.relay_state
    return page("enduser/post_form.html", action=issued.acs_url, fields=fields, title=title)


#: How long the front-channel logout page waits for the apps' iframes before going on.
# Guess: Okta's wait is not documented.
FRONT_CHANNEL_WAIT_MS = 5000


def front_channel_logout(
    logout_requests: Sequence[OutboundLogout],
    *,
    next_url: str | None = None,
    action: str | None = None,
    fields: dict | None = None,
) -> Response:
    """The page that carries the LogoutRequests to the other apps in hidden iframes, then goes
    on: to `next_url`, or by POSTing `fields` to `action` (the initiator's LogoutResponse)."""
    return page(
        "enduser/slo_fanout.html",
        logout_requests=logout_requests,
        next_url=next_url,
        action=action,
        fields=fields or {},
        wait_ms=FRONT_CHANNEL_WAIT_MS,
    )


def render_page_error(error: PageError) -> Response:
    """Okta's full-page error: status code, title, message."""
    signed_in = live_session() is not None
    return page(
        "enduser/error.html",
        error.status,
        code=error.status,
        title=error.title,
        message=error.message,
        signed_in=signed_in,
    )


def no_store(response: Response) -> Response:
    """Pages with sessions, tokens or assertions are never cached."""
    response.headers["Cache-Control"] = "no-cache, no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def _https() -> bool:
    return org_url().startswith("https://")
