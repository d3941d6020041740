"""Headless Debian chromium driven by Playwright against both apps live on loopback.

`./devenv.sh test` installs chromium where it can (root + apt-get); Playwright never downloads
a browser. Without chromium these tests skip, and say why, instead of failing.
"""

import os
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import World, world  # noqa: F401  (the `world` fixture, re-exported)

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


class Screens:
    """Numbered screenshots of a test's steps: test-output/browser/<test>/NN-<step>.png."""

    def __init__(self, page, folder: Path):
        self.page, self.folder, self.count = page, folder, 0
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()

    def shot(self, step: str) -> Path:
        self.count += 1
        name = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        path = self.folder / f"{self.count:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


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
