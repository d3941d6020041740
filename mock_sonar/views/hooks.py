"""App-wide request hooks: the session filter for /api and /batch, and error rendering."""

import logging

from flask import Flask, Response, g, request
from flask.json.provider import DefaultJSONProvider
from scim2_models import Error
from werkzeug.exceptions import HTTPException

from mock_common import web
from mock_common.control import guard_control_requests, is_control_path
from mock_sonar import json_input, settings
from mock_sonar.accounts import management
from mock_sonar.accounts.sessions import SESSION_COOKIE, XSRF_HEADER
from mock_sonar.auth.principal import authenticate
from mock_sonar.errors import InvalidCredentials, SonarError, UnsupportedMediaType
from mock_sonar.views import security_headers
from mock_sonar.views.common import edition, get_db, json_response, now, require_admin
from mock_sonar.views.ui import browser

log = logging.getLogger(__name__)

#: URLs reachable without a session (UserSessionInitializer's skipped URLs, §2.3).
SKIPPED_URLS = (
    "/api/system/status",
    "/api/system/db_migration_status",
    "/api/system/migrate_db",
    "/api/server/version",
    "/api/users/identity_providers",
    "/api/l10n/index",
    "/api/authentication/login",
    "/api/authentication/logout",
    "/api/authentication/validate",
)
SKIPPED_PREFIXES = ("/api/project_badges/", "/sessions/", "/oauth2/callback/")
SCIM_PREFIX = "/api/scim/v2/"
_INTERNAL_ERROR = "An error has occurred. Please contact your administrator"


def is_skipped(path: str) -> bool:
    """Whether the URL needs no authenticated session."""
    return path in SKIPPED_URLS or path.startswith(SKIPPED_PREFIXES)


def is_web_api(path: str) -> bool:
    """Paths guarded by the session filter."""
    return path.startswith(("/api/", "/batch/"))


def authenticate_web_api() -> Response | None:
    """401 with an empty body for bad credentials, or none while forceAuthentication is on."""
    path = request.path
    if not is_web_api(path) and not is_control_path(path):
        return None
    db = get_db()
    try:
        caller = authenticate(
            db,
            now(),
            path=path,
            method=request.method,
            authorization=request.headers.get("Authorization"),
            session_cookie=request.cookies.get(SESSION_COOKIE),
            xsrf_header=request.headers.get(XSRF_HEADER),
            record_use=not is_control_path(path),
        )
    except InvalidCredentials as error:
        if is_skipped(path):
            caller = None
        else:
            log.debug("authentication failed for %s: %s", path, error)
            return Response(status=401)
    g.principal = caller
    if (
        caller is None
        and not is_skipped(path)
        and settings.get_bool(db, "sonar.forceAuthentication")
    ):
        return Response(status=401)
    return None


def is_page(path: str) -> bool:
    """Browser pages (everything outside the Web API and the control plane) answer HTML."""
    return not is_web_api(path) and not is_control_path(path)


def render_error(error: SonarError) -> Response:
    """v2 paths get {"message"}, everything else {"errors":[{"msg"}]}; pages get HTML."""
    if is_page(request.path):
        return browser.error_page(error.status, " ".join(error.messages))
    if request.path.startswith("/api/v2/"):
        return json_response(error.v2_body(), error.status)
    return json_response(error.v1_body(), error.status)


def render_http_error(error: HTTPException) -> Response:
    """Werkzeug's errors (unknown URL, wrong method, body too large) in SonarQube's format."""
    if is_page(request.path):
        return _render_page_error(error)
    if request.path.startswith(SCIM_PREFIX) and management.scim_available(edition()):
        # Under the SCIM servlet errors are SCIM errors (RFC 7644 §3.12).
        body = Error(status=error.code or 500, detail=error.description).model_dump()
        return json_response(body, error.code or 500, content_type="application/scim+json")
    if error.code == 404 and is_web_api(request.path) and not request.path.startswith("/api/v2/"):
        message = f"Unknown url : {request.path}"
    elif error.code == 405:
        message = (
            f"Request method '{request.method}' is not supported"
            if request.path.startswith("/api/v2/")
            else "HTTP method POST is required"
        )
    else:
        message = error.description or error.name
    return render_error(_status_error(error.code or 500, message))


def _render_page_error(error: HTTPException) -> Response:
    if error.code == 404:
        return browser.error_page(404, browser.PAGE_NOT_FOUND, browser.ADDRESS_MISTYPED)
    if error.code == 405:
        # Guess: the web server's refusal of a method on a page, worded by us.
        return browser.error_page(405, f"HTTP method {request.method} is not allowed here.")
    return browser.error_page(error.code or 500, error.description or error.name)


def _status_error(status: int, message: str) -> SonarError:
    error = SonarError(message)
    error.status = status
    return error


def render_unexpected(error: Exception) -> Response:
    """Last resort: log it and answer as SonarQube does; no stack trace to the client."""
    log.exception("unexpected error on %s %s", request.method, request.path)
    if is_page(request.path):
        return browser.error_page(500, browser.UNEXPECTED_ERROR)
    if request.path.startswith(SCIM_PREFIX) and management.scim_available(edition()):
        # Guess: a failure under the SCIM servlet is a SCIM error too (RFC 7644 §3.12).
        body = Error(status=500, detail=_INTERNAL_ERROR).model_dump()
        return json_response(body, 500, content_type="application/scim+json")
    return render_error(_status_error(500, _INTERNAL_ERROR))


def drop_content_type_of_no_content(response: Response) -> Response:
    """A 204 has no body, so no Content-Type (Flask gives every response `text/html`), whoever
    made it: the Web API, SCIM or the control plane shared with mock_okta."""
    if response.status_code == 204:
        response.headers.pop("Content-Type", None)
    return response


class JsonProvider(DefaultJSONProvider):
    """Flask's JSON, reading bodies as json_input does: `request.get_json()` (the shared
    control routes use it) meets a 1,000-deep or non-UTF-8 body as bad JSON, not a 500."""

    def loads(self, s: str | bytes, **kwargs: object) -> object:
        return json_input.parse(s)


def register(app: Flask) -> None:
    """Install the hooks on the app."""
    app.json = JsonProvider(app)
    app.before_request(security_headers.refuse_other_methods)
    app.before_request(authenticate_web_api)
    # The control plane takes an administrator, by any credential the Web API takes.
    guard_control_requests(
        app,
        authorize=require_admin,
        refuse_media_type=lambda: UnsupportedMediaType("Unsupported media type."),
    )
    app.after_request(drop_content_type_of_no_content)
    app.after_request(security_headers.add_security_headers)
    web.init_app(app)
    app.register_error_handler(SonarError, render_error)
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(Exception, render_unexpected)
