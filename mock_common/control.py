"""The control plane both apps serve under `/_mock` (SPEC §6): reset, state export/import, clock.

The routes are the same in both apps; what differs is plugged in through `ControlPlane`: how
the app returns to its fixture, imports a state, reads a JSON body and words a refusal in its
vendor's error format.

Every `/_mock` request (these routes and the app's own, such as Okta's console actions) is
guarded by `guard_control_requests`: the app's admin credential, and a JSON body or none. A web
page the developer visits can neither send the credential nor a JSON body cross-site without a
CORS preflight, which the apps never grant; the Host check (`mock_common.web`) stops DNS rebinding.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version

from flask import Blueprint, Flask, Response, request
from sqlite_utils import Database

from . import DISTRIBUTION, clock, state
from .db import atomic
from .web import get_db


@dataclass(frozen=True)
class ControlPlane:
    """What an app plugs into the shared control routes."""

    #: Back to the fixture loaded last (or the bootstrap state), in one transaction.
    reset: Callable[[Database, datetime], None]
    #: The app's error for a refused state import: `refuse_state("Unknown table 'x'")`.
    refuse_state: Callable[[str], Exception]
    #: The request's JSON object (`{}` when empty); the app's error when it is not one.
    read_body: Callable[[], dict]
    #: The app's error for a refused field: `invalid("freeze", "must be ...")`.
    invalid: Callable[[str, str], Exception]
    #: Replace the state with a fixture, in one transaction: `seed(db, now, fixture, variables)`.
    seed: Callable[[Database, datetime, dict, dict[str, str]], None]
    #: The fixture variables only the app knows: its own URL and its key files' folder.
    own_variables: Callable[[], dict[str, str]]
    #: What a fixture the app cannot load raises (its domain's error family).
    fixture_errors: tuple[type[Exception], ...]


CONTROL_PREFIX = "/_mock"
_READ_METHODS = ("GET", "HEAD", "OPTIONS")


def is_control_path(path: str) -> bool:
    """Whether the path is part of the control plane."""
    return path == CONTROL_PREFIX or path.startswith(f"{CONTROL_PREFIX}/")


def guard_control_requests(
    app: Flask, *, authorize: Callable[[], object], refuse_media_type: Callable[[], Exception]
) -> None:
    """Before any `/_mock` view: `authorize()` raises the app's 401/403 for a caller without
    the admin credential; a write whose body is not JSON gets `refuse_media_type()`."""

    @app.before_request
    def guard_control_request() -> None:
        if not is_control_path(request.path):
            return
        authorize()
        if request.method not in _READ_METHODS and not _json_or_empty():
            raise refuse_media_type()


def _json_or_empty() -> bool:
    """A JSON media type, or no Content-Type and no body (`curl -X POST .../reset`).
    A form post or a `text/plain` body is what a web page can send cross-site: refused."""
    if request.mimetype:
        return request.mimetype == "application/json" or request.mimetype.endswith("+json")
    return not request.get_data(cache=True)


def control_blueprint(plane: ControlPlane, name: str = "control") -> Blueprint:
    """The `/_mock` blueprint: reset, state and clock routes backed by `plane`."""
    bp = Blueprint(name, __name__, url_prefix="/_mock")

    @bp.get("/status")
    def status() -> Response:
        """A cheap readiness check for tools to poll: the app answers and its database opens."""
        get_db().execute("select 1")
        return _json({"status": "UP", "version": version(DISTRIBUTION)})

    @bp.post("/reset")
    def reset() -> Response:
        """Back to the loaded fixture."""
        db = get_db()
        plane.reset(db, clock.now(db))
        return Response(status=204)

    @bp.get("/state")
    def export_state() -> Response:
        """The whole state as JSON."""
        return _json(state.export_state(get_db()))

    @bp.post("/state")
    def import_state() -> Response:
        """Replace the whole state with an export (atomically; nothing changes on a refusal)."""
        try:
            state.import_state(get_db(), request.get_json(silent=True))
        except state.InvalidState as error:
            raise plane.refuse_state(str(error)) from error
        return Response(status=204)

    @bp.post("/seed")
    def seed() -> Response:
        """{"fixture": {...}, "variables": {"SONAR_URL": ...}}: the state becomes that fixture
        (its `extends` already resolved by the caller), remembered for later resets, as the
        `seed` command does. The app fills in its own URL and key folder."""
        body = plane.read_body()
        fixture, variables = body.get("fixture"), body.get("variables", {})
        if not isinstance(fixture, dict):
            raise plane.invalid("fixture", "must be a fixture object")
        if not isinstance(variables, dict) or not all(
            isinstance(v, str) for v in variables.values()
        ):
            raise plane.invalid("variables", "must be an object of strings")
        own = plane.own_variables()
        if set(variables) & set(own):
            names = ", ".join(sorted(set(variables) & set(own)))
            raise plane.invalid("variables", f"may not set {names}: the app sets them")
        db = get_db()
        try:
            state.reseed(db, clock.now(db), plane.seed, fixture, {**variables, **own})
        except (*plane.fixture_errors, KeyError, TypeError, ValueError) as error:
            raise plane.refuse_state(f"The fixture cannot be loaded: {error}") from error
        return Response(status=204)

    @bp.post("/clock")
    def set_clock() -> Response:
        """{"freeze": "2025-01-15T10:00:00Z"} | {"advanceSeconds": 300} | {"unfreeze": true}."""
        db = get_db()
        try:
            with atomic(db):  # several settings, applied together or not at all
                moment = clock.apply_command(db, plane.read_body())
        except clock.InvalidClockCommand as error:
            raise plane.invalid(error.field, error.problem) from error
        return _json({"now": moment.isoformat()})

    return bp


def _json(data: object) -> Response:
    # Compact and raw UTF-8, as both products write JSON.
    body = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return Response(body, status=200, content_type="application/json")
