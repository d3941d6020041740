"""Dashboard > Tasks in chromium: a retried task shows as pending and the page updates itself
when the push is done, but never under an admin who is choosing tasks."""

import requests
from playwright.sync_api import Page, expect

from tests.browser import okta_console as okta
from tests.e2e.world import SONARQUBE_APP

HENRY, FRANK = "00uhenrydubois000008", "00ufrankosei00000006"


def sonarqube_fault(world, **fault) -> None:
    requests.post(
        f"{world.sonar_url}/_mock/faults", json=fault, auth=("admin", "admin"), timeout=10
    ).raise_for_status()


def test_the_tasks_page_waits_for_a_checked_box_then_updates_itself(world, page: Page, screens):
    world.configure_provisioning(world.enable_scim_and_make_token())
    world.enable_to_app()
    world.wait()
    # Two assignments whose create is refused by SonarQube: two tasks.
    sonarqube_fault(world, count=2, status=400, method="POST", path="/Users")
    for user_id in (HENRY, FRANK):
        world.okta.post(
            f"{world.okta_url}/api/v1/apps/{SONARQUBE_APP}/users",
            json={"id": user_id, "scope": "USER"},
        ).raise_for_status()
    world.wait()
    okta.open_sonarqube_app(page, world.okta_url, screens)
    page.goto(f"{world.okta_url}/admin/tasks")
    expect(page.get_by_role("checkbox")).to_have_count(2)
    # Henry's retry reaches a slow SonarQube: it stays on its way for 3 s.
    sonarqube_fault(world, count=1, delaySeconds=3)
    page.get_by_role("row", name="Henry Dubois").get_by_role("checkbox").check()
    page.get_by_role("button", name="Retry Selected").click()
    retrying = page.get_by_test_id("tasks-retrying")
    expect(retrying).to_contain_text("SonarQube: Henry Dubois")
    screens.shot("okta tasks retrying")
    # The admin is choosing Frank's task: the page does not reload under them.
    frank = page.get_by_role("row", name="Frank Osei").get_by_role("checkbox")
    frank.check()
    world.wait()
    page.wait_for_timeout(3000)
    expect(frank).to_be_checked()
    expect(retrying).to_be_visible()
    # Done choosing: the page updates itself and Henry's task is gone, pushed.
    frank.uncheck()
    expect(retrying).to_have_count(0, timeout=10_000)
    expect(page.get_by_role("checkbox")).to_have_count(1)
    expect(page.get_by_role("row", name="Frank Osei")).to_be_visible()
    screens.shot("okta tasks after the retry")
