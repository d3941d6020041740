"""A small SCIM server for push tests that holds its answer to chosen requests until released.

It keeps users in memory (lookup by `userName eq`, create, get, replace) and records every
request it got. A request whose `METHOD /path?query` starts with `hold` is processed first,
then its answer waits for `release()`: the state changed, Okta has no answer yet, as with a
slow or hung server.
"""

import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response, json, request

from okta_sonar_devenv.live import live_server

LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SCIM_JSON = "application/scim+json"
#: The longest a held answer waits (a test that forgets to release still ends).
HOLD_LIMIT_SECONDS = 30


class HeldScimTarget:
    """SCIM Users in memory; answers to requests matching `hold` wait for `release()`."""

    def __init__(self, hold: str):
        self.hold = hold  # e.g. "POST /Users", "GET /Users?filter=" (paths under /scim/v2)
        self.received: list[tuple[str, str]] = []  # (method, path?query)
        self.users: dict[str, dict] = {}
        self.held = threading.Event()  # a matching request came and is waiting
        self.released = threading.Event()
        self.url = ""

    def release(self) -> None:
        """Answer the held request(s), and every later one at once."""
        self.released.set()

    def app(self) -> Flask:
        """The WSGI app: /scim/v2/Users."""
        app = Flask("held-scim-target")
        app.add_url_rule("/scim/v2/Users", view_func=self._search, methods=["GET"])
        app.add_url_rule("/scim/v2/Users", view_func=self._create, methods=["POST"])
        app.add_url_rule("/scim/v2/Users/<user_id>", view_func=self._get, methods=["GET"])
        app.add_url_rule("/scim/v2/Users/<user_id>", view_func=self._replace, methods=["PUT"])
        app.after_request(self._maybe_hold)
        return app

    def _maybe_hold(self, response: Response) -> Response:
        path = request.path.removeprefix("/scim/v2")
        if request.query_string:
            path += "?" + request.query_string.decode()
        self.received.append((request.method, path))
        if f"{request.method} {path}".startswith(self.hold) and not self.released.is_set():
            self.held.set()
            self.released.wait(HOLD_LIMIT_SECONDS)
        return response

    def _search(self) -> Response:
        match = re.fullmatch(r'userName eq "(.*)"', request.args.get("filter", ""))
        found = [u for u in self.users.values() if match and u["userName"] == match[1]]
        body = {
            "schemas": [LIST_RESPONSE],
            "totalResults": len(found),
            "startIndex": 1,
            "itemsPerPage": len(found),
            "Resources": found,
        }
        return _scim(body)

    def _create(self) -> Response:
        user = {**request.get_json(force=True), "id": uuid.uuid4().hex}
        user.pop("password", None)
        self.users[user["id"]] = user
        return _scim(user, 201)

    def _get(self, user_id: str) -> Response:
        if user_id not in self.users:
            return _scim({"detail": "not found", "status": "404"}, 404)
        return _scim(self.users[user_id])

    def _replace(self, user_id: str) -> Response:
        user = {**request.get_json(force=True), "id": user_id}
        user.pop("password", None)
        self.users[user_id] = user
        return _scim(user)


def _scim(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body), status, content_type=SCIM_JSON)


@contextmanager
def held_scim_target(hold: str) -> Iterator[HeldScimTarget]:
    """The target live on a free loopback port (`target.url` is its SCIM base URL)."""
    target = HeldScimTarget(hold)
    with live_server(target.app()) as url:
        target.url = f"{url}/scim/v2"
        try:
            yield target
        finally:
            target.release()
