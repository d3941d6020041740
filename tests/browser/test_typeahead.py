"""The Push Groups type-ahead in chromium: what the admin typed decides the list, whatever
order the server's answers arrive in, and whether the page's script ran before the typing."""

from playwright.sync_api import Page, Route, expect

from tests.browser import okta_console as okta


def open_push_groups(world, page: Page, screens) -> None:
    """SCIM on, Push Groups > + Push Groups (its two ways to find groups on offer)."""
    world.configure_provisioning(world.enable_scim_and_make_token())
    okta.open_sonarqube_app(page, world.okta_url, screens)
    page.get_by_role("link", name="Push Groups").click()
    page.get_by_role("button", name="+ Push Groups").click()


def test_a_late_answer_for_an_older_query_does_not_replace_the_suggestions(
    world, page: Page, screens
):
    open_push_groups(world, page, screens)
    page.get_by_role("link", name="Find groups by name").click()
    held: list[Route] = []

    def hold_the_empty_query(route: Route) -> None:
        if route.request.url.endswith("?q="):
            held.append(route)  # answered below, after the typed query's answer
        else:
            route.continue_()

    page.route("**/group-suggestions?*", hold_the_empty_query)
    field = page.get_by_label("Group", exact=True)
    field.click()  # focus asks for every group; that answer is held back
    field.press_sequentially("sonar-dev")
    expect(page.get_by_role("option", name="sonar-developers", exact=True)).to_be_visible()
    assert len(held) == 1
    held[0].fulfill(
        body='<li role="option" data-value="Everyone">Everyone</li>', content_type="text/html"
    )
    page.wait_for_timeout(300)
    expect(page.get_by_role("option", name="Everyone")).to_have_count(0)
    page.get_by_role("option", name="sonar-developers", exact=True).click()
    expect(field).to_have_value("sonar-developers")


def test_the_rule_dialog_finds_groups_as_the_admin_types(world, page: Page, screens):
    okta.open_sonarqube_app(page, world.okta_url, screens)
    page.goto(f"{world.okta_url}/admin/groups/rules?add=1")
    page.get_by_label("Name", exact=True).fill("QA people")
    page.get_by_role("textbox", name="Expression").fill('user.department == "QA"')
    picker = page.get_by_label("Assign to")
    page.get_by_role("searchbox", name="Search groups").press_sequentially("sonar-q")
    expect(picker.get_by_role("option")).to_have_text(["sonar-qa"])
    picker.select_option(label="sonar-qa")
    screens.shot("okta add rule group searched")
    page.get_by_label("Name", exact=True).press("Enter")  # saves, as the dialog's Save does
    row = page.get_by_role("row", name="QA people")
    expect(row).to_contain_text("sonar-qa")
    expect(row).to_contain_text("Inactive")


def hold_the_script_that_starts(page: Page, pages: str, script_start: str) -> list[Route]:
    """Serve `pages` with a script put before the one that starts with `script_start`, whose
    answer the test holds: the parser stops there, with the fields above it on screen and
    typed in, as on a busy machine. Fulfil the returned route to let the page go on."""
    held: list[Route] = []

    def stall_before_the_script(route: Route) -> None:
        html = route.fetch().text()
        marker = f"<script>\n{script_start}"
        assert marker in html
        stalled = html.replace(marker, '<script src="/_held.js"></script>' + marker)
        route.fulfill(body=stalled, content_type="text/html")

    page.route(pages, stall_before_the_script)
    page.route("**/_held.js", lambda route: held.append(route))
    return held


def test_what_the_admin_typed_before_the_page_script_ran_still_brings_suggestions(
    world, page: Page, screens
):
    open_push_groups(world, page, screens)
    held = hold_the_script_that_starts(page, "**/*push=name*", "/* Okta's type-ahead")
    page.get_by_role("link", name="Find groups by name").click()
    field = page.get_by_label("Group", exact=True)
    field.press_sequentially("sonar-dev")  # focused and typed while no script listens
    assert len(held) == 1
    held[0].fulfill(body="", content_type="text/javascript")
    page.get_by_role("option", name="sonar-developers", exact=True).click()
    expect(field).to_have_value("sonar-developers")


def test_a_rule_search_typed_before_the_page_script_ran_is_still_searched(
    world, page: Page, screens
):
    okta.open_sonarqube_app(page, world.okta_url, screens)
    held = hold_the_script_that_starts(page, "**/rules?add=1", "/* Search as the admin types")
    page.goto(f"{world.okta_url}/admin/groups/rules?add=1", wait_until="commit")
    page.get_by_role("searchbox", name="Search groups").press_sequentially("sonar-q")
    assert len(held) == 1
    held[0].fulfill(body="", content_type="text/javascript")
    expect(page.get_by_label("Assign to").get_by_role("option")).to_have_text(["sonar-qa"])
