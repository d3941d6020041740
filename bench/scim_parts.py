"""Benchmark: what each part of mock_sonar's SCIM work costs against the floor, measured by
taking it away. A diagnostic: the variants are not the product and are never served.

Run: .venv/bin/python bench/scim_parts.py [--users 300] [--rounds 2]
Prints one JSON line per variant: mock_sonar's requests per second on Okta's mix with that part
taken away, the floor's in the same turns, and their ratio (the SCIM server's goal is 0.8).

Variants (each alone, then all together):
* `scim_context_validation`: bodies validated by the same scim2-models classes as plain pydantic
  models, without the request context's rules (mutability, required attributes, extensions);
* `token_lookup`: the caller remembered per Authorization header (a revoked token would go on
  working);
* `servlet_checks`: no edition, permission, enablement or injected-fault check;
* `durable_commits`: `PRAGMA synchronous = OFF` (a power cut could lose the last writes).
"""

import argparse
import json
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from flask import g, request

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guide_steps import enable_scim_in_sonarqube
from scim_server import OKTA_HEADERS, floor_app, okta_mix

from mock_common import web
from mock_common.serving import served_in_thread
from mock_okta.provisioning.client import ScimSession
from mock_sonar import create_app, json_input
from mock_sonar.views import hooks
from mock_sonar.views import scim as scim_views

PARTS = ("scim_context_validation", "token_lookup", "servlet_checks", "durable_commits")


def _plain_validation(model: type, _context: Any) -> Any:
    return model.model_validate(json_input.parse(request.get_data(cache=True)))


def _remembered_caller() -> Any:
    known: dict[str, Any] = {}
    authenticate = hooks.authenticate_web_api

    def hook() -> Any:
        header = request.headers.get("Authorization", "")
        if header in known:
            g.principal = known[header]
            return None
        refused = authenticate()
        known[header] = g.get("principal")
        return refused

    return hook


def _without_durability(path: str) -> Any:
    db = web_connect(path)
    db.conn.execute("PRAGMA synchronous = OFF")
    return db


web_connect = web.connect


@contextmanager
def taken_away(parts: tuple[str, ...]) -> Iterator[None]:
    """Build apps inside this block without `parts` (hooks are bound when an app is built)."""
    with ExitStack() as stack:
        if "scim_context_validation" in parts:
            stack.enter_context(mock.patch.object(scim_views, "_body", _plain_validation))
        if "token_lookup" in parts:
            hook = _remembered_caller()
            stack.enter_context(mock.patch.object(hooks, "authenticate_web_api", hook))
        if "servlet_checks" in parts:
            stack.enter_context(mock.patch.dict(scim_views.bp.before_request_funcs, {None: []}))
        if "durable_commits" in parts:
            stack.enter_context(mock.patch.object(web, "connect", _without_durability))
        yield


def measure(parts: tuple[str, ...], floor_url: str, users: int, rounds: int) -> dict:
    with tempfile.TemporaryDirectory() as home, taken_away(parts):
        sonar = create_app({"DATABASE": f"{home}/sonar.sqlite3"})
        with served_in_thread(sonar) as sonar_url:
            sonar.config["BASE_URL"] = sonar_url
            token = enable_scim_in_sonarqube(sonar_url)
            targets = {
                "mock_sonar": (f"{sonar_url}/api/scim/v2", {"Authorization": f"Bearer {token}"}),
                "floor": (f"{floor_url}/api/scim/v2", {}),
            }
            rates: dict[str, list[float]] = {name: [] for name in targets}
            for round_ in range(rounds):
                for name, (scim, auth) in targets.items():  # in turns: same machine load
                    with ScimSession() as http:
                        http.headers.update({**OKTA_HEADERS, **auth})
                        names = [f"r{round_}.u{i}@example.com" for i in range(users)]
                        rates[name].append(okta_mix(http, scim, names))
    sonar_rate, floor_rate = (statistics.median(rates[name]) for name in targets)
    return {
        "figure": "scim_without",
        "taken_away": list(parts),
        "mock_sonar_req_per_s": round(sonar_rate, 1),
        "floor_req_per_s": round(floor_rate, 1),
        "ratio": round(sonar_rate / floor_rate, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300, help="users per round and target")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    variants = [(), *((part,) for part in PARTS), PARTS]
    with served_in_thread(floor_app()) as floor_url:
        for parts in variants:
            print(json.dumps(measure(parts, floor_url, args.users, args.rounds)), flush=True)


if __name__ == "__main__":
    main()
