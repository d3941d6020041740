"""Request-scoped helpers shared by the views: the database, the clock, the caller, responses."""

import json
from datetime import datetime

from flask import Response, current_app, g

from mock_common.web import get_db
from mock_sonar import clock
from mock_sonar.accounts import management, permissions
from mock_sonar.auth.principal import Principal
from mock_sonar.errors import AuthenticationRequired, Forbidden


def now() -> datetime:
    """The simulated current time, read once per request: the checks and the write a request
    makes see one moment (and the clock's row is read once)."""
    if "now" not in g:
        g.now = clock.now(get_db())
    return g.now


def principal() -> Principal | None:
    """The authenticated caller, None when anonymous."""
    return g.get("principal")


def require_login() -> Principal:
    """The caller, or 401 "Authentication is required"."""
    caller = principal()
    if caller is None:
        raise AuthenticationRequired()
    return caller


def require_admin() -> Principal:
    """The caller if they hold 'Administer System', else 403 "Insufficient privileges"."""
    caller = require_login()
    if not permissions.is_system_administrator(get_db(), caller.user["uuid"]):
        raise Forbidden()
    return caller


def refuse_while_managed() -> None:
    """400 while SCIM manages users and groups, before any parameter is read (as the v1 actions
    check it first); the domain operation checks it again in its transaction."""
    management.check_not_managed(get_db())


def is_admin() -> bool:
    """Whether the caller holds 'Administer System'."""
    caller = principal()
    return caller is not None and permissions.is_system_administrator(get_db(), caller.user["uuid"])


def to_json(data: object) -> str:
    """JSON as SonarQube writes it (Gson's JsonWriter, Jackson): compact, non-ASCII as is.

    A text no UTF-8 can hold (a lone surrogate) is escaped instead of failing the response.
    """
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(data, separators=(",", ":"))
    return text


def json_response(
    data: object, status: int = 200, content_type: str = "application/json"
) -> Response:
    """A JSON body in SonarQube's form, encoded as UTF-8 (JSON's own encoding, RFC 8259 §8.1,
    so the Content-Type names no charset, as SonarQube's does not)."""
    return Response(to_json(data), status=status, content_type=content_type)


def no_content() -> Response:
    """204 with no body and no Content-Type: ServletResponse.noContent() sets only the status."""
    response = Response(status=204)
    del response.headers["Content-Type"]
    return response


def edition() -> str:
    """The simulated edition (community, developer, enterprise, datacenter)."""
    return current_app.config["EDITION"]
