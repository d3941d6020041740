"""Benchmark: mock_sonar's SCIM server on Okta's request mix, against a do-nothing floor and
scim2-server, all three served the same way (waitress, in this process) and measured in turns.

Run: .venv/bin/python bench/scim_server.py [--users 300] [--rounds 3] [--quick]
Prints one JSON line per figure: each target's requests per second (median of the rounds), the
ratios to the floor (goal >= 0.8) and to scim2-server (goal >= 1.5), and the SQL statements one
request of each kind runs.

Okta's mix, per user, over one keep-alive session with Okta's headers: GET /Users?filter=userName
eq (not found yet), POST /Users, PATCH /Users/{id} active=false. The client is Okta's own
`ScimSession`: a plain requests Session reads the proxy environment and ~/.netrc for every
request, which would add the same few hundred microseconds to every target and flatter the
ratios.
"""

import argparse
import itertools
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import requests
from flask import Flask, jsonify, request

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guide_steps import enable_scim_in_sonarqube

from mock_common.serving import served_in_thread
from mock_okta.provisioning.client import ScimSession
from mock_sonar import create_app

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
OKTA_HEADERS = {
    "Content-Type": "application/scim+json; charset=utf-8",
    "Accept": "application/scim+json",
    "User-Agent": "Okta SCIM Client 1.0.0",
}


def floor_app() -> Flask:
    """Answers Okta's mix as SonarQube would (statuses, body shapes), doing nothing else."""
    app = Flask("floor")
    counter = itertools.count()

    def user(body: dict, user_id: str) -> dict:
        return {
            "schemas": [USER_SCHEMA],
            "id": user_id,
            "userName": body.get("userName", "floor"),
            "name": {"givenName": "Floor", "familyName": "User"},
            "displayName": "Floor User",
            "emails": [{"value": "floor@example.com", "primary": True}],
            "active": True,
            "groups": [],
            "meta": {"resourceType": "User"},
        }

    @app.get("/api/scim/v2/Users")
    def lookup():
        return jsonify(
            {
                "schemas": [LIST_SCHEMA],
                "totalResults": 0,
                "itemsPerPage": 0,
                "startIndex": 1,
                "Resources": [],
            }
        )

    @app.post("/api/scim/v2/Users")
    def create():
        return jsonify(user(request.get_json(force=True), f"floor-{next(counter)}")), 201

    @app.patch("/api/scim/v2/Users/<user_id>")
    def patch(user_id: str):
        request.get_json(force=True)
        return jsonify(user({}, user_id))

    return app


def scim2_server_app() -> Callable:
    """scim2-server's reference WSGI application with in-memory storage."""
    from scim2_server.applications.wsgi import WSGIApplication
    from scim2_server.memory import InMemoryStorage
    from scim2_server.service import ScimService
    from scim2_server.utils import load_default_provider

    service = ScimService(load_default_provider())
    return WSGIApplication(InMemoryStorage(), service.provider, service)


def okta_mix(http: requests.Session, scim: str, names: list[str]) -> float:
    """Send the mix for each name; requests per second."""
    started = time.perf_counter()
    for name in names:
        found = http.get(f"{scim}/Users", params={"filter": f'userName eq "{name}"'})
        assert found.status_code == 200, found.text
        body = {
            "schemas": [USER_SCHEMA],
            "userName": name,
            "name": {"givenName": "Bench", "familyName": name.split("@")[0]},
            "emails": [{"primary": True, "value": name, "type": "work"}],
            "displayName": f"Bench {name}",
            "active": True,
        }
        created = http.post(f"{scim}/Users", json=body)
        assert created.status_code == 201, created.text
        patch = {
            "schemas": [PATCH_SCHEMA],
            "Operations": [{"op": "replace", "value": {"active": False}}],
        }
        patched = http.patch(f"{scim}/Users/{created.json()['id']}", json=patch)
        assert patched.status_code in (200, 204), patched.text
    return 3 * len(names) / (time.perf_counter() - started)


def sql_per_request(database: str, token: str) -> dict[str, int]:
    """SQL statements each request of the mix runs in mock_sonar (in-process, warm)."""
    app = create_app({"DATABASE": database})
    client = app.test_client()
    headers = {**OKTA_HEADERS, "Authorization": f"Bearer {token}"}
    statements: list[str] = []
    counts = {}
    for round_ in range(2):  # the first round warms the pooled connection
        name = f"sql.count{round_}@example.com"
        calls = {
            "GET /Users?filter": lambda n=name: client.get(
                "/api/scim/v2/Users",
                query_string={"filter": f'userName eq "{n}"'},
                headers=headers,
            ),
            "POST /Users": lambda n=name: client.post(
                "/api/scim/v2/Users",
                headers=headers,
                json={
                    "schemas": [USER_SCHEMA],
                    "userName": n,
                    "active": True,
                    "name": {"givenName": "S", "familyName": "Q"},
                    "emails": [{"primary": True, "value": n}],
                },
            ),
        }
        user_id = None
        for label, call in calls.items():
            statements.clear()
            _trace(app, statements)
            reply = call()
            if label == "POST /Users":
                user_id = reply.get_json()["id"]
            counts[label] = len(statements)
        statements.clear()
        client.patch(
            f"/api/scim/v2/Users/{user_id}",
            headers=headers,
            json={
                "schemas": [PATCH_SCHEMA],
                "Operations": [{"op": "replace", "value": {"active": False}}],
            },
        )
        counts["PATCH /Users/{id}"] = len(statements)
    return counts


def _trace(app: Flask, statements: list[str]) -> None:
    # The pool lends its most recently returned connection first: that one serves the call.
    pool = app.extensions["devenv_connections"]
    connection = pool.acquire(app.config["DATABASE"])
    pool.release(app.config["DATABASE"], connection)
    connection.conn.set_trace_callback(statements.append)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300, help="users per round and target")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100 users, 2 rounds")
    args = parser.parse_args()
    users, rounds = (100, 2) if args.quick else (args.users, args.rounds)
    with tempfile.TemporaryDirectory() as home:
        database = f"{home}/sonar.sqlite3"
        sonar = create_app({"DATABASE": database})
        with (
            served_in_thread(sonar) as sonar_url,
            served_in_thread(floor_app()) as floor_url,
            served_in_thread(scim2_server_app()) as scim2_url,
        ):
            sonar.config["BASE_URL"] = sonar_url
            token = enable_scim_in_sonarqube(sonar_url)
            targets = {
                "mock_sonar": (f"{sonar_url}/api/scim/v2", {"Authorization": f"Bearer {token}"}),
                "floor": (f"{floor_url}/api/scim/v2", {}),
                "scim2_server": (f"{scim2_url}", {}),
            }
            rates: dict[str, list[float]] = {name: [] for name in targets}
            for round_ in range(rounds):
                for name, (scim, auth) in targets.items():  # in turns: same machine load
                    with ScimSession() as http:  # Okta's own client session
                        http.headers.update({**OKTA_HEADERS, **auth})
                        names = [f"r{round_}.u{i}@example.com" for i in range(users)]
                        rates[name].append(okta_mix(http, scim, names))
        median = {name: statistics.median(values) for name, values in rates.items()}
        for name, value in median.items():
            print(
                json.dumps(
                    {
                        "figure": "scim_okta_mix_req_per_s",
                        "target": name,
                        "median": round(value, 1),
                        "rounds": [round(v, 1) for v in rates[name]],
                    }
                )
            )
        print(
            json.dumps(
                {
                    "figure": "scim_vs_floor",
                    "ratio": round(median["mock_sonar"] / median["floor"], 2),
                    "goal": ">= 0.8",
                }
            )
        )
        print(
            json.dumps(
                {
                    "figure": "scim_vs_scim2_server",
                    "ratio": round(median["mock_sonar"] / median["scim2_server"], 2),
                    "goal": ">= 1.5",
                }
            )
        )
        print(
            json.dumps(
                {"figure": "scim_sql_statements_per_request", **sql_per_request(database, token)}
            )
        )


if __name__ == "__main__":
    main()
