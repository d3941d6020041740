"""Headless Debian chromium driven by Playwright against both apps live on loopback.

`./devenv.sh test` installs chromium where it can (root + apt-get); Playwright never downloads
a browser. Without chromium these tests skip, and say why, instead of failing.
"""

import os
import re
from pathlib import Path

import pytest

from tests.browser.screens import Screens
from tests.e2e.world import FIXTURE, live_world

CHROMIUM = os.environ.get("DEVENV_CHROMIUM", "/usr/bin/chromium")
#: Screenshots of every step land here, one folder per test (git-ignored).
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"
#: As the machine's own headless checks start chromium: no background traffic, no sandbox
#: (tests run as root in CI), a fresh profile per launch (Playwright's default).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def browser():
    """One chromium for the browser tests (each test gets its own context: cookies start
    empty). Closed when they are done: Playwright's sync API keeps an event loop running,
    which would stop the later tests' own asyncio.run() (the okta SDK's)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"BROWSER TESTS SKIPPED: no chromium at {CHROMIUM}. Install Debian's chromium "
            "(sudo apt-get install -y chromium) or set DEVENV_CHROMIUM."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, request):
    """A fresh browser context and page; fails fast instead of waiting 30 s for a selector."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(8000)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def screens(page, request) -> Screens:
    """Screenshots under the test's output folder."""
    return Screens(page, OUTPUT / re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name))


@pytest.fixture
def world(tmp_path, devenv_keys):
    """Okta and SonarQube from the default fixture, live, for the browser to click through."""
    with live_world(tmp_path, devenv_keys, FIXTURE) as state:
        yield state
