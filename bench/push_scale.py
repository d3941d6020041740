"""Benchmark: does Okta's push engine stay linear as the directory grows?

Run: .venv/bin/python bench/push_scale.py [--quick] [--users 100 10000]

For each size N, in fresh databases: the default fixture, N users in a group `bench-assigned`
(seeded through the domain layer, in one transaction), and ten groups pushed to SonarQube
through group push mappings (pushed before anything is measured). Both apps are served on
loopback over real HTTP; the worker delivers as `serve` does. Two measures:

* convergence: `PUT /api/v1/apps/{app}/groups/{bench-assigned}` assigns the app to the N users
  at once, then the wait until the push engine is idle (every user created in SonarQube);
* assignment calls: with the N users assigned, 200 more users join the group one
  `PUT /api/v1/groups/{bench-assigned}/users/{id}` at a time (each assigns the app to one
  user); the time per call, at a table size of N.

The ten pushed groups hold the fixture's users, not the bench users. A third measure
(`push.pushed_group`) pushes the assigned group itself: each member provisioned brings a
membership change of that group, and in SonarQube's dialect (CUSTOM_APP) Okta sends a change as
a GET and a PUT of the group's whole member list. Okta batches the changes already recorded into
one request, so the N changes cost a few requests, not N PUTs of up to N members each.

The floor: the SCIM requests the run sent (method, path and body from Okta's wire log, with
Okta's headers) replayed one by one over one keep-alive session (Okta's own `ScimSession`, so
the client's per-request work is the same) against a Flask app that does
nothing and answers as SonarQube's SCIM server does (same status codes, minimal bodies), served
the same way. One JSON line per figure; no access-log lines.
"""

import argparse
import json
import logging
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from flask import Flask, Response, request

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from guide_steps import enable_scim_in_sonarqube, provision_app_to  # noqa: E402

import mock_okta  # noqa: E402
import mock_sonar  # noqa: E402
from mock_common import clock  # noqa: E402
from mock_common.db import atomic, connect  # noqa: E402
from mock_okta import fixtures as okta_fixtures  # noqa: E402
from mock_okta import reactions  # noqa: E402
from mock_okta.config import DEFAULT_API_TOKEN  # noqa: E402
from mock_okta.provisioning.client import ScimSession  # noqa: E402
from mock_okta.provisioning.worker import start_worker  # noqa: E402
from mock_sonar import fixtures as sonar_fixtures  # noqa: E402
from okta_sonar_devenv.live import live_server  # noqa: E402

APP = "0oasonarqubedevenv01"
PUSHED_GROUPS = 10
#: Users assigned one call at a time, after the N, to time the assignment API at size N.
LATE_USERS = 200
#: The fixture's users assigned to SonarQube: the members of the pushed groups.
FIXTURE_MEMBERS = ["00ualicemartin000001", "00ubobnguyen00000002", "00ucarolsmith0000003"]


def emit(figure: str, **values: object) -> None:
    print(json.dumps({"figure": figure, **values}), flush=True)


# --- the floor ------------------------------------------------------------------------------


def floor_app() -> Flask:
    """Answers SCIM requests as SonarQube's server would, doing nothing."""
    app = Flask("scim_floor")
    empty = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]}

    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def answer(path: str) -> Response:
        if request.method == "DELETE":
            return Response(status=204)
        if request.method == "GET" and "filter" in request.args:
            body = {**empty, "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []}
            return Response(json.dumps(body), 200, mimetype="application/scim+json")
        status = 201 if request.method == "POST" else 200
        body = {"id": path.rsplit("/", 1)[-1] if status == 200 else str(uuid.uuid4())}
        return Response(json.dumps(body), status, mimetype="application/scim+json")

    return app


def replay(wire: list[dict], floor_url: str) -> tuple[float, int]:
    """Send the wire log's requests to the floor; seconds taken and status mismatches."""
    mismatches = 0
    # Okta's own client session: the floor's client does no more per request than Okta's does
    # (a plain Session reads the proxy environment and ~/.netrc for every request, ~0.2 ms).
    with ScimSession() as http:
        started = time.perf_counter()
        for exchange in wire:
            url = urlsplit(exchange["url"])
            target = f"{floor_url}{url.path}" + (f"?{url.query}" if url.query else "")
            headers = {**json.loads(exchange["request_headers"]), "Authorization": "Bearer x"}
            body = exchange["request_body"]
            response = http.request(
                exchange["method"],
                target,
                headers=headers,
                data=body.encode() if body is not None else None,
            )
            mismatches += response.status_code != exchange["status"]
        return time.perf_counter() - started, mismatches


# --- one size -------------------------------------------------------------------------------


def seed(home: str, okta_db: str, sonar_db: str, urls: dict[str, str], users: int) -> list[str]:
    """The fixture, `users` users in `bench-assigned` and LATE_USERS more outside it; returns
    the ids of the latter."""
    fixture = json.loads((ROOT / "fixtures" / "default.json").read_text())
    variables = {"SONAR_URL": urls["sonar"], "OKTA_URL": urls["okta"], "DEVENV_KEYS": home}
    db = connect(okta_db)  # first: it writes the keys SonarQube's part reads
    okta_fixtures.seed(db, clock.now(db), fixture, variables)
    sonar = connect(sonar_db)
    sonar_fixtures.seed(sonar, clock.now(sonar), fixture, variables)
    sonar.conn.close()
    now = clock.now(db)
    late = []
    with atomic(db):
        group = reactions.create_group(db, now, {"name": "bench-assigned"}, group_id=None)
        for i in range(users + LATE_USERS):
            login = f"bench{i}@example.com"
            profile = {"login": login, "email": login, "firstName": "Bench", "lastName": str(i)}
            user_id = reactions.create_user(db, now, {"profile": profile})["id"]
            if i < users:
                reactions.add_user_to_group(db, now, group["id"], user_id)
            else:
                late.append(user_id)
    db.conn.close()
    return late


def pushed_group_ids(okta: requests.Session, okta_url: str) -> list[str]:
    ids = []
    for k in range(PUSHED_GROUPS):
        response = okta.post(
            f"{okta_url}/api/v1/groups", json={"profile": {"name": f"bench-pushed-{k}"}}
        )
        response.raise_for_status()
        group_id = response.json()["id"]
        for user_id in FIXTURE_MEMBERS[: 1 + k % len(FIXTURE_MEMBERS)]:
            okta.put(f"{okta_url}/api/v1/groups/{group_id}/users/{user_id}").raise_for_status()
        ids.append(group_id)
    return ids


def connect_scim(okta: requests.Session, okta_url: str, sonar_url: str) -> None:
    """The guide's steps: SCIM on in SonarQube, Okta's app pointed at it, To App enabled."""
    token = enable_scim_in_sonarqube(sonar_url)
    provision_app_to(okta, okta_url, APP, f"{sonar_url}/api/scim/v2", token)


def wait_idle(okta: requests.Session, okta_url: str) -> None:
    """Until the outbox is idle (the control API waits at most 600 s a call)."""
    for _ in range(6):
        response = okta.post(f"{okta_url}/_mock/provisioning/wait", json={"timeoutSeconds": 600})
        if response.status_code == 200:
            return
    response.raise_for_status()
    raise RuntimeError(f"the outbox is still busy: {response.status_code} {response.text}")


@dataclass
class ConnectedApps:
    """Both apps served and connected: Okta's admin session, URL and database file, the ids of
    the LATE_USERS and the seconds the seeding took."""

    okta: requests.Session
    okta_url: str
    okta_db: str
    late: list[str]
    seeded: float


@contextmanager
def both_apps(users: int) -> Iterator[ConnectedApps]:
    """Fresh databases seeded for `users`, both apps served, SCIM connected, the worker running."""
    with tempfile.TemporaryDirectory() as home:
        okta_db, sonar_db = f"{home}/okta.sqlite3", f"{home}/sonar.sqlite3"
        okta_app = mock_okta.create_app({"DATABASE": okta_db})
        sonar_app = mock_sonar.create_app({"DATABASE": sonar_db})
        with (
            live_server(sonar_app) as sonar_url,
            live_server(okta_app) as okta_url,
            requests.Session() as okta,
        ):
            okta_app.config["BASE_URL"], sonar_app.config["BASE_URL"] = okta_url, sonar_url
            started = time.perf_counter()
            late = seed(home, okta_db, sonar_db, {"okta": okta_url, "sonar": sonar_url}, users)
            seeded = time.perf_counter() - started
            okta.headers["Authorization"] = f"SSWS {DEFAULT_API_TOKEN}"
            worker = start_worker(okta_app)
            try:
                connect_scim(okta, okta_url, sonar_url)
                yield ConnectedApps(okta, okta_url, okta_db, late, seeded)
            finally:
                worker.stop()


def push_mapping(okta: requests.Session, okta_url: str, group_id: str, name: str) -> None:
    okta.post(
        f"{okta_url}/api/v1/apps/{APP}/group-push/mappings",
        json={"sourceGroupId": group_id, "status": "ACTIVE", "targetGroupName": name},
    ).raise_for_status()


def run_size(users: int, floor_url: str) -> dict:
    """Seed, push the groups, assign the group, wait, assign LATE_USERS more; the figures."""
    with both_apps(users) as apps:
        okta, okta_url, okta_db = apps.okta, apps.okta_url, apps.okta_db
        group_id = _assigned_group(okta_db)
        for k, source in enumerate(pushed_group_ids(okta, okta_url)):
            push_mapping(okta, okta_url, source, f"bench-pushed-{k}")
        wait_idle(okta, okta_url)
        mark = _last_request(okta_db)
        started = time.perf_counter()
        okta.put(f"{okta_url}/api/v1/apps/{APP}/groups/{group_id}", json={})
        group_assigned = time.perf_counter() - started
        wait_idle(okta, okta_url)
        converged = time.perf_counter() - started
        wire = _wire_since(okta_db, mark)
        started = time.perf_counter()
        for user_id in apps.late:
            okta.put(f"{okta_url}/api/v1/groups/{group_id}/users/{user_id}").raise_for_status()
        assigned = time.perf_counter() - started
        wait_idle(okta, okta_url)
    floor, mismatches = replay(wire, floor_url)
    sonar_http = sum(exchange["duration_ms"] or 0 for exchange in wire) / 1000
    return {
        "users": users,
        "seed_s": round(apps.seeded, 2),
        "assign_ms_per_call": round(assigned / len(apps.late) * 1000, 3),
        "group_assign_s": round(group_assigned, 2),
        "convergence_s": round(converged, 2),
        "convergence_ms_per_user": round(converged / users * 1000, 3),
        "scim_requests": len(wire),
        # What the requests took against the real SonarQube; the rest is Okta's own work.
        "sonar_http_s": round(sonar_http, 2),
        "okta_own_ms_per_user": round((converged - sonar_http) / users * 1000, 3),
        "floor_s": round(floor, 2),
        "ratio_to_floor": round(converged / floor, 2),
        "floor_status_mismatches": mismatches,
    }


def run_pushed_group(users: int) -> dict:
    """The assigned group is pushed too: every member provisioned brings a membership change
    of that group, which Okta batches; the figures of that convergence."""
    with both_apps(users) as apps:
        okta, okta_url, okta_db = apps.okta, apps.okta_url, apps.okta_db
        group_id = _assigned_group(okta_db)
        push_mapping(okta, okta_url, group_id, "bench-assigned")  # empty: nobody provisioned
        wait_idle(okta, okta_url)
        mark = _last_request(okta_db)
        started = time.perf_counter()
        okta.put(f"{okta_url}/api/v1/apps/{APP}/groups/{group_id}", json={})
        wait_idle(okta, okta_url)
        converged = time.perf_counter() - started
        wire = _wire_since(okta_db, mark)
    group_requests = [exchange for exchange in wire if "/Groups" in exchange["url"]]
    return {
        "users": users,
        "convergence_s": round(converged, 2),
        "convergence_ms_per_user": round(converged / users * 1000, 3),
        "scim_requests": len(wire),
        "group_requests": len(group_requests),
    }


def _assigned_group(okta_db: str) -> str:
    db = sqlite3.connect(okta_db)
    (group_id,) = db.execute("select id from groups where name = 'bench-assigned'").fetchone()
    db.close()
    return group_id


def _last_request(okta_db: str) -> int:
    db = sqlite3.connect(okta_db)
    (mark,) = db.execute("select coalesce(max(id), 0) from scim_requests").fetchone()
    db.close()
    return mark


def _wire_since(okta_db: str, mark: int) -> list[dict]:
    db = sqlite3.connect(okta_db)
    db.row_factory = sqlite3.Row
    rows = db.execute(
        "select method, url, request_headers, request_body, status, duration_ms "
        "from scim_requests "
        "where id > ? order by id",
        [mark],
    )
    wire = [dict(row) for row in rows]
    db.close()
    return wire


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, nargs="+", default=[100, 10000])
    parser.add_argument("--quick", action="store_true", help="100 and 1,000 users")
    args = parser.parse_args()
    sizes = [100, 1000] if args.quick else sorted(args.users)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    results = []
    with live_server(floor_app()) as floor_url:
        for users in sizes:
            result = run_size(users, floor_url)
            emit("push.convergence", **result)
            results.append(result)
            pushed = run_pushed_group(users)
            emit(
                "push.pushed_group",
                **pushed,
                per_user_ratio_to_unpushed=round(
                    pushed["convergence_ms_per_user"] / result["convergence_ms_per_user"], 2
                ),
            )
    small, large = results[0], results[-1]
    if large is not small:
        emit(
            "push.growth",
            small=small["users"],
            large=large["users"],
            convergence_per_user_ratio=round(
                large["convergence_ms_per_user"] / small["convergence_ms_per_user"], 2
            ),
            okta_own_per_user_ratio=round(
                large["okta_own_ms_per_user"] / small["okta_own_ms_per_user"], 2
            ),
            assign_per_call_ratio=round(
                large["assign_ms_per_call"] / small["assign_ms_per_call"], 2
            ),
        )


if __name__ == "__main__":
    main()
