"""Admin Console access: the admin's session, the sign-in redirect, 403s, CSRF, error pages."""

from urllib.parse import quote

import pytest

from tests.okta.api_helpers import SSWS
from tests.okta.console_helpers import (
    APP_URL,
    CONSOLE_PAGES,
    console_fixture,  # noqa: F401  (a fixture)
    seed,
    seeded_template,  # noqa: F401  (a fixture)
    sign_in,
    visible_text,
)


@pytest.mark.parametrize("path", [*CONSOLE_PAGES, APP_URL])
def test_every_page_renders_for_the_admin(console, path):
    response = console.get(path)
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"


def test_without_a_session_the_browser_goes_to_the_sign_in_page(okta_app, devenv_keys):
    seed(okta_app, devenv_keys)
    target = f"{APP_URL}?tab=assignments"
    response = okta_app.test_client().get(target)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login/login.htm?fromURI={quote(target, safe='')}"


def test_a_post_without_a_session_goes_to_the_sign_in_page(okta_app, devenv_keys):
    seed(okta_app, devenv_keys)
    response = okta_app.test_client().post("/admin/users", data={"firstName": "x"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/login.htm?fromURI=%2Fadmin%2Fusers"


def test_a_signed_in_user_who_is_not_an_admin_gets_403(okta_app, devenv_keys):
    seed(okta_app, devenv_keys)
    client = okta_app.test_client()
    sign_in(okta_app, client, "alice.martin@example.com")
    response = client.get("/admin/dashboard")
    assert response.status_code == 403
    assert "You do not have permission" in response.get_data(as_text=True)


def test_a_form_with_a_wrong_csrf_token_is_refused(console):
    response = console.client.post(
        "/admin/groups", data={"name": "forged", "csrf_token": "not-the-token"}
    )
    assert response.status_code == 403
    assert "security token" in response.get_data(as_text=True)
    assert not console.query("select id from groups where name = 'forged'")


def test_a_form_without_a_csrf_token_is_refused(console):
    response = console.client.post("/admin/groups", data={"name": "forged"})
    assert response.status_code == 403


def test_the_layout_shows_the_org_the_admin_and_sign_out(console):
    text = visible_text(console.text("/admin/dashboard"))
    assert "Devenv Org" in text
    assert "Org Admin" in text
    assert "Sign out" in text
    for item in ("Dashboard", "Tasks", "People", "Groups", "Applications", "System Log"):
        assert item in text


def test_an_unknown_person_is_a_404_page_not_json(console):
    response = console.get("/admin/user/profile/view/00unobody")
    assert response.status_code == 404
    assert response.content_type.startswith("text/html")
    assert "Not found: Resource not found: 00unobody (User)" in response.get_data(as_text=True)


def test_an_unknown_app_is_a_404_page(console):
    response = console.get("/admin/app/x/instance/0oanothing/")
    assert response.status_code == 404
    assert "AppInstance" in response.get_data(as_text=True)


def test_an_unknown_console_url_gets_the_html_error_page_not_api_json(console):
    response = console.get("/admin/no-such-page")

    assert response.status_code == 404
    assert response.content_type == "text/html; charset=utf-8"
    assert "Page Not Found" in visible_text(response.get_data(as_text=True))
    api = console.get("/api/v1/no-such-resource", headers=SSWS)
    assert api.status_code == 404
    assert api.get_json()["errorCode"] == "E0000007"
