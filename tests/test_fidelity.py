"""FIDELITY.md stays in step with the routes the apps serve."""

import re
from pathlib import Path

from mock_sonar import create_app

FIDELITY = Path(__file__).resolve().parents[1] / "FIDELITY.md"
ROW = re.compile(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/\S*)` \| (done|planned) \|", re.M)


def listed() -> dict[tuple[str, str], str]:
    return {(m, p): status for m, p, status in ROW.findall(FIDELITY.read_text())}


def served(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        methods = set(rule.methods) - {"HEAD", "OPTIONS"}
        # Read actions of the v1 API also accept POST; FIDELITY lists them as GET.
        if {"GET", "POST"} <= methods and path.startswith("/api/") and "/v2/" not in path:
            methods.discard("POST")
        routes |= {(method, path) for method in methods}
    return routes


def test_every_sonar_route_is_listed(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "s.sqlite3")})
    missing = served(app) - set(listed())
    assert missing == set()


def test_every_done_row_is_served(tmp_path):
    app = create_app({"DATABASE": str(tmp_path / "s.sqlite3")})
    done = {route for route, status in listed().items() if status == "done"}
    assert done - served(app) == set()
