"""The pytest plugin as another project uses it: a test file of its own, only our fixtures, run
by pytest's own `pytester` in a fresh directory (no conftest of ours)."""

import json
import os
from pathlib import Path

from okta_sonar_devenv import connect_devenv, start_devenv
from okta_sonar_devenv.environment import FIXTURES

USERS_TEST = """
import pytest
from okta_sonar_devenv import SONARQUBE_APP


@pytest.mark.devenv_fixture("provisioned")
def test_an_assigned_user_is_provisioned_and_signs_in(devenv, devenv_okta, devenv_sonar):
    okta = devenv.okta_url
    profile = {"login": "zoe@example.com", "email": "zoe@example.com",
               "firstName": "Zoë", "lastName": "Lane"}
    user = devenv_okta.post(f"{okta}/api/v1/users", json={
        "profile": profile, "credentials": {"password": {"value": "Passw0rd!"}}}).json()
    devenv_okta.post(f"{okta}/api/v1/apps/{SONARQUBE_APP}/users",
                     json={"id": user["id"], "scope": "USER"}).raise_for_status()
    devenv.wait_for_provisioning()
    (post,) = [r for r in devenv.scim_requests(method="POST", path="/Users")
               if r["requestBody"]["userName"] == "zoe@example.com"]
    assert post["status"] == 201
    assert post["requestBody"]["name"]["givenName"] == "Zoë"
    browser = devenv.sign_in_to_sonarqube("zoe@example.com")
    assert browser.get(f"{devenv.sonar_url}/api/users/current").json()["name"] == "Zoë Lane"


def test_the_next_test_starts_from_the_fixture_again(devenv, devenv_sonar):
    found = devenv_sonar.get(f"{devenv.sonar_url}/api/users/search", params={"q": "zoe"})
    assert found.json()["users"] == []
    assert devenv.scim_requests() == []
"""


def test_a_project_s_own_test_file_runs_with_the_fixtures_alone(pytester):
    pytester.makepyfile(test_users=USERS_TEST)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_a_failing_expectation_reads_as_one(pytester):
    pytester.makepyfile(
        test_refused="""
        def test_a_wrong_password(devenv):
            devenv.sign_in_to_sonarqube("alice.martin@example.com", password="wrong")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*DevenvError: Okta did not sign alice.martin@example.com in to SonarQube: "
         "401 Unable to sign in*"]
    )  # fmt: skip


def test_a_project_fixture_extends_a_shipped_one_by_name(pytester):
    pytester.path.joinpath("world.json").write_text(
        json.dumps(
            {
                "extends": "default.json",
                "okta": {
                    "users": [
                        {
                            "id": "00uniapark0000000099",
                            "profile": {
                                "login": "nia@example.com",
                                "email": "nia@example.com",
                                "firstName": "Nia",
                                "lastName": "Park",
                            },
                            "password": "Passw0rd!",
                        }
                    ]
                },
            }
        )
    )
    pytester.makepyfile(
        test_world="""
        import pytest

        @pytest.mark.devenv_fixture("world.json")
        def test_the_project_s_user_is_there(devenv, devenv_okta):
            found = devenv_okta.get(f"{devenv.okta_url}/api/v1/users/nia@example.com")
            assert found.json()["profile"]["lastName"] == "Park"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_fixtures_can_drive_apps_that_already_run(pytester):
    with start_devenv() as running:
        pytester.makepyfile(
            test_running="""
            def test_the_running_org(devenv, devenv_okta):
                me = devenv_okta.get(f"{devenv.okta_url}/api/v1/users/me").json()
                assert me["profile"]["login"] == "admin@example.com"
            """
        )
        result = pytester.runpytest(
            "-p",
            "no:cacheprovider",
            f"--devenv-okta-url={running.okta_url}",
            f"--devenv-sonar-url={running.sonar_url}",
        )
    result.assert_outcomes(passed=1)


def test_half_a_pair_of_urls_is_a_usage_error(pytester):
    pytester.makepyfile(test_x="def test_x(devenv):\n    pass\n")
    result = pytester.runpytest("-p", "no:cacheprovider", "--devenv-okta-url=http://x")
    assert "--devenv-okta-url and --devenv-sonar-url go together" in str(result.outlines)


def test_the_python_api_starts_and_connects(tmp_path):
    with start_devenv("provisioned", home=tmp_path) as devenv:
        devenv.wait_for_provisioning()
        assert devenv.tasks() == []
        assert {e["method"] for e in devenv.scim_requests()} >= {"GET", "POST", "PUT"}
        events = devenv.system_log("application.provision.user.push")
        assert events
        with connect_devenv(devenv.okta_url, devenv.sonar_url, fixture="default") as again:
            assert again.scim_requests() == []
    assert (tmp_path / "okta.sqlite3").exists()
    assert os.listdir(FIXTURES)


def readme_example(name: str) -> str:
    """The code block after `<!-- example: NAME -->` in the README."""
    text = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    after = text.split(f"<!-- example: {name} -->", 1)[1]
    return after.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readme_s_pytest_example_passes(pytester):
    pytester.makepyfile(test_example=readme_example("pytest"))
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_readme_s_python_example_prints_what_it_says(pytester):
    script = pytester.makepyfile(example=readme_example("python"))
    result = pytester.runpython(script)
    result.stdout.fnmatch_lines(["['sonar-admins', 'sonar-developers', 'sonar-qa']"])
