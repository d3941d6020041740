"""pytest plugin (entry point `pytest11`): Okta and SonarQube for end-to-end tests.

Installing the project makes these fixtures available, with no import and no conftest:

- `devenv`: both apps, started once per session in threads on free loopback ports (or the
  running apps named by `--devenv-okta-url`/`--devenv-sonar-url`) and reset before each test
  to the chosen fixture; a `okta_sonar_devenv.Devenv` with the helpers (wait for provisioning,
  SCIM requests, System Log, SonarQube sign-in through Okta, clock, faults).
- `devenv_okta` / `devenv_sonar`: `requests` sessions for Okta's Management API (SSWS) and
  SonarQube's Web API (admin).
- `devenv_okta_sdk`: the official `okta` SDK's client for the org (skipped without the SDK).

The starting fixture: `--devenv-fixture` (default `default`), or per test or module with
`@pytest.mark.devenv_fixture("provisioned")` (a shipped name or a fixture file's path).
"""

from collections.abc import Iterator

import pytest
import requests

from okta_sonar_devenv.environment import Devenv, connect_devenv, fixture_path, start_devenv


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("okta-sonar-devenv", "Okta and SonarQube simulators")
    group.addoption(
        "--devenv-fixture",
        default="default",
        help="fixture the `devenv` fixture starts each test from: default, provisioned, or a "
        "fixture file's path (default: default)",
    )
    group.addoption(
        "--devenv-okta-url",
        default=None,
        help="use the mock_okta running at this URL (with --devenv-sonar-url) instead of "
        "starting both apps in threads, e.g. the ones `./devenv.sh up` runs",
    )
    group.addoption("--devenv-sonar-url", default=None, help="the running mock_sonar's URL")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "devenv_fixture(name_or_path): the fixture the `devenv` fixture resets both apps to",
    )


@pytest.fixture(scope="session")
def devenv_session(pytestconfig: pytest.Config) -> Iterator[Devenv]:
    """Both apps for the whole session (reset per test by `devenv`)."""
    okta_url = pytestconfig.getoption("--devenv-okta-url")
    sonar_url = pytestconfig.getoption("--devenv-sonar-url")
    fixture = pytestconfig.getoption("--devenv-fixture")
    if bool(okta_url) != bool(sonar_url):
        raise pytest.UsageError("--devenv-okta-url and --devenv-sonar-url go together")
    if okta_url:
        with connect_devenv(okta_url, sonar_url, fixture=fixture) as devenv:
            yield devenv
    else:
        with start_devenv(fixture) as devenv:
            yield devenv


@pytest.fixture
def devenv(devenv_session: Devenv, request: pytest.FixtureRequest) -> Devenv:
    """Both apps, back at the test's fixture: the marker's, else `--devenv-fixture`."""
    marker = request.node.get_closest_marker("devenv_fixture")
    wanted = marker.args[0] if marker else request.config.getoption("--devenv-fixture")
    path = fixture_path(wanted)
    # The same fixture: a reset to what the apps hold is cheaper than loading it again.
    devenv_session.reset(None if path == devenv_session.fixture else path)
    return devenv_session


@pytest.fixture
def devenv_okta(devenv: Devenv) -> requests.Session:
    """Okta's Management API and console actions, authenticated with the SSWS token."""
    return devenv.okta


@pytest.fixture
def devenv_sonar(devenv: Devenv) -> requests.Session:
    """SonarQube's Web API as its administrator."""
    return devenv.sonar


@pytest.fixture
def devenv_okta_sdk(devenv: Devenv):
    """The official `okta` SDK's client for the org."""
    pytest.importorskip("okta", reason="the okta SDK is not installed")
    return devenv.okta_sdk()
