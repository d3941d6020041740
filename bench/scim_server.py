"""Benchmark: mock_sonar's SCIM server over real HTTP on loopback.

Run: .venv/bin/python bench/scim_server.py [--users 300]
Prints app start-up time and per-operation latency/throughput for the requests Okta sends.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mock_sonar import create_app
from okta_sonar_devenv.live import live_server


def timed(samples: list[float], call):
    started = time.perf_counter()
    response = call()
    samples.append(time.perf_counter() - started)
    response.raise_for_status()
    return response


def report(name: str, samples: list[float]) -> None:
    total = sum(samples)
    print(
        f"{name:<28} n={len(samples):<5} mean={statistics.mean(samples) * 1000:7.2f} ms  "
        f"p95={sorted(samples)[int(len(samples) * 0.95) - 1] * 1000:7.2f} ms  "
        f"{len(samples) / total:8.1f} req/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        started = time.perf_counter()
        app = create_app({"DATABASE": f"{home}/bench.sqlite3"})
        print(f"create_app (fresh database): {(time.perf_counter() - started) * 1000:.1f} ms")
        with live_server(app) as url, requests.Session() as http:
            http.auth = ("admin", "admin")
            http.post(f"{url}/api/scim_management/enable").raise_for_status()
            token = http.post(f"{url}/api/user_tokens/generate", data={"name": "bench"}).json()[
                "token"
            ]
            http.auth = None
            http.headers.update(
                {
                    "Authorization": f"Bearer {token}",
                    "Content-Type": "application/scim+json; charset=utf-8",
                    "User-Agent": "Okta SCIM Client 1.0.0",
                }
            )
            scim = f"{url}/api/scim/v2"
            lookups, creates, puts, patches = [], [], [], []
            ids = []
            for i in range(args.users):
                name = f"bench.user{i}@example.com"
                timed(
                    lookups,
                    lambda n=name: http.get(
                        f"{scim}/Users", params={"filter": f'userName eq "{n}"'}
                    ),
                )
                body = {
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": name,
                    "displayName": f"Bench {i}",
                    "active": True,
                    "emails": [{"value": name, "primary": True}],
                }
                ids.append(
                    timed(creates, lambda b=body: http.post(f"{scim}/Users", json=b)).json()["id"]
                )
            group = http.post(
                f"{scim}/Groups",
                json={
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                    "displayName": "bench",
                },
            ).json()["id"]
            members = []
            for user_id in ids:
                members.append({"value": user_id})
                timed(
                    puts,
                    lambda m=list(members): http.put(
                        f"{scim}/Groups/{group}",
                        json={
                            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                            "displayName": "bench",
                            "members": m,
                        },
                    ),
                )
            for user_id in ids:
                timed(
                    patches,
                    lambda u=user_id: http.patch(
                        f"{scim}/Users/{u}",
                        json={
                            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                            "Operations": [{"op": "replace", "value": {"active": False}}],
                        },
                    ),
                )
    report("GET /Users?filter", lookups)
    report("POST /Users", creates)
    report("PUT /Groups (growing)", puts)
    report("PATCH /Users active=false", patches)


if __name__ == "__main__":
    main()
