"""Benchmark: user lookups in a large Okta directory and SonarQube instance, and the memory of a
process serving each at the large size.

Run: .venv/bin/python bench/directory_scale.py [--quick] [--requests 200] [--keep DIR]
Builds a 1,000-user and a 100,000-user directory in each app (`--quick`: 1,000 and 10,000),
serves each size with waitress in this process, as `serve` does, in turns for three rounds, and
prints one JSON line per figure: the p95 latency of each lookup at both sizes (the median
round) and their ratio (goal <= 2.0), then the resident memory of a `python -m
mock_okta|mock_sonar serve` process at the large size after the same lookups (goal <= 150 MB).

The directories are written in one transaction per app through the domain functions the API
calls (Okta's `create_user`, SonarQube's SCIM `create_user`), without passwords, so the rows are
those the API would write. Every lookup names one user picked at random, so a response holds
the same number of users at both sizes: what grows is only the table behind it.
"""

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import requests
from flask import Flask

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from guide_steps import enable_scim_in_sonarqube

from mock_common.db import atomic, connect
from mock_common.serving import served_in_thread

FIRST_NAMES = ("Ada", "Grace", "Alan", "Linus", "Barbara", "Ken", "Edsger", "Frances", "Dennis")
SURNAMES = ("Lovelace", "Hopper", "Turing", "Torvalds", "Liskov", "Thompson", "Dijkstra", "Allen")
#: Rounds of lookups per size (the median round is reported).
ROUNDS = 3
OKTA_JSON = {"Accept": "application/json", "Content-Type": "application/json"}


def person(i: int) -> dict:
    """The i-th person of a directory: unique login and last name, common first names."""
    return {
        "login": f"user{i:06d}@example.com",
        "firstName": FIRST_NAMES[i % len(FIRST_NAMES)],
        "lastName": f"{SURNAMES[i % len(SURNAMES)]}{i:06d}",
    }


# --- building ---------------------------------------------------------------------------------


def build_okta(path: str, size: int) -> None:
    """An Okta org with `size` users created as POST /api/v1/users?activate=true would."""
    from mock_okta import init_db
    from mock_okta.directory.users import create_user

    init_db(path)
    db, now = connect(path), datetime.now(UTC)
    with atomic(db):
        for i in range(size):
            p = person(i)
            profile = {**p, "email": p["login"]}
            create_user(db, now, {"profile": profile}, activate=True)
    db.conn.close()


def build_sonar(path: str, size: int) -> None:
    """A SonarQube instance with `size` users created as SCIM POST /Users would."""
    from mock_sonar import init_db
    from mock_sonar.scim.models import ScimUser
    from mock_sonar.scim.service import ScimOptions, create_user

    init_db(path)
    db, now = connect(path), datetime.now(UTC)
    with atomic(db):
        for i in range(size):
            p = person(i)
            payload = ScimUser(
                user_name=p["login"],
                name={"given_name": p["firstName"], "family_name": p["lastName"]},
                emails=[{"value": p["login"], "primary": True}],
                active=True,
            )
            create_user(db, now, payload, ScimOptions())
    db.conn.close()


# --- lookups ----------------------------------------------------------------------------------


def okta_lookups(size: int) -> dict[str, Callable[[int], tuple[str, dict]]]:
    """Okta's lookups by name: (path, params) for the user with index i (0 <= i < size)."""
    return {
        "okta_users_q": lambda i: ("/api/v1/users", {"q": person(i)["lastName"]}),
        "okta_users_filter_login_eq": lambda i: (
            "/api/v1/users",
            {"filter": f'profile.login eq "{person(i)["login"]}"'},
        ),
        "okta_users_search_lastName_eq": lambda i: (
            "/api/v1/users",
            {"search": f'profile.lastName eq "{person(i)["lastName"]}"'},
        ),
        "okta_users_search_lastName_sw": lambda i: (
            "/api/v1/users",
            {"search": f'profile.lastName sw "{person(i)["lastName"][:-1]}"'},
        ),
    }


def sonar_lookups(size: int) -> dict[str, Callable[[int], tuple[str, dict]]]:
    """SonarQube's lookups by name."""
    return {
        "sonar_users_search_q": lambda i: ("/api/users/search", {"q": person(i)["lastName"]}),
        "sonar_scim_filter_userName_eq": lambda i: (
            "/api/scim/v2/Users",
            {"filter": f'userName eq "{person(i)["login"]}"'},
        ),
    }


def lookup_ms(http: requests.Session, base: str, path: str, params: dict) -> float:
    """One lookup's time; it must answer 200 with the user it names."""
    started = time.perf_counter()
    reply = http.get(f"{base}{path}", params=params)
    elapsed = time.perf_counter() - started
    assert reply.status_code == 200, reply.text
    assert "example.com" in reply.text, (path, params, reply.text[:300])
    return elapsed * 1000


def p95_ms(http: requests.Session, base: str, lookup: Callable, size: int, count: int) -> float:
    """The 95th percentile of `count` lookups of random users (after a few to warm up)."""
    rng = random.Random()
    samples = [lookup_ms(http, base, *lookup(rng.randrange(size))) for _ in range(count + 10)]
    return p95(samples[10:])


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def okta_session() -> requests.Session:
    from mock_okta.config import DEFAULT_API_TOKEN

    http = lean_session()
    http.headers.update({**OKTA_JSON, "Authorization": f"SSWS {DEFAULT_API_TOKEN}"})
    return http


def sonar_session(base: str) -> requests.Session:
    """A session with an admin token, SCIM enabled."""
    token = enable_scim_in_sonarqube(base, token_name=f"bench{time.time()}")
    http = lean_session()
    http.headers["Authorization"] = f"Bearer {token}"
    return http


def lean_session() -> requests.Session:
    """A client that does not read the proxy environment and ~/.netrc for every request (~0.7
    ms here, the same at every size): it would pull the 1k/large latency ratios toward 1."""
    http = requests.Session()
    http.trust_env = False
    return http


def build_app(app_name: str, path: str) -> Flask:
    if app_name == "okta":
        from mock_okta import create_app
    else:
        from mock_sonar import create_app
    return create_app({"DATABASE": path})


def measure_in_turns(
    app_name: str, paths: dict[int, str], count: int, rounds: int = ROUNDS
) -> dict[str, dict[int, float]]:
    """p95 of each lookup against each size's database, served in this process. The sizes
    take turns, one served at a time (two servers in one process would share the GIL and
    blur the difference), for `rounds` rounds; the median round counts, so a burst of other
    work on the machine weighs on one round only."""
    lookups = okta_lookups if app_name == "okta" else sonar_lookups
    apps = {size: build_app(app_name, path) for size, path in paths.items()}
    rounds_p95: dict[str, dict[int, list[float]]] = {
        name: {size: [] for size in paths} for name in lookups(1)
    }
    for _ in range(rounds):
        for size, app in apps.items():
            with served_in_thread(app) as base:
                http = okta_session() if app_name == "okta" else sonar_session(base)
                with http:
                    for name, lookup in lookups(size).items():
                        rounds_p95[name][size].append(p95_ms(http, base, lookup, size, count))
    return {
        name: {size: statistics.median(values) for size, values in by_size.items()}
        for name, by_size in rounds_p95.items()
    }


# --- memory -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> tuple[float, float]:
    """VmRSS and VmHWM (the peak) of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def measure_rss(app_name: str, path: str, size: int, count: int) -> tuple[float, float]:
    """Serve the database from `python -m mock_<app> serve`, run the lookups, read its memory."""
    module = f"mock_{app_name}"
    subprocess.run(
        [sys.executable, "-m", module, "--db", path, "init"], check=True, stdout=subprocess.DEVNULL
    )
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    process = subprocess.Popen(
        [sys.executable, "-m", module, "--db", path, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{base}/", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        http = okta_session() if app_name == "okta" else sonar_session(base)
        lookups = okta_lookups(size) if app_name == "okta" else sonar_lookups(size)
        with http:
            for lookup in lookups.values():
                p95_ms(http, base, lookup, size, count)
        return rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def emit(**figure: object) -> None:
    print(json.dumps(figure), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 and 10,000 users")
    parser.add_argument("--requests", type=int, default=200, help="lookups of each kind")
    parser.add_argument("--keep", metavar="DIR", help="build (or reuse) the databases in DIR")
    args = parser.parse_args()
    small, large = 1_000, (10_000 if args.quick else 100_000)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(args.keep or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for app_name, build in (("okta", build_okta), ("sonar", build_sonar)):
            paths = {size: str(folder / f"{app_name}-{size}.sqlite3") for size in (small, large)}
            for size, path in paths.items():
                if not Path(path).exists():
                    started = time.perf_counter()
                    build(path, size)
                    built = time.perf_counter() - started
                    emit(figure=f"{app_name}_build_seconds", users=size, value=round(built, 1))
            for name, p95s in measure_in_turns(app_name, paths, args.requests).items():
                ratio = p95s[large] / p95s[small]
                emit(
                    figure=f"{name}_p95_ms",
                    at_small=round(p95s[small], 2),
                    at_large=round(p95s[large], 2),
                    users=[small, large],
                    ratio=round(ratio, 2),
                    goal=2.0,
                    met=ratio <= 2.0,
                )
            rss, peak = measure_rss(
                app_name, str(folder / f"{app_name}-{large}.sqlite3"), large, 50
            )
            emit(
                figure=f"{app_name}_serve_rss_mb",
                users=large,
                value=round(rss, 1),
                peak=round(peak, 1),
                goal=150,
                met=peak <= 150,
            )


if __name__ == "__main__":
    main()
