"""Benchmark: what holds under a crash, an outage, injected faults, concurrency, hostile input
and callers without credentials. Both apps run as real processes on loopback.

Run: .venv/bin/python bench/hardening.py [SCENARIO ...] [--users 1000] [--bad-inputs 300]
Scenarios (all by default):
  kill9       kill -9 of Okta mid-push of --users users, then restart
  sonar-down  SonarQube down 10 s mid-push
  faults      20% of SCIM requests answered 429, 500, 503 or not before Okta's timeout
  concurrent  8 SCIM clients x 250 writes against SonarQube at once
  bad-input   --bad-inputs generated hostile requests per API
  sweep       every route without and with wrong credentials
Each prints what held: converged/total, lost, duplicates, 5xx, refused/total. A push that
fails ends as a task in Dashboard > Tasks; the scenarios retry open tasks as an admin would.
"""

import argparse
import random
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable

import hostile
import requests
from stack import Stack, convergence

#: Okta's SCIM timeout for the Okta process here (60 s on a real org), so that a "timeout"
#: fault costs seconds, not minutes.
SCIM_TIMEOUT_SECONDS = 3
OKTA_ENV = {"MOCK_OKTA_SCIM_TIMEOUT_SECONDS": str(SCIM_TIMEOUT_SECONDS)}


def delivered(stack: Stack) -> int:
    """SCIM requests Okta has sent so far (its wire log, read from its database)."""
    db = sqlite3.connect(f"file:{stack.okta_db}?mode=ro", uri=True)
    try:
        return db.execute("select count(*) from scim_requests").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        db.close()


def server_errors(stack: Stack) -> int:
    """5xx answers SonarQube gave Okta that no fault asked for (none are injected here)."""
    db = sqlite3.connect(f"file:{stack.okta_db}?mode=ro", uri=True)
    try:
        return db.execute("select count(*) from scim_requests where status >= 500").fetchone()[0]
    finally:
        db.close()


def wait_for(condition: Callable[[], bool], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the push did not get that far")
        time.sleep(0.1)


def report(name: str, figures: dict) -> None:
    print(
        f"{name:<11} " + "  ".join(f"{key} {value}" for key, value in figures.items()), flush=True
    )


def settle(stack: Stack) -> int:
    """Wait for an idle queue, then retry open tasks until none are left; returns retries."""
    stack.wait_idle()
    return stack.retry_failed_tasks()


# -- scenarios ---------------------------------------------------------------------------


def kill9(home: str, users: int) -> None:
    with Stack(
        home, okta_env={"MOCK_OKTA_SCIM_TIMEOUT_SECONDS": str(SCIM_TIMEOUT_SECONDS)}
    ) as stack:
        created = stack.create_users(users)
        stack.assign(list(created))
        wait_for(lambda: delivered(stack) >= users // 3)
        at_kill = delivered(stack)
        stack.kill("okta")
        stack.start_okta()
        retried = settle(stack)
        figures = convergence(stack, created)
        report(
            "kill9",
            {
                "converged": f"{figures['converged']}/{figures['total']}",
                "lost": figures["lost"],
                "duplicates": figures["duplicates"],
                "killed after": f"{at_kill} requests",
                "tasks retried": retried,
                "5xx": server_errors(stack),
            },
        )


def sonar_down(home: str, users: int) -> None:
    with Stack(
        home, okta_env={"MOCK_OKTA_SCIM_TIMEOUT_SECONDS": str(SCIM_TIMEOUT_SECONDS)}
    ) as stack:
        created = stack.create_users(users)
        stack.assign(list(created))
        wait_for(lambda: delivered(stack) >= users // 4)
        stack.kill("sonar")
        time.sleep(10)
        stack.start_sonar()
        retried = settle(stack)
        figures = convergence(stack, created)
        report(
            "sonar-down",
            {
                "converged": f"{figures['converged']}/{figures['total']}",
                "lost": figures["lost"],
                "duplicates": figures["duplicates"],
                "tasks retried": retried,
                "5xx": server_errors(stack),
            },
        )


def faults(home: str, users: int, rate: float = 0.2) -> None:
    """Keep one fault queued for every 1/rate requests Okta sends, of a random kind."""
    kinds = [
        {"status": 429, "headers": {"Retry-After": "1"}, "body": "Too Many Requests"},
        {"status": 500, "body": "boom"},
        {"status": 503, "body": "unavailable"},
        {"delaySeconds": SCIM_TIMEOUT_SECONDS + 1},
    ]
    chooser = random.Random(7)
    with Stack(
        home, okta_env={"MOCK_OKTA_SCIM_TIMEOUT_SECONDS": str(SCIM_TIMEOUT_SECONDS)}
    ) as stack:
        created = stack.create_users(users)
        injected, done = 0, threading.Event()

        def inject() -> None:
            nonlocal injected
            while not done.is_set():
                if injected < delivered(stack) * rate + 1:
                    stack.sonar.post(
                        f"{stack.sonar_url}/_mock/faults",
                        json={**chooser.choice(kinds), "count": 1},
                    ).raise_for_status()
                    injected += 1
                time.sleep(0.05)

        injector = threading.Thread(target=inject, daemon=True)
        injector.start()
        stack.assign(list(created))
        stack.wait_idle()
        done.set()
        injector.join()
        stack.sonar.delete(f"{stack.sonar_url}/_mock/faults").raise_for_status()
        retried = settle(stack)
        figures = convergence(stack, created)
        report(
            "faults",
            {
                "converged": f"{figures['converged']}/{figures['total']}",
                "lost": figures["lost"],
                "duplicates": figures["duplicates"],
                "faults injected": f"{injected}/{delivered(stack)} requests",
                "tasks retried": retried,
            },
        )


def concurrent(home: str, clients: int = 8, writes: int = 250) -> None:
    """Each client creates users and adds each to one shared group, PATCH by PATCH."""
    with Stack(home, okta=False) as stack:
        headers = {
            "Authorization": f"Bearer {stack.scim_token}",
            "Content-Type": "application/scim+json",
        }
        scim = f"{stack.sonar_url}/api/scim/v2"
        group = requests.post(
            f"{scim}/Groups",
            json={
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "bench-shared",
                "members": [],
            },
            headers=headers,
            timeout=30,
        ).json()
        statuses: list[int] = []
        lock = threading.Lock()

        def client(number: int) -> None:
            with requests.Session() as http:
                http.headers.update(headers)
                for i in range(writes // 2):
                    name = f"c{number}u{i}@example.com"
                    user = http.post(
                        f"{scim}/Users",
                        json={
                            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                            "userName": name,
                            "name": {"givenName": "C", "familyName": str(i)},
                            "emails": [{"value": name, "primary": True}],
                            "active": True,
                        },
                        timeout=60,
                    )
                    patch = http.patch(
                        f"{scim}/Groups/{group['id']}",
                        json={
                            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                            "Operations": [
                                {
                                    "op": "add",
                                    "path": "members",
                                    "value": [{"value": user.json().get("id")}],
                                }
                            ],
                        },
                        timeout=60,
                    )
                    with lock:
                        statuses.extend([user.status_code, patch.status_code])

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        users = stack.scim_users()
        members = requests.get(f"{scim}/Groups/{group['id']}", headers=headers, timeout=30).json()
        expected = clients * (writes // 2)
        report(
            "concurrent",
            {
                "writes": f"{len(statuses)} in {elapsed:.1f} s",
                "2xx": sum(200 <= s < 300 for s in statuses),
                "5xx": sum(s >= 500 for s in statuses),
                "users": f"{sum(u['userName'].startswith('c') for u in users)}/{expected}",
                "group members (lost updates)": f"{len(members.get('members', []))}/{expected}",
            },
        )


def bad_input(home: str, count: int) -> None:
    with Stack(home) as stack:
        for api, requests_of_api in hostile.requests_per_api(stack, count, seed=11).items():
            tally: dict[str, int] = {"2xx": 0, "4xx": 0, "5xx": 0}
            examples = []
            for method, url, kwargs in requests_of_api:
                response = stack.call(api, method, url, **kwargs)
                tally[f"{min(response.status_code // 100, 5)}xx"] = (
                    tally.get(f"{min(response.status_code // 100, 5)}xx", 0) + 1
                )
                if response.status_code >= 500 and len(examples) < 3:
                    examples.append(f"{method} {url} {hostile.describe(kwargs)}")
            report("bad-input", {"api": api, "requests": len(requests_of_api), **tally})
            for example in examples:
                print(f"            5xx: {example}")


def sweep(home: str) -> None:
    with Stack(home) as stack:
        for app, (refused, total, leaks) in hostile.sweep_routes(stack).items():
            report("sweep", {"app": app, "refused": f"{refused}/{total}"})
            for leak in leaks[:10]:
                print(f"            answered without credentials: {leak}")


SCENARIOS = {
    "kill9": lambda home, args: kill9(home, args.users),
    "sonar-down": lambda home, args: sonar_down(home, min(args.users, 300)),
    "faults": lambda home, args: faults(home, min(args.users, 300)),
    "concurrent": lambda home, args: concurrent(home),
    "bad-input": lambda home, args: bad_input(home, args.bad_inputs),
    "sweep": lambda home, args: sweep(home),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", metavar="SCENARIO", help=", ".join(SCENARIOS))
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--bad-inputs", type=int, default=300)
    args = parser.parse_args()
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    for name in args.scenarios or SCENARIOS:
        with tempfile.TemporaryDirectory() as home:
            SCENARIOS[name](home, args)


if __name__ == "__main__":
    main()
