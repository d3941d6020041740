"""Request-scoped helpers shared by the views: the database, the clock, JSON and paging."""

import json
from datetime import datetime
from urllib.parse import urlencode

from flask import Response, current_app, request

from mock_common import clock
from mock_common.web import get_db
from mock_okta.errors import MalformedBody


def now() -> datetime:
    """The simulated current time."""
    return clock.now(get_db())


def org_url() -> str:
    """The org's base URL, as `_links` use it."""
    return current_app.config["BASE_URL"].rstrip("/")


def json_response(data: object, status: int = 200, headers: dict | None = None) -> Response:
    """A JSON body as Okta sends it."""
    # As Okta writes JSON: compact, and UTF-8 as is (no \uXXXX escapes).
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    response = Response(body, status=status, content_type="application/json")
    for name, value in (headers or {}).items():
        response.headers.add(name, value)
    return response


def no_content(status: int = 204) -> Response:
    """No body (204, or 202 for work that goes on), and so no Content-Type."""
    response = Response(status=status)
    del response.headers["Content-Type"]
    return response


def json_body(*, required: bool = True) -> dict:
    """The request's JSON object, or E0000003 when it is not one."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise MalformedBody()
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise MalformedBody() from error
    if not isinstance(body, dict):
        raise MalformedBody()
    return body


def paged_response(items: list[dict], next_cursor: str | None, limit: int) -> Response:
    """A JSON array with Okta's `Link` headers: rel="self" always, rel="next" when more remain."""
    base = f"{org_url()}{request.path}"
    query = {k: v for k, v in request.args.items() if k != "after"}
    self_query = dict(request.args)
    links = [f'<{base}{_query(self_query)}>; rel="self"']
    if next_cursor:
        links.append(
            f'<{base}{_query({**query, "after": next_cursor, "limit": limit})}>; rel="next"'
        )
    response = json_response(items)
    for link in links:
        response.headers.add("Link", link)
    return response


def _query(params: dict) -> str:
    return f"?{urlencode(params)}" if params else ""
