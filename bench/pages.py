"""Benchmark: how fast the two web UIs' pages load, both apps live on loopback.

Run: .venv/bin/python bench/pages.py [--rounds 30]
Signs in to the Okta Admin Console and to SonarQube (local admin), then times GETs of the pages
the guide visits, and prints the median and the slowest time per page.
"""

import argparse
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mock_okta  # noqa: E402
import mock_sonar  # noqa: E402
from mock_common import clock  # noqa: E402
from mock_common.db import connect  # noqa: E402
from mock_okta import fixtures as okta_fixtures  # noqa: E402
from mock_okta.config import DEFAULT_API_TOKEN  # noqa: E402
from mock_sonar import fixtures as sonar_fixtures  # noqa: E402
from okta_sonar_devenv.browserless import Browser  # noqa: E402
from okta_sonar_devenv.live import live_server  # noqa: E402

APP = "/admin/app/devenvorg_sonarqube_1/instance/0oasonarqubedevenv01/"
OKTA_PAGES = [
    "/admin/dashboard",
    "/admin/users",
    "/admin/groups",
    "/admin/apps/active",
    APP + "?tab=general",
    APP + "?tab=provisioning",
    APP + "?tab=assignments",
    APP + "?tab=push-groups",
    APP + "scim-requests",
    "/report/system_log_2",
]
SONAR_PAGES = [
    "/sessions/new",
    "/projects",
    "/admin/settings?category=authentication&tab=saml",
    "/admin/users",
    "/admin/groups",
    "/account/security",
]


def timed(browser: Browser, url: str, rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = browser.get(url, allow_redirects=False)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples) * 1000, max(samples) * 1000


def sign_in(okta: Browser, sonar: Browser, okta_url: str, sonar_url: str) -> None:
    # SCIM on (General > Enable SCIM provisioning), so the Provisioning tab exists.
    requests.put(
        f"{okta_url}/_mock/apps/0oasonarqubedevenv01/provisioning",
        headers={"Authorization": f"SSWS {DEFAULT_API_TOKEN}"},
        json={
            "enabled": True,
            "actions": ["PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_GROUPS"],
        },
        timeout=10,
    ).raise_for_status()
    page = okta.get(f"{okta_url}/admin/dashboard")
    okta.submit(page, username="admin@example.com", password="Passw0rd!")
    requests.post(
        f"{sonar_url}/api/users/change_password",
        auth=("admin", "admin"),
        data={"login": "admin", "previousPassword": "admin", "password": "Bench-Passw0rd!"},
        timeout=10,
    ).raise_for_status()
    sonar.http.post(
        f"{sonar_url}/api/authentication/login",
        data={"login": "admin", "password": "Bench-Passw0rd!"},
        timeout=10,
    ).raise_for_status()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as home:
        okta_db, sonar_db = f"{home}/okta.sqlite3", f"{home}/sonar.sqlite3"
        okta_app = mock_okta.create_app({"DATABASE": okta_db})
        sonar_app = mock_sonar.create_app({"DATABASE": sonar_db})
        with live_server(sonar_app) as sonar_url, live_server(okta_app) as okta_url:
            okta_app.config["BASE_URL"], sonar_app.config["BASE_URL"] = okta_url, sonar_url
            fixture = json.loads((ROOT / "fixtures" / "default.json").read_text())
            variables = {"SONAR_URL": sonar_url, "OKTA_URL": okta_url, "DEVENV_KEYS": home}
            for module, path in ((okta_fixtures, okta_db), (sonar_fixtures, sonar_db)):
                db = connect(path)
                module.seed(db, clock.now(db), fixture, variables)
                db.conn.close()
            okta, sonar = Browser(), Browser()
            sign_in(okta, sonar, okta_url, sonar_url)
            print(f"{'page':<62} {'median':>8} {'slowest':>8}")
            for browser, base, pages in (
                (okta, okta_url, OKTA_PAGES),
                (sonar, sonar_url, SONAR_PAGES),
            ):
                for path in pages:
                    median, slowest = timed(browser, base + path, args.rounds)
                    name = ("okta " if browser is okta else "sonar ") + path.replace(APP, "{app}/")
                    print(f"{name[:62]:<62} {median:7.1f}ms {slowest:7.1f}ms")
            okta.close()
            sonar.close()


if __name__ == "__main__":
    main()
