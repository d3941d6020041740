"""Benchmark: what a test suite pays per test to start from a fixture again, and to build the apps.

Run: .venv/bin/python bench/reset.py [--resets 30] [--quick]
Prints one JSON line per figure: `POST /_mock/reset` on each app over HTTP (median, p95; goal
<= 30 ms), the same reset in-process, a new `/_mock/seed` of the default fixture for comparison,
and both apps built in-process (goal <= 500 ms, imports already done).
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mock_okta  # noqa: E402
import mock_sonar  # noqa: E402
from mock_common import clock, state  # noqa: E402
from mock_common.db import connect  # noqa: E402
from mock_okta import fixtures as okta_fixtures  # noqa: E402
from mock_sonar import fixtures as sonar_fixtures  # noqa: E402
from okta_sonar_devenv.environment import start_devenv  # noqa: E402


def timings_ms(call: Callable[[], object], times: int) -> list[float]:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def figure(name: str, samples: list[float], **extra: object) -> None:
    ordered = sorted(samples)
    print(
        json.dumps(
            {
                "figure": name,
                "median_ms": round(statistics.median(ordered), 2),
                "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
                "n": len(ordered),
                **extra,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resets", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="10 resets")
    args = parser.parse_args()
    times = 10 if args.quick else args.resets
    # The products' own PBKDF2 rounds: what `./devenv.sh up` runs with.
    with start_devenv("default", fast_passwords=False) as devenv:
        for app, session, url in (
            ("okta", devenv.okta, devenv.okta_url),
            ("sonar", devenv.sonar, devenv.sonar_url),
        ):

            def reset(session=session, url=url) -> None:
                session.post(f"{url}/_mock/reset", json={}).raise_for_status()

            reset()  # the first reset after a seed may have to seed again
            figure(f"reset_http_{app}", timings_ms(reset, times), goal_ms=30)
        figure("seed_http_both", timings_ms(lambda: devenv.seed("default"), max(3, times // 5)))

    with tempfile.TemporaryDirectory() as home:
        for app, module, fixtures in (
            ("okta", mock_okta, okta_fixtures),
            ("sonar", mock_sonar, sonar_fixtures),
        ):
            module.create_app({"DATABASE": f"{home}/{app}.sqlite3"})
            db = connect(f"{home}/{app}.sqlite3")
            fixture = json.loads((ROOT / "fixtures" / "default.json").read_text())
            variables = {
                "SONAR_URL": "http://localhost:9000",
                "OKTA_URL": "http://localhost:8080",
                "DEVENV_KEYS": home,
            }
            state.reseed(db, clock.now(db), fixtures.seed, fixture, variables)
            figure(
                f"reset_in_process_{app}",
                timings_ms(lambda db=db, f=fixtures: f.reset(db, clock.now(db)), times),
            )
            db.conn.close()

        counter = iter(range(10_000))

        def build_both() -> None:
            n = next(counter)
            mock_okta.create_app({"DATABASE": f"{home}/o{n}.sqlite3", "TESTING": True})
            mock_sonar.create_app({"DATABASE": f"{home}/s{n}.sqlite3", "TESTING": True})

        figure(
            "create_app_both_in_process", timings_ms(build_both, max(3, times // 3)), goal_ms=500
        )


if __name__ == "__main__":
    main()
