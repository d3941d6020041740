"""Both simulators as one environment for other people's tests and scripts.

`start_devenv()` runs mock_okta and mock_sonar in this process, each on a free loopback port in
a thread, wired to each other (SAML trust and SCIM URL come from the fixture), with Okta's
provisioning worker running. `connect_devenv()` drives apps that already run (`./devenv.sh up`).
Either way a `Devenv` is what the caller gets: the URLs, authenticated API sessions, and the
helpers a test needs, all over HTTP so that both kinds behave the same.

    with start_devenv("provisioned") as devenv:
        devenv.okta.post(f"{devenv.okta_url}/api/v1/apps/{SONARQUBE_APP}/users", json=...)
        devenv.wait_for_provisioning()
        browser = devenv.sign_in_to_sonarqube("alice.martin@example.com")
"""

import html
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import unquote_plus, urlsplit

import requests

from mock_common.fixture_files import load_fixture
from mock_okta.config import DEFAULT_API_TOKEN as API_TOKEN
from okta_sonar_devenv.browserless import Browser
from okta_sonar_devenv.live import live_server

#: The fixture files shipped with the project (`fixtures/` of the checkout).
FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: The SonarQube SAML app of both fixtures, the one Okta provisions.
SONARQUBE_APP = "0oasonarqubedevenv01"
#: The fixtures' credentials (SPEC §2): SonarQube's admin, every fixture user's password.
SONAR_ADMIN = ("admin", "admin")
PASSWORD = "Passw0rd!"


class DevenvError(AssertionError):
    """Something a test asked of the environment did not happen; the message says what.

    An AssertionError, so pytest shows it as a failed expectation, not as a crash."""


def fixture_path(fixture: str | Path) -> Path:
    """Any fixture file's path, or a shipped fixture by name (`default`, `provisioned`)."""
    path = Path(fixture)
    if path.is_file():
        return path
    shipped = FIXTURES / (path.name if path.suffix == ".json" else f"{path.name}.json")
    if shipped.is_file():
        return shipped
    names = ", ".join(sorted(p.stem for p in FIXTURES.glob("*.json")))
    raise DevenvError(f"No fixture {str(fixture)!r}: give a file's path or one of {names}")


class Devenv:
    """Both apps as a test sees them: URLs, authenticated sessions and helpers."""

    def __init__(
        self,
        okta_url: str,
        sonar_url: str,
        *,
        api_token: str = API_TOKEN,
        sonar_admin: tuple[str, str] = SONAR_ADMIN,
    ):
        self.okta_url, self.sonar_url = okta_url.rstrip("/"), sonar_url.rstrip("/")
        #: Okta's Management API (and console actions) with the SSWS token.
        self.okta = requests.Session()
        self.okta.headers["Authorization"] = f"SSWS {api_token}"
        #: SonarQube's Web API as its administrator.
        self.sonar = requests.Session()
        self.sonar.auth = sonar_admin
        self.api_token = api_token
        self.fixture: Path | None = None

    def close(self) -> None:
        self.okta.close()
        self.sonar.close()

    # -- state ---------------------------------------------------------------------------

    def reset(self, fixture: str | Path | None = None) -> None:
        """Both apps back to the fixture they hold, or to `fixture` (a shipped name or a file,
        its `extends` resolved). SonarQube goes first: Okta's worker may push at once."""
        if fixture is None:
            self._control("POST", self.sonar, self.sonar_url, "/_mock/reset")
            self._control("POST", self.okta, self.okta_url, "/_mock/reset")
            return
        self.seed(fixture, order=("sonar", "okta"))

    def seed(self, fixture: str | Path, *, order: tuple[str, str] = ("sonar", "okta")) -> None:
        """Load a fixture into both apps (`/_mock/seed`), in `order`."""
        path = fixture_path(fixture)
        document = load_fixture(path, shipped=FIXTURES)
        targets = {
            "okta": (self.okta, self.okta_url, {"SONAR_URL": self.sonar_url}),
            "sonar": (self.sonar, self.sonar_url, {"OKTA_URL": self.okta_url}),
        }
        for name in order:
            session, url, variables = targets[name]
            body = {"fixture": document, "variables": variables}
            self._control("POST", session, url, "/_mock/seed", json=body)
        self.fixture = path

    def advance_clock(self, seconds: float) -> None:
        """Move both apps' clocks forward (tokens expire, tasks come due, dates move)."""
        for session, url in ((self.okta, self.okta_url), (self.sonar, self.sonar_url)):
            self._control("POST", session, url, "/_mock/clock", json={"advanceSeconds": seconds})

    def freeze_clock(self, moment: str) -> None:
        """Stop both apps' clocks at an ISO 8601 moment."""
        for session, url in ((self.okta, self.okta_url), (self.sonar, self.sonar_url)):
            self._control("POST", session, url, "/_mock/clock", json={"freeze": moment})

    # -- provisioning ----------------------------------------------------------------------

    def wait_for_provisioning(self, timeout: float = 30) -> None:
        """Until Okta has nothing left to push (failed pushes end as tasks and do not count)."""
        response = self.okta.post(
            f"{self.okta_url}/_mock/provisioning/wait",
            json={"timeoutSeconds": timeout},
            timeout=timeout + 10,
        )
        if response.status_code != 200:
            raise DevenvError(f"Okta's provisioning was still busy after {timeout} s")

    def tasks(self) -> list[dict]:
        """Dashboard > Tasks: the pushes that failed."""
        return self._control("GET", self.okta, self.okta_url, "/_mock/tasks").json()

    def scim_requests(
        self, *, method: str | None = None, path: str | None = None, app_id: str = SONARQUBE_APP
    ) -> list[dict]:
        """The SCIM requests Okta sent for the app (the last 1,000), oldest first, each with
        its answer: {method, url, requestHeaders, requestBody, status, responseBody, ...}.
        `path` keeps those whose URL path (below the SCIM base) ends with it: "/Users"."""
        response = self._control(
            "GET", self.okta, self.okta_url, f"/_mock/apps/{app_id}/scim-requests?limit=1000"
        )
        exchanges = response.json()
        if method:
            exchanges = [e for e in exchanges if e["method"] == method.upper()]
        if path:
            exchanges = [e for e in exchanges if urlsplit(e["url"]).path.endswith(path)]
        return exchanges

    def system_log(self, event_type: str | None = None) -> list[dict]:
        """Okta's System Log, oldest first, optionally one event type."""
        params = {"limit": "1000"}
        if event_type:
            params["filter"] = f'eventType eq "{event_type}"'
        response = self.okta.get(f"{self.okta_url}/api/v1/logs", params=params, timeout=30)
        response.raise_for_status()
        return response.json()

    def fail_next_scim_requests(self, count: int = 1, **fault: object) -> dict:
        """SonarQube answers its next `count` SCIM requests with a fault: `status=503`,
        `delaySeconds=2`, `body="..."`, `method="POST"`, `path="/Users"` (`/_mock/faults`)."""
        spec = {**fault, "count": count}
        if not {"status", "delaySeconds", "body"} & set(fault):
            spec["status"] = 503
        return self._control("POST", self.sonar, self.sonar_url, "/_mock/faults", json=spec).json()

    # -- people ----------------------------------------------------------------------------

    def sign_in_to_sonarqube(
        self, login: str, password: str = PASSWORD, *, return_to: str = "/"
    ) -> requests.Session:
        """Log in with SAML from SonarQube's login page, signing in at Okta as `login`; the
        browser's session, signed in to both (Web API calls carry SonarQube's XSRF token)."""
        browser = Browser()
        page = browser.get(f"{self.sonar_url}/sessions/init/saml", params={"return_to": return_to})
        if "appForm" not in page.text:
            if "/login/login.htm" not in page.url:
                raise DevenvError(f"SonarQube's SAML login did not reach Okta: {page.url}")
            page = browser.submit(page, username=login, password=password)
        if "appForm" not in page.text:
            raise DevenvError(f"Okta did not sign {login} in to SonarQube: {_page_message(page)}")
        browser.submit(page, "appForm")
        if browser.cookie("JWT-SESSION") is None:
            reason = browser.cookie("AUTHENTICATION-ERROR") or "no session"
            raise DevenvError(f"SonarQube refused {login}: {unquote_plus(reason)}")
        browser.http.headers["X-XSRF-TOKEN"] = browser.cookie("XSRF-TOKEN") or ""
        return browser.http

    def okta_sdk(self):
        """The official `okta` SDK's client for this org (the SDK must be installed)."""
        from okta.client import Client

        return Client(
            {
                "orgUrl": self.okta_url,
                "token": self.api_token,
                "testing": {"disableHttpsCheck": True},
            }
        )

    # -- plumbing ------------------------------------------------------------------------

    @staticmethod
    def _control(method: str, session, base: str, path: str, **kwargs) -> requests.Response:
        response = session.request(method, f"{base}{path}", timeout=60, **kwargs)
        if response.status_code >= 400:
            raise DevenvError(f"{method} {base}{path}: {response.status_code} {response.text}")
        return response


#: Where Okta's and SonarQube's pages say what went wrong, most specific first.
_PAGE_MESSAGES = (
    re.compile(r'role="alert".*?<p>(.*?)</p>', re.S),
    re.compile(r'class="error-title">(.*?)<', re.S),
    re.compile(r"<title>(.*?)</title>", re.S),
)


def _page_message(page: requests.Response) -> str:
    """The page's status and its error message (or title)."""
    for pattern in _PAGE_MESSAGES:
        found = pattern.search(page.text)
        if found:
            return f"{page.status_code} {html.unescape(found.group(1).strip())}"
    return f"{page.status_code} {page.url}"


@contextmanager
def start_devenv(
    fixture: str | Path = "default", *, home: str | Path | None = None, fast_passwords: bool = True
) -> Iterator[Devenv]:
    """Both apps in this process on free loopback ports, seeded from `fixture`; stopped on exit.

    `home` keeps the databases and key files (a temporary folder, removed on exit, by default).
    `fast_passwords` hashes passwords with 1,000 PBKDF2 rounds instead of the products' 100,000,
    so that seeding and resets stay fast; it changes nothing a client can see but the time.
    """
    import mock_okta
    import mock_sonar
    from mock_okta.provisioning.worker import start_worker

    if fast_passwords:
        os.environ.setdefault("MOCK_OKTA_PBKDF2_ROUNDS", "1000")
        os.environ.setdefault("MOCK_SONAR_PBKDF2_ROUNDS", "1000")
    with ExitStack() as stack:
        folder = Path(home) if home else Path(tempfile.mkdtemp(prefix="devenv-"))
        if home is None:
            stack.callback(shutil.rmtree, folder, ignore_errors=True)
        keys = folder / "keys"
        keys.mkdir(parents=True, exist_ok=True)
        okta_app = mock_okta.create_app(
            {"DATABASE": str(folder / "okta.sqlite3"), "KEYS_DIR": str(keys)}
        )
        sonar_app = mock_sonar.create_app(
            {"DATABASE": str(folder / "sonar.sqlite3"), "KEYS_DIR": str(keys)}
        )
        sonar_url = stack.enter_context(live_server(sonar_app))
        okta_url = stack.enter_context(live_server(okta_app))
        okta_app.config["BASE_URL"], sonar_app.config["BASE_URL"] = okta_url, sonar_url
        devenv = Devenv(okta_url, sonar_url)
        stack.callback(devenv.close)
        # Okta first: its seed makes the IdP key SonarQube's seed trusts; its pushes wait in
        # the outbox until the worker starts, once SonarQube is seeded too.
        devenv.seed(fixture, order=("okta", "sonar"))
        worker = start_worker(okta_app)
        stack.callback(worker.stop)
        yield devenv


@contextmanager
def connect_devenv(
    okta_url: str,
    sonar_url: str,
    *,
    api_token: str = API_TOKEN,
    sonar_admin: tuple[str, str] = SONAR_ADMIN,
    fixture: str | Path | None = None,
) -> Iterator[Devenv]:
    """Apps that already run (e.g. `./devenv.sh up`), reset to `fixture` first if given."""
    devenv = Devenv(okta_url, sonar_url, api_token=api_token, sonar_admin=sonar_admin)
    try:
        if fixture is not None:
            devenv.reset(fixture)
        yield devenv
    finally:
        devenv.close()
