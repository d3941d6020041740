"""FIDELITY.md stays in step with the routes the apps serve."""

import re
from pathlib import Path

import pytest

import mock_okta
import mock_sonar

FIDELITY = Path(__file__).resolve().parents[1] / "FIDELITY.md"
ROW = re.compile(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/\S*)` \| (done|planned) \|", re.M)
SECTIONS = {"mock_sonar": mock_sonar, "mock_okta": mock_okta}


def listed(section: str) -> dict[tuple[str, str], str]:
    """The endpoint rows of one app's section of FIDELITY.md."""
    text = FIDELITY.read_text()
    start = text.index(f"## {section}")
    end = text.find("\n## ", start + 1)
    end = len(text) if end == -1 else end
    return {(m, p): status for m, p, status in ROW.findall(text[start:end])}


def served(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        methods = set(rule.methods) - {"HEAD", "OPTIONS"}
        # SonarQube's read actions of the v1 API also accept POST; FIDELITY lists them as GET.
        if (
            {"GET", "POST"} <= methods
            and path.startswith("/api/")
            and "/v2/" not in path
            and "/api/v1/" not in path
        ):
            methods.discard("POST")
        routes |= {(method, path) for method in methods}
    return routes


@pytest.mark.parametrize("section", SECTIONS)
def test_every_route_is_listed(tmp_path, section):
    app = SECTIONS[section].create_app({"DATABASE": str(tmp_path / f"{section}.sqlite3")})
    assert served(app) - set(listed(section)) == set()


@pytest.mark.parametrize("section", SECTIONS)
def test_every_done_row_is_served(tmp_path, section):
    app = SECTIONS[section].create_app({"DATABASE": str(tmp_path / f"{section}.sqlite3")})
    done = {route for route, status in listed(section).items() if status == "done"}
    assert done - served(app) == set()
