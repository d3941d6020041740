"""Benchmark: Okta's push engine provisioning users into SonarQube, both apps on loopback.

Run: .venv/bin/python bench/provisioning.py [--users 100]
Prints the time from the assignments to an idle queue, and how much of it the SCIM requests
themselves took (their durations are in the wire log).
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from guide_steps import enable_scim_in_sonarqube, provision_app_to  # noqa: E402

import mock_okta  # noqa: E402
import mock_sonar  # noqa: E402
from mock_common import clock  # noqa: E402
from mock_common.db import connect  # noqa: E402
from mock_okta import fixtures as okta_fixtures  # noqa: E402
from mock_okta.config import DEFAULT_API_TOKEN  # noqa: E402
from mock_okta.provisioning.worker import start_worker  # noqa: E402
from mock_sonar import fixtures as sonar_fixtures  # noqa: E402
from okta_sonar_devenv.live import live_server  # noqa: E402

APP = "0oasonarqubedevenv01"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        okta_db, sonar_db = f"{home}/okta.sqlite3", f"{home}/sonar.sqlite3"
        started = time.perf_counter()
        okta_app = mock_okta.create_app({"DATABASE": okta_db})
        sonar_app = mock_sonar.create_app({"DATABASE": sonar_db})
        print(f"both create_app: {(time.perf_counter() - started) * 1000:.0f} ms")
        with (
            live_server(sonar_app) as sonar_url,
            live_server(okta_app) as okta_url,
            requests.Session() as okta,
            requests.Session() as sonar,
        ):
            okta_app.config["BASE_URL"], sonar_app.config["BASE_URL"] = okta_url, sonar_url
            worker = start_worker(okta_app)
            fixture = json.loads((ROOT / "fixtures" / "default.json").read_text())
            for module, path in ((okta_fixtures, okta_db), (sonar_fixtures, sonar_db)):
                db = connect(path)
                variables = {"SONAR_URL": sonar_url, "OKTA_URL": okta_url, "DEVENV_KEYS": home}
                module.seed(db, clock.now(db), fixture, variables)
                db.conn.close()
            okta.headers["Authorization"] = f"SSWS {DEFAULT_API_TOKEN}"
            sonar.auth = ("admin", "admin")
            token = enable_scim_in_sonarqube(sonar_url)
            provision_app_to(okta, okta_url, APP, f"{sonar_url}/api/scim/v2", token)
            ids = []
            for i in range(args.users):
                login = f"bench{i}@example.com"
                ids.append(
                    okta.post(
                        f"{okta_url}/api/v1/users",
                        json={
                            "profile": {
                                "login": login,
                                "email": login,
                                "firstName": "Bench",
                                "lastName": str(i),
                            }
                        },
                    ).json()["id"]
                )
            first_request = len(
                okta.get(
                    f"{okta_url}/_mock/apps/{APP}/scim-requests", params={"limit": 1000}
                ).json()
            )
            started = time.perf_counter()
            for user_id in ids:
                okta.post(
                    f"{okta_url}/api/v1/apps/{APP}/users", json={"id": user_id, "scope": "USER"}
                ).raise_for_status()
            assigned = time.perf_counter() - started
            okta.post(
                f"{okta_url}/_mock/provisioning/wait", json={"timeoutSeconds": 600}
            ).raise_for_status()
            total = time.perf_counter() - started
            wire = okta.get(
                f"{okta_url}/_mock/apps/{APP}/scim-requests", params={"limit": 1000}
            ).json()[first_request:]
        worker.stop()
    http = sum(r["durationMs"] for r in wire) / 1000
    print(
        f"{args.users} assignments: API calls {assigned:.2f} s, all provisioned after "
        f"{total:.2f} s ({args.users / total:.1f} users/s)"
    )
    print(
        f"SCIM requests sent: {len(wire)} ({len(wire) / args.users:.1f} per user), "
        f"their own time {http:.2f} s = {http / total * 100:.0f}% of the total"
    )


if __name__ == "__main__":
    main()
