"""`mock-okta scim-check` against mock_sonar, scim2-server and a deliberately broken server."""

import xml.etree.ElementTree as ET

import pytest
import requests
from click.testing import CliRunner

from mock_okta.cli import cli
from mock_okta.scim_check.check import STEPS, CheckReport, run_check
from mock_okta.scim_check.judging import Outcome
from mock_okta.scim_check.report import junit_xml, text_report
from okta_sonar_devenv.live import live_server
from tests.conftest import ADMIN
from tests.contract.scim_servers import scim_server
from tests.contract.test_push_against_scim2_server import scim2_server

pytestmark = pytest.mark.contract
DIALECTS = ["custom", "oin"]
ALL_STEPS = [name for name, _ in STEPS]


def failed(report: CheckReport) -> list[str]:
    return [r.name for r in report.results if r.outcome == Outcome.FAIL]


def not_passed(report: CheckReport) -> dict[str, str]:
    return {r.name: r.outcome.value for r in report.results if r.outcome != Outcome.PASS}


@pytest.fixture
def sonar_scim(sonar_app):
    """mock_sonar live, SCIM enabled, and an admin token for Okta's connection."""
    client = sonar_app.test_client()
    assert client.post("/api/scim_management/enable", headers=ADMIN).status_code == 204
    token = client.post("/api/user_tokens/generate", data={"name": "okta"}, headers=ADMIN)
    with live_server(sonar_app) as url:
        yield f"{url}/api/scim/v2", token.get_json()["token"]


@pytest.mark.parametrize("dialect", DIALECTS)
def test_passes_against_mock_sonar(sonar_scim, dialect):
    url, token = sonar_scim
    report = run_check(url, token, dialect)
    assert not_passed(report) == {}, text_report(report)
    assert report.leftovers == []


@pytest.mark.parametrize("dialect", DIALECTS)
def test_passes_against_scim2_server_and_leaves_it_empty(dialect):
    with scim2_server() as url:
        report = run_check(url, "not-checked", dialect)
        assert not_passed(report) == {}, text_report(report)
        assert requests.get(f"{url}/Users", timeout=10).json()["totalResults"] == 0
        assert requests.get(f"{url}/Groups", timeout=10).json()["totalResults"] == 0


#: Each defect fails these steps and no other; the steps that need what a failed step should
#: have left (a user Okta could not link, or linked to another user) are skipped.
DEFECT_FAILURES = {
    "create_200": (["create user", "push group by name"], []),
    "create_without_id": (
        ["create user"],
        [
            "read back created user",
            "link existing user",  # the checker's own create of the existing user has no id
            "userName lookup ignores case",
            "profile update",
            "deactivate user",
            "reactivate user",
            "add group member",
            "remove group member",
        ],
    ),
    # Okta's lookups return every user: it links the wrong one, and the lookup fails the
    # steps that rest on it; the linked user's later step is skipped.
    "filter_ignored": (
        ["link existing user", "userName lookup ignores case", "reactivate user"],
        ["add group member"],
    ),
    "case_sensitive_filter": (["userName lookup ignores case"], []),
}


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("defect", sorted(DEFECT_FAILURES))
def test_a_broken_server_fails_exactly_the_right_steps(defect, dialect):
    failing, skipped = DEFECT_FAILURES[defect]
    with live_server(scim_server(defect)) as url:
        report = run_check(url, "t", dialect)
        assert failed(report) == failing, text_report(report)
        assert sorted(n for n, o in not_passed(report).items() if o == "SKIP") == sorted(skipped)
        assert not report.passed
        assert requests.get(f"{url}/Users", timeout=10).json()["totalResults"] == 0


def test_a_failure_says_what_was_expected_and_what_came():
    with live_server(scim_server("create_200")) as url:
        report = run_check(url, "t", "custom")
    text = text_report(report)
    assert "FAIL  create user" in text
    assert "expected: 201 (RFC 7644 §3.3)" in text
    assert "got:      200" in text
    assert "decided by Okta: POST /Users → 200" in text
    assert text.splitlines()[-2:] == [
        "15 passed, 2 failed",
        text.splitlines()[-1],
    ]
    assert text.splitlines()[-1].startswith("clean-up: DELETE /Users/")


def test_okta_and_the_checker_send_okta_headers_and_the_connector_probe_first():
    with live_server(scim_server()) as url:
        report = run_check(url, "s3cret", "oin")
    first = report.results[0]
    assert first.deciding["url"] == f"{url}/Users?startIndex=1&count=2"
    for result in report.results:
        for exchange in result.exchanges:
            assert exchange["requestHeaders"]["Authorization"] == "Bearer ***"
            assert exchange["requestHeaders"]["User-Agent"].startswith("Okta")
    by = {e["by"] for r in report.results for e in r.exchanges}
    assert by == {"Okta", "checker"}


def test_junit_names_every_step_and_the_failed_ones():
    with live_server(scim_server("case_sensitive_filter")) as url:
        report = run_check(url, "t", "custom")
    suite = ET.fromstring(junit_xml(report))
    assert suite.tag == "testsuite"
    assert [case.get("name") for case in suite.iter("testcase")] == ALL_STEPS
    failures = [
        case.get("name") for case in suite.iter("testcase") if case.find("failure") is not None
    ]
    assert failures == ["userName lookup ignores case"]
    assert suite.get("failures") == "1"


def test_the_command_reports_writes_junit_and_exits_non_zero(tmp_path):
    junit = tmp_path / "scim-check.xml"
    with live_server(scim_server("filter_ignored")) as url:
        result = CliRunner().invoke(
            cli, ["scim-check", url, "--token", "t", "--dialect", "oin", "--junit", str(junit)]
        )
    assert result.exit_code == 1, result.output
    assert "dialect: OIN (PATCH)" in result.output
    assert "13 passed, 3 failed, 1 skipped" in result.output
    assert ET.parse(junit).getroot().get("failures") == "3"


def test_the_command_exits_zero_when_every_step_passes():
    with live_server(scim_server()) as url:
        result = CliRunner().invoke(cli, ["scim-check", url, "--token", "t"])
    assert result.exit_code == 0, result.output
    assert "17 passed, 0 failed" in result.output


def test_what_could_not_be_removed_is_reported_and_fails_no_step():
    with live_server(scim_server("users_not_deletable")) as url:
        report = run_check(url, "t", "custom")
    assert report.passed
    assert len(report.leftovers) == 2
    assert all(" → 403, then GET /Users/" in line for line in report.leftovers)
    assert "could not remove: DELETE /Users/" in text_report(report)


def test_an_unreachable_server_fails_the_connector_test_and_skips_the_rest():
    report = run_check("http://127.0.0.1:9/scim/v2", "t", "custom")  # nothing listens on 9
    assert failed(report) == ["connector test"]
    assert report.count(Outcome.SKIP) == len(STEPS) - 1
    assert "Connection refused" in report.results[0].got
    assert "Okta: GET /Users?startIndex=1&count=2 → no answer" in text_report(report)
