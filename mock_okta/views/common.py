"""Request-scoped helpers shared by the views: the database, the clock, JSON and paging."""

import json
import math
import re
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


#: How deeply a request body may nest arrays and objects. Guess: Okta's parser (Jackson) has a
#: limit of its own; no Okta object nests deeper than a few levels, and a bound keeps the
#: parser's recursion (and everything that walks the body later) far from Python's limit.
MAX_JSON_DEPTH = 64
#: What counts towards the depth: brackets outside strings (strings are skipped whole).
_NESTING = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]')


def json_body(*, required: bool = True) -> dict:
    """The request's JSON object, or E0000003 when it is not one: not JSON, not UTF-8, nested
    deeper than MAX_JSON_DEPTH, holding NaN/Infinity or a number beyond a double, or a lone
    UTF-16 surrogate (none of which Okta's JSON can carry)."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise MalformedBody()
        return {}
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise MalformedBody()
    return body


def parse_json(raw: bytes) -> object:
    """A JSON document within the simulator's bounds, or E0000003."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MalformedBody() from error
    if _depth(text) > MAX_JSON_DEPTH:
        raise MalformedBody()
    try:
        value = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite_float)
        # A lone surrogate (`"\\ud800"`) parses, but is no text: it cannot be written out again.
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except (ValueError, UnicodeEncodeError) as error:
        raise MalformedBody() from error
    return value


def _depth(text: str) -> int:
    depth = deepest = 0
    for match in _NESTING.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range")
    return value


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
