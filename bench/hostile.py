"""Hostile requests for bench/hardening.py: valid bodies with one part made wrong, and the sweep
of every route without credentials.

A generated request starts from a valid one of the API and replaces one value (a leaf of the
JSON body, a form field or a query parameter) with something a careless or hostile client
sends: another type, a huge number, control characters, 100k characters, deep nesting, bytes
that are not UTF-8; or replaces the whole body.
"""

import json
import random
import re

from stack import APP, Stack

#: Stands in the body for a deeply nested value, spliced in as raw text after json.dumps.
DEEP = "__deeply_nested__"
DEEP_TEXT = "[" * 3000 + "]" * 3000

JSON_VALUES = [
    5,
    -1,
    0,
    2**70,
    1e308,
    -1e308,
    True,
    False,
    None,
    [],
    {},
    [1, "a"],
    {"x": {"y": []}},
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "é" * 5,
    "a" * 100_000,
    "%",
    "_",
    "' or 1=1 --",
    "<script>alert(1)</script>",
    "${jndi:ldap://x}",
    "../../etc/passwd",
    DEEP,
]
TEXT_VALUES = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\nX-Injected: 1",
    "a" * 100_000,
    "-1",
    "0",
    "99999999999999999999999",
    "1e400",
    "NaN",
    "%",
    "_",
    "%%",
    "' or 1=1 --",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    b"\xff\xfe",
    "é" * 5,
    "../../etc/passwd",
]
WHOLE_BODIES = [
    "",
    "null",
    "[]",
    "5",
    '"x"',
    "{",
    '{"a":',
    "\x00",
    DEEP_TEXT,
    '{"a":' * 2000 + "1" + "}" * 2000,
    b"\xff\xfe\xfd",
]

USER = {
    "profile": {
        "firstName": "Ann",
        "lastName": "Lee",
        "email": "ann@example.com",
        "login": "ann@example.com",
        "department": "R&D",
    },
    "credentials": {"password": {"value": "Passw0rd!x"}},
}
RULE = {
    "type": "group_rule",
    "name": "rule",
    "conditions": {
        "expression": {"value": 'user.department=="R&D"', "type": "urn:okta:expression:1.0"}
    },
    "actions": {"assignUserToGroups": {"groupIds": ["00gsonarqa0000000002"]}},
}
SCIM_USER = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "userName": "ann@example.com",
    "name": {"givenName": "Ann", "familyName": "Lee"},
    "emails": [{"value": "ann@example.com", "primary": True, "type": "work"}],
    "active": True,
}
SCIM_GROUP = {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "g"}

#: Valid requests per API: (method, path, {"json"|"data"|"params": ...}).
TEMPLATES = {
    "okta /api/v1": [
        ("POST", "/api/v1/users?activate=true", {"json": USER}),
        ("POST", "/api/v1/groups", {"json": {"profile": {"name": "g", "description": "d"}}}),
        ("POST", "/api/v1/groups/rules", {"json": RULE}),
        (
            "POST",
            "/api/v1/apps",
            {
                "json": {
                    "label": "b",
                    "signOnMode": "BOOKMARK",
                    "settings": {"app": {"url": "https://x.test"}},
                }
            },
        ),
        ("GET", "/api/v1/users", {"params": {"limit": "5", "filter": 'status eq "ACTIVE"'}}),
        ("GET", "/api/v1/users", {"params": {"search": 'profile.department eq "R&D"'}}),
        ("GET", "/api/v1/groups", {"params": {"q": "sonar", "limit": "2"}}),
        ("GET", "/api/v1/logs", {"params": {"since": "2020-01-01T00:00:00Z", "limit": "3"}}),
        ("PUT", f"/_mock/apps/{APP}/provisioning", {"json": {"enabled": True, "token": "x"}}),
    ],
    "sonar v1": [
        (
            "POST",
            "/api/users/create",
            {
                "data": {
                    "login": "ann",
                    "name": "Ann",
                    "email": "ann@example.com",
                    "password": "Pa55w0rd!!xx",
                }
            },
        ),
        ("POST", "/api/user_groups/create", {"data": {"name": "g", "description": "d"}}),
        (
            "POST",
            "/api/settings/set",
            {"data": {"key": "sonar.core.serverBaseURL", "value": "http://x.test"}},
        ),
        ("GET", "/api/users/search", {"params": {"q": "adm", "p": "1", "ps": "10"}}),
        ("POST", "/api/user_tokens/generate", {"data": {"name": "t", "login": "admin"}}),
    ],
    "sonar v2": [
        (
            "POST",
            "/api/v2/users-management/users",
            {
                "json": {
                    "login": "ann",
                    "name": "Ann",
                    "email": "ann@example.com",
                    "password": "Pa55w0rd!!xx",
                }
            },
        ),
        ("GET", "/api/v2/users-management/users", {"params": {"q": "a", "pageSize": "5"}}),
        ("POST", "/api/v2/authorizations/groups", {"json": {"name": "g", "description": "d"}}),
    ],
    "sonar SCIM": [
        ("POST", "/api/scim/v2/Users", {"json": SCIM_USER}),
        ("POST", "/api/scim/v2/Groups", {"json": SCIM_GROUP}),
        (
            "GET",
            "/api/scim/v2/Users",
            {"params": {"filter": 'userName eq "a"', "startIndex": "1", "count": "5"}},
        ),
    ],
}


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path


def _replaced(value, path, new):
    if not path:
        return new
    copy = json.loads(json.dumps(value))
    target = copy
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return copy


def _mutate(kwargs: dict, chooser: random.Random) -> dict:
    """The request with one value, or its whole body, made hostile."""
    ((kind, value),) = kwargs.items()
    if kind == "json":
        if chooser.random() < 0.15:
            return {
                "data": chooser.choice(WHOLE_BODIES),
                "headers": {"Content-Type": "application/json"},
            }
        path = chooser.choice(list(_leaves(value)))
        text = json.dumps(_replaced(value, path, chooser.choice(JSON_VALUES)), ensure_ascii=False)
        text = text.replace(json.dumps(DEEP), DEEP_TEXT)
        return {
            "data": text.encode("utf-8", "surrogatepass"),
            "headers": {"Content-Type": "application/json"},
        }
    field = chooser.choice(list(value))
    new = chooser.choice(TEXT_VALUES)
    if chooser.random() < 0.1:
        field = chooser.choice(["unknown", "", "a" * 300])
    return {kind: {**value, field: new}}


def requests_per_api(stack: Stack, count: int, seed: int) -> dict[str, list[tuple]]:
    """`count` hostile requests per API, the same ones for the same seed."""
    chooser = random.Random(seed)
    return {
        api: [
            (method, path, _mutate(kwargs, chooser))
            for method, path, kwargs in (chooser.choice(templates) for _ in range(count))
        ]
        for api, templates in TEMPLATES.items()
    }


def describe(kwargs: dict) -> str:
    text = repr(kwargs)
    return text if len(text) < 160 else text[:157] + "..."


# -- the route sweep ---------------------------------------------------------------------

OKTA_PRIVATE = re.compile(r"^/(api/v1/|_mock(/|$)|admin(/|$)|app/UserHome|home/)")
SIGN_IN = ("/login/", "/sessions/new", "/signin")


def _sonar_private(path: str) -> bool:
    from mock_sonar.views.hooks import is_skipped

    if path.startswith(("/api/", "/batch/", "/_mock")):
        return not is_skipped(path)
    return path.startswith(("/admin", "/account"))


def _routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "bench0", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, path))
    return routes


def _refused(response) -> bool:
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("Location", "")
    return response.status_code in (301, 302, 303, 307) and any(s in location for s in SIGN_IN)


def sweep_routes(stack: Stack) -> dict[str, tuple[int, int, list[str]]]:
    """Per app: non-public route x method x credential tries refused, of all, and the leaks."""
    import requests

    import mock_okta
    import mock_sonar

    apps = {
        "okta": (
            mock_okta.create_app({"DATABASE": stack.okta_db}),
            stack.okta_url,
            lambda p: bool(OKTA_PRIVATE.match(p)),
            [{}, {"Authorization": "SSWS 00wrongtoken"}, {"Authorization": "Bearer x"}],
        ),
        "sonar": (
            mock_sonar.create_app({"DATABASE": stack.sonar_db}),
            stack.sonar_url,
            _sonar_private,
            [{}, {"Authorization": "Basic YWRtaW46d3Jvbmc="}, {"Authorization": "Bearer squ_0"}],
        ),
    }
    results = {}
    for name, (app, url, private, credentials) in apps.items():
        refused = total = 0
        leaks = []
        for method, path in _routes(app):
            if not private(path):
                continue
            for headers in credentials:
                response = requests.request(
                    method,
                    f"{url}{path}",
                    headers=headers,
                    json={},
                    allow_redirects=False,
                    timeout=30,
                )
                total += 1
                if _refused(response):
                    refused += 1
                else:
                    leaks.append(f"{method} {path} {headers or 'none'} -> {response.status_code}")
        results[name] = (refused, total, leaks)
    return results
