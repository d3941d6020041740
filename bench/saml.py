"""Benchmark: SP-initiated SAML sign-in end to end, against the cryptography it performs.

Run: .venv/bin/python bench/saml.py [--rounds 30 | --quick]
Both apps live on loopback, seeded from fixtures/default.json. Each round is a fresh browser:
SonarQube's /sessions/init/saml (redirected to Okta's sign-in page), the sign-in form POST
(through to the auto-submitting form with the signed Response), the POST to SonarQube's ACS.
Every round checks the password as a first sign-in does (Okta's credential cache is cleared).

The cryptography is measured on its own in the same run, right after each sign-in (so under
the same load): the xmlsec1 operations the sign-ins run (counted while they run, by kind) are
timed again on that round's Response through pysaml2's xmlsec1 backend, and the password check
on the stored PBKDF2 hash. `crypto_ms` is the median of their cost per sign-in; `ratio` is the
sign-in's median over it. One JSON line per figure.
"""

import argparse
import base64
import json
import logging
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

from saml2.sigver import CryptoBackendXmlSec1, get_xmlsec_binary
from werkzeug import security

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mock_okta  # noqa: E402
import mock_sonar  # noqa: E402
from mock_common import clock  # noqa: E402
from mock_common.db import connect  # noqa: E402
from mock_okta import fixtures as okta_fixtures  # noqa: E402
from mock_okta.applications import apps  # noqa: E402
from mock_okta.directory import passwords, users  # noqa: E402
from mock_sonar import fixtures as sonar_fixtures  # noqa: E402
from okta_sonar_devenv.browserless import Browser, forms_of  # noqa: E402
from okta_sonar_devenv.live import live_server  # noqa: E402

APP = "0oasonarqubedevenv01"
LOGIN, PASSWORD = "dave.lee@example.com", "Passw0rd!"
RESPONSE = "urn:oasis:names:tc:SAML:2.0:protocol:Response"
ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion:Assertion"


class Operations:
    """Counts the xmlsec1 runs (by their command) and password checks the apps perform."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._run, self._check = CryptoBackendXmlSec1._run_xmlsec, passwords.check_password_hash

    def __enter__(self) -> None:
        run, check = self._run, self._check

        def counted_run(backend, com_list, extra_args):
            self.counts["xmlsec1 " + com_list[1]] += 1
            return run(backend, com_list, extra_args)

        def counted_check(stored, password):
            self.counts["pbkdf2"] += 1
            return check(stored, password)

        CryptoBackendXmlSec1._run_xmlsec = counted_run
        passwords.check_password_hash = counted_check

    def __exit__(self, *exc_info) -> None:
        CryptoBackendXmlSec1._run_xmlsec = self._run
        passwords.check_password_hash = self._check


def sign_in(sonar_url: str) -> dict[str, float]:
    """One SP-initiated sign-in in a fresh browser; the seconds each step took."""
    browser = Browser()
    try:
        started = time.perf_counter()
        page = browser.get(f"{sonar_url}/sessions/init/saml", params={"return_to": "/projects"})
        assert "/login/login.htm" in page.url, page.url
        init = time.perf_counter()
        posted = browser.submit(page, username=LOGIN, password=PASSWORD)
        form = next(f for f in forms_of(posted) if f["id"] == "appForm")
        signin = time.perf_counter()
        done = browser.http.post(form["action"], data=form["fields"], allow_redirects=False)
        acs = time.perf_counter()
        assert done.status_code == 302, done.status_code
        assert done.headers["Location"].endswith("/projects"), done.headers["Location"]
        assert browser.cookie("JWT-SESSION")
    finally:
        browser.close()
    sign_in.last_response = form["fields"]["SAMLResponse"]
    return {
        "init": init - started,
        "signin": signin - init,
        "acs": acs - signin,
        "total": acs - started,
    }


class _Backend(CryptoBackendXmlSec1):
    """pysaml2's xmlsec1 backend, its version asked once (the measure is the operation)."""

    def __init__(self) -> None:
        super().__init__(get_xmlsec_binary())
        self._version = super().version

    @property
    def version(self) -> str:
        return self._version


class Cryptography:
    """Times, on their own, the operations a sign-in performs, with the app's key and hash."""

    def __init__(self, okta_db: str, folder: str) -> None:
        db = connect(okta_db)
        signing = apps.internal_of(apps.get_app(db, APP))["signing"]
        self.stored = users.find_by_login(db, LOGIN)["password_hash"]
        db.conn.close()
        self.key, self.cert = Path(folder, "key.pem"), Path(folder, "cert.pem")
        self.key.write_text(signing["keyPem"])
        self.cert.write_text(signing["certPem"])
        self.backend = _Backend()

    def time_once(self, xml: str) -> dict[str, float]:
        """The seconds of one operation of each kind on this Response (Response and Assertion
        signed and verified: the mean of the two)."""
        root = ElementTree.fromstring(xml)
        assertion = root.find(f"{{{ASSERTION.rsplit(':', 1)[0]}}}Assertion")
        signed = [(RESPONSE, root.get("ID")), (ASSERTION, assertion.get("ID"))]
        started = time.perf_counter()
        for node, ident in signed:
            self.backend.sign_statement(xml, node, str(self.key), ident)
        signing = time.perf_counter()
        for node, ident in signed:
            assert self.backend.validate_signature(xml, str(self.cert), "pem", node, ident)
        verifying = time.perf_counter()
        assert security.check_password_hash(self.stored, PASSWORD)
        hashing = time.perf_counter()
        return {
            "xmlsec1 --sign": (signing - started) / 2,
            "xmlsec1 --verify": (verifying - signing) / 2,
            "pbkdf2": hashing - verifying,
        }


def _p95(samples: list[float]) -> float:
    return sorted(samples)[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


def seeded_apps(home: str) -> tuple:
    """Both apps on fresh databases in `home`."""
    okta_db, sonar_db = f"{home}/okta.sqlite3", f"{home}/sonar.sqlite3"
    return (
        mock_okta.create_app({"DATABASE": okta_db}),
        mock_sonar.create_app({"DATABASE": sonar_db}),
        okta_db,
        sonar_db,
    )


def seed(okta_db: str, sonar_db: str, variables: dict) -> None:
    fixture = json.loads((ROOT / "fixtures" / "default.json").read_text())
    for module, path in ((okta_fixtures, okta_db), (sonar_fixtures, sonar_db)):
        db = connect(path)
        module.seed(db, clock.now(db), fixture, variables)
        db.conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="10 rounds")
    args = parser.parse_args()
    rounds = 10 if args.quick else args.rounds
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as home:
        okta_app, sonar_app, okta_db, sonar_db = seeded_apps(home)
        with live_server(sonar_app) as sonar_url, live_server(okta_app) as okta_url:
            okta_app.config["BASE_URL"], sonar_app.config["BASE_URL"] = okta_url, sonar_url
            seed(
                okta_db,
                sonar_db,
                {"SONAR_URL": sonar_url, "OKTA_URL": okta_url, "DEVENV_KEYS": home},
            )
            sign_in(sonar_url)  # warm-up: the first JIT registration, imports, caches
            operations, cryptography = Operations(), Cryptography(okta_db, home)
            timings, crypto = [], []
            for _ in range(rounds):
                passwords.check_password.cache_clear()
                with operations:
                    timings.append(sign_in(sonar_url))
                xml = base64.b64decode(sign_in.last_response).decode()
                crypto.append(cryptography.time_once(xml))
    report(timings, operations.counts, crypto, rounds)


def report(timings: list[dict], counts: Counter, crypto: list[dict], rounds: int) -> None:
    per_signin = {kind: counts[kind] / rounds for kind in counts}
    unmeasured = sorted(kind for kind in counts if kind not in crypto[0])
    costs = [sum(n * sample.get(kind, 0) for kind, n in per_signin.items()) for sample in crypto]
    totals = [t["total"] for t in timings]
    median, crypto_median = statistics.median(totals), statistics.median(costs)
    line = {
        "figure": "saml_signin_ms",
        "rounds": rounds,
        "median": _ms(median),
        "p95": _ms(_p95(totals)),
        "crypto_ms": _ms(crypto_median),
        "ratio": round(median / crypto_median, 2),
    }
    if unmeasured:
        line["unmeasured_operations"] = unmeasured
    print(json.dumps(line))
    for stage in ("init", "signin", "acs"):
        samples = [t[stage] for t in timings]
        figure = f"saml_signin_{stage}_ms"
        print(json.dumps({"figure": figure, "median": _ms(statistics.median(samples))}))
    for kind in sorted(per_signin):
        figure = {"figure": "saml_crypto_operation_ms", "operation": kind}
        figure["per_signin"] = round(per_signin[kind], 2)
        if kind not in unmeasured:
            figure["median"] = _ms(statistics.median(sample[kind] for sample in crypto))
        print(json.dumps(figure))


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


if __name__ == "__main__":
    main()
