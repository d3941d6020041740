"""What every Admin Console blueprint shares: the admin session, CSRF, the layout, error pages.

Console pages need the browser session (`sid` cookie) of the org's super admin: without one the
browser goes to the sign-in page with `fromURI`; another signed-in user gets a 403 page. Every
POST carries the session's CSRF token. Domain errors become HTML, never JSON or a stack trace.
"""

import hmac
import logging
from urllib.parse import quote

from flask import Blueprint, Response, g, redirect, render_template, request
from werkzeug.exceptions import HTTPException

from mock_okta import system_log
from mock_okta.console.admins import is_org_admin
from mock_okta.directory import users
from mock_okta.errors import OktaError, ResourceNotFound
from mock_okta.security import sessions as web_sessions
from mock_okta.storage.org import org
from mock_okta.views.common import get_db, now

log = logging.getLogger(__name__)

SIGN_IN = "/login/login.htm"
CSRF_FIELD = "csrf_token"
#: Guess: Okta's 403 page for a non-admin opening the Admin Console.
NOT_ADMIN = "You do not have permission to access the feature you are requesting."
#: Guess: the wording of a refused form (stale page or forged request).
CSRF_REFUSED = (
    "The request could not be verified: the form's security token is missing or does not "
    "match your session. Reload the page and try again."
)


def console_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint whose pages require the admin session, with the console's layout and errors."""
    bp = Blueprint(name, import_name)
    bp.before_request(require_admin)
    bp.after_request(_no_store)
    bp.context_processor(layout_context)
    bp.register_error_handler(OktaError, render_okta_error)
    bp.register_error_handler(HTTPException, render_http_error)
    bp.register_error_handler(Exception, render_unexpected)
    return bp


def _current_url() -> str:
    query = request.query_string.decode()
    return f"{request.path}?{query}" if query else request.path


def require_admin() -> Response | None:
    """Sign-in redirect, 403 for non-admins, CSRF check on POST; sets g.admin and g.web_session."""
    db = get_db()
    session = web_sessions.find_session(db, now(), request.cookies.get(web_sessions.SESSION_COOKIE))
    if session is None:
        target = _current_url() if request.method == "GET" else request.path
        return redirect(f"{SIGN_IN}?fromURI={quote(target, safe='')}")
    user = users.get_user(db, session["user_id"])
    if not is_org_admin(user):
        return error_page("403 - Forbidden", NOT_ADMIN, 403)
    g.admin, g.web_session = user, session
    if request.method == "POST":
        given = request.form.get(CSRF_FIELD, "")
        if not hmac.compare_digest(given.encode(), session["csrf_token"].encode()):
            return error_page("403 - Forbidden", CSRF_REFUSED, 403)
    return None


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def layout_context() -> dict:
    """The top bar: the org's name, the signed-in admin, the CSRF token for forms."""
    admin = g.get("admin")
    profile = users.profile_of(admin) if admin else {}
    return {
        "org_name": org(get_db()).get("companyName", ""),
        "admin_name": " ".join(p for p in (profile.get("firstName"), profile.get("lastName")) if p),
        "admin_login": profile.get("login", ""),
        "csrf_token": g.web_session["csrf_token"] if g.get("web_session") else "",
        "nav": request.path,
    }


def actor() -> dict | None:
    """The System Log actor: the signed-in admin."""
    admin = g.get("admin")
    return system_log.user_target(admin) if admin else None


def error_page(title: str, message: str, status: int, causes: list[str] | None = None) -> Response:
    """A console page that only says what went wrong."""
    html = render_template("admin/error.html", title=title, message=message, causes=causes or [])
    return Response(html, status=status, content_type="text/html; charset=utf-8")


def render_okta_error(error: OktaError) -> Response:
    """A domain error no form caught (an unknown id, a refused action)."""
    title = "404 - Not Found" if isinstance(error, ResourceNotFound) else "Error"
    return error_page(title, error.error_summary, error.status, error.causes)


def render_http_error(error: HTTPException) -> Response:
    """Routing errors inside the console."""
    return error_page(f"{error.code} - {error.name}", error.description or "", error.code or 500)


def render_unexpected(error: Exception) -> Response:
    """Last resort: logged, shown without a stack trace."""
    log.exception("unexpected error on %s %s", request.method, request.path)
    return error_page("500 - Internal Server Error", "An unexpected error occurred.", 500)


def page(template: str, status: int = 200, **context: object) -> Response:
    """Render a console template."""
    html = render_template(template, **context)
    return Response(html, status=status, content_type="text/html; charset=utf-8")


def form_error(error: OktaError) -> dict:
    """What a re-rendered form shows: Okta's summary and its causes."""
    return {"summary": error.error_summary, "causes": error.causes}
