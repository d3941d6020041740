"""Every page of both UIs, as a signed-in administrator sees it once provisioning is set up:
each answers 200, writes no error to the browser console, draws every icon (an SVG with a size,
never a glyph the fonts lack) and fits the window's width. A screenshot of each is kept."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect

from mock_common.db import atomic, connect
from mock_okta.applications.assignments import assign_user_to_application
from mock_okta.directory.users import create_user as create_okta_user
from mock_sonar.scim.models import ScimUser
from mock_sonar.scim.service import ScimOptions
from mock_sonar.scim.service import create_user as create_scim_user
from tests.browser import okta_console as okta
from tests.browser import sonar_ui
from tests.e2e.world import SONARQUBE_APP
from tests.okta.console_helpers import APP_URL, CONSOLE_PAGES, PROVISIONING_PAGES

#: In a browser every page is opened once provisioning is set up, so its own tabs show too.
OKTA_PAGES = [*CONSOLE_PAGES, *PROVISIONING_PAGES]
SONAR_PAGES = [
    "/admin/users",
    "/admin/groups",
    "/admin/settings?category=authentication&tab=saml",
    "/account",
    "/account/security",
]
#: What a page must hold: the icons drawn, and nothing wider than the window.
LAYOUT_PROBLEMS = """() => {
  const problems = [];
  for (const icon of document.querySelectorAll("svg.icon")) {
    const box = icon.getBoundingClientRect();
    if (icon.checkVisibility() && (box.width < 4 || box.height < 4)) {
      problems.push("an icon drawn " + box.width + "x" + box.height);
    }
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    problems.push("wider than the window: " + document.documentElement.scrollWidth + "px");
  }
  if (document.body.innerText.includes("\\uFFFD")) { problems.push("a replacement character"); }
  const visible = (element) => element.checkVisibility() && element.clientWidth > 0;
  for (const element of document.querySelectorAll("button, .button, th, label, .pill, .badge")) {
    const hidden = element.matches(".visually-hidden");
    if (visible(element) && !hidden && element.scrollWidth > element.clientWidth + 1) {
      problems.push("text clipped: " + element.textContent.trim());
    }
  }
  const ruler = document.createElement("canvas").getContext("2d");
  for (const input of document.querySelectorAll("input[placeholder]")) {
    if (!visible(input)) { continue; }
    const style = getComputedStyle(input);
    ruler.font = style.font;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (ruler.measureText(input.placeholder).width > room + 1) {
      problems.push("placeholder clipped: " + input.placeholder);
    }
  }
  return problems;
}"""


def visit(page: Page, base: str, path: str, screens, errors: list[str]) -> None:
    """The page answers 200 with no layout problem anywhere on it (checked in the page, not
    in the picture) and no console error; the picture shows what the window shows."""
    url = f"{base}{path}"
    response = page.goto(url)
    assert response is not None
    assert response.status == 200, url
    assert page.evaluate(LAYOUT_PROBLEMS) == [], url
    assert errors == [], url
    step = path.replace(APP_URL, " app ").strip("/").replace("/", " ").replace("?", " ")
    screens.shot(step, full_page=False)


@pytest.fixture
def console_errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            response.status >= 400 and errors.append(f"{response.status} {response.url}")
        ),
    )
    return errors


def test_every_okta_console_page_renders(world, page, screens, console_errors):
    world.configure_provisioning(world.enable_scim_and_make_token())
    world.enable_to_app()
    world.wait()
    okta.open_sonarqube_app(page, world.okta_url, screens)
    for path in OKTA_PAGES:
        visit(page, world.okta_url, path, screens, console_errors)


def test_the_assign_dialogs_keep_search_and_done_in_view(world, page, screens):
    okta.open_sonarqube_app(page, world.okta_url, screens)
    page.goto(f"{world.okta_url}{APP_URL}?tab=assignments&assign=people")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("button", name="Done")).to_be_in_viewport()
    expect(dialog.get_by_role("searchbox")).to_be_in_viewport()
    dialog.get_by_role("searchbox").fill("fra")
    dialog.get_by_role("button", name="Search").click()
    searched = page.get_by_role("dialog")
    expect(searched.get_by_role("button", name="Assign Frank Osei")).to_be_visible()
    expect(searched.get_by_role("button", name="Done")).to_be_in_viewport()
    screens.shot("okta assign to people searched")


def test_every_sonarqube_page_renders(world, page, screens, console_errors):
    world.configure_provisioning(world.enable_scim_and_make_token())
    world.enable_to_app()
    world.wait()  # users provisioned: managed rows, their SAML badge, the Local markers
    sonar_ui.log_in_locally(page, world.sonar_url, "admin", "admin")
    sonar_ui.change_default_password(page, "admin", "Admin-Passw0rd!", screens)
    for path in SONAR_PAGES:
        visit(page, world.sonar_url, path, screens, console_errors)


def add_people(okta_database: str, sonar_database: str, count: int) -> None:
    """`count` people in Okta's directory (as POST /api/v1/users?activate=true makes them),
    each assigned to the SonarQube app, and in SonarQube (as SCIM POST /Users makes them), in
    one transaction per app."""
    now = datetime.now(UTC)
    okta_db, sonar_db = connect(okta_database), connect(sonar_database)
    try:
        with atomic(okta_db), atomic(sonar_db):
            for n in range(count):
                login = f"person{n:05d}@example.com"
                profile = {
                    "login": login,
                    "email": login,
                    "firstName": "Person",
                    "lastName": f"Number {n:05d}",
                }
                person = create_okta_user(okta_db, now, {"profile": profile}, activate=True)
                assign_user_to_application(
                    okta_db, now, SONARQUBE_APP, {"id": person["id"], "scope": "USER"}
                )
                scim_user = ScimUser(
                    user_name=login,
                    name={"given_name": "Person", "family_name": f"Number {n:05d}"},
                    emails=[{"value": login, "primary": True}],
                    active=True,
                )
                create_scim_user(sonar_db, now, scim_user, ScimOptions())
    finally:
        okta_db.conn.close()
        sonar_db.conn.close()


def test_every_page_renders_with_10000_people(world, page, screens, console_errors):
    add_people(world.okta_app.config["DATABASE"], world.sonar_app.config["DATABASE"], 10_000)
    world.configure_provisioning(world.enable_scim_and_make_token())
    world.enable_to_app()
    world.wait()
    okta.open_sonarqube_app(page, world.okta_url, screens)
    searches = ["/admin/users?q=Number%2009999", f"{APP_URL}?tab=assignments&q=person09999"]
    for path in OKTA_PAGES + searches:
        visit(page, world.okta_url, path, screens, console_errors)
    for paged in ("/admin/users", f"{APP_URL}?tab=assignments", "/report/system_log_2"):
        page.goto(f"{world.okta_url}{paged}")
        expect(page.get_by_role("button", name="Next page")).to_be_visible()
    page.goto(f"{world.okta_url}/admin/groups")
    expect(page.get_by_role("button", name="Next page")).to_have_count(0)  # groups: one page
    sonar_ui.log_in_locally(page, world.sonar_url, "admin", "admin")
    sonar_ui.change_default_password(page, "admin", "Admin-Passw0rd!", screens)
    for path in [*SONAR_PAGES, "/admin/users?q=person09999"]:
        visit(page, world.sonar_url, path, screens, console_errors)
    page.goto(f"{world.sonar_url}/admin/users")
    expect(page.get_by_role("link", name="Show More")).to_be_visible()
    expect(page.get_by_text("50 of 10004 shown")).to_be_visible()
