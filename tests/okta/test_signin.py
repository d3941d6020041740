"""End-user sign-in, sign-out, the dashboard and the `sid` session."""

import pytest

from tests.okta.api_helpers import SSWS
from tests.okta.sso_helpers import (
    ALICE,
    APP_ID,
    PASSWORD,
    seed_default_world,
    sign_in,
    xsrf_token,
)


@pytest.fixture
def okta(okta_app, devenv_keys):
    """A browser on the seeded default world."""
    seed_default_world(okta_app, devenv_keys)
    return okta_app.test_client()


def session_cookie(okta):
    return okta.get_cookie("sid")


def logs(okta, event_type: str) -> list[dict]:
    query = f'/api/v1/logs?filter=eventType eq "{event_type}"'
    return okta.get(query, headers=SSWS).get_json()


def test_sign_in_page_looks_like_the_widget(okta):
    response = okta.get("/login/login.htm")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for text in ("Sign In", "Username", "Password", "Remember me", "Need help signing in?"):
        assert text in page
    assert 'id="okta-signin-username"' in page
    assert 'id="okta-signin-submit"' in page
    assert "Devenv Org" in page
    assert response.headers["Cache-Control"] == "no-cache, no-store"
    assert okta.get_cookie("JSESSIONID").http_only


def test_sign_in_creates_the_sid_session(okta):
    response = sign_in(okta)
    assert response.status_code == 302
    assert response.headers["Location"] == "/app/UserHome"
    cookie = session_cookie(okta)
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert cookie.path == "/"
    (event,) = logs(okta, "user.session.start")
    assert (event["outcome"]["result"], event["actor"]["alternateId"]) == ("SUCCESS", ALICE[1])


def test_username_is_case_insensitive(okta):
    assert sign_in(okta, "Alice.Martin@Example.com").status_code == 302


def test_sign_in_follows_a_relative_from_uri(okta):
    response = sign_in(okta, from_uri="/app/UserHome?tab=apps")
    assert response.headers["Location"] == "/app/UserHome?tab=apps"


def test_sign_in_follows_this_orgs_absolute_url(okta):
    response = sign_in(okta, from_uri="http://okta.test/app/UserHome")
    assert response.headers["Location"] == "http://okta.test/app/UserHome"


@pytest.mark.parametrize(
    "from_uri",
    [
        "https://evil.example.com/phish",
        "//evil.example.com/phish",
        "/\\evil.example.com",
        "javascript:alert(1)",
        "http://okta.test.evil.example.com/",
    ],
)
def test_from_uri_never_leaves_the_org(okta, from_uri):
    response = sign_in(okta, from_uri=from_uri)
    assert response.status_code == 302
    assert response.headers["Location"] == "/app/UserHome"


def test_a_form_without_the_csrf_token_is_refused(okta):
    okta.get("/login/login.htm")
    form = {"username": ALICE[1], "password": PASSWORD, "_xsrfToken": "forged"}
    response = okta.post("/login/login.htm", data=form)
    assert response.status_code == 403
    assert session_cookie(okta) is None


def test_a_token_from_another_browser_is_refused(okta, okta_app):
    token = xsrf_token(okta.get("/login/login.htm").get_data(as_text=True))
    other = okta_app.test_client()
    other.get("/login/login.htm")
    form = {"username": ALICE[1], "password": PASSWORD, "_xsrfToken": token}
    assert other.post("/login/login.htm", data=form).status_code == 403


@pytest.mark.parametrize(
    ("username", "password"),
    [
        (ALICE[1], "wrong"),
        ("nobody@example.com", PASSWORD),
        ("kate.novak@example.com", PASSWORD),  # SUSPENDED
        ("leo.garcia@example.com", PASSWORD),  # STAGED
        (ALICE[1], ""),
    ],
)
def test_refused_sign_in_gets_the_widget_error(okta, username, password):
    response = sign_in(okta, username, password)
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "Unable to sign in" in page
    assert session_cookie(okta) is None
    (event,) = logs(okta, "user.session.start")
    assert event["outcome"]["result"] == "FAILURE"


def test_deactivated_user_cannot_sign_in(okta):
    okta.post(f"/api/v1/users/{ALICE[0]}/lifecycle/deactivate", headers=SSWS)
    assert sign_in(okta).status_code == 401


def test_signed_in_browser_skips_the_sign_in_page(okta):
    sign_in(okta)
    response = okta.get("/login/login.htm?fromURI=/app/UserHome")
    assert response.status_code == 302
    assert response.headers["Location"] == "/app/UserHome"


def test_sign_out_ends_the_session(okta):
    sign_in(okta)
    response = okta.get("/login/signout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/login.htm"
    assert session_cookie(okta) is None
    assert okta.get("/app/UserHome").status_code == 302
    (event,) = logs(okta, "user.session.end")
    assert event["actor"]["alternateId"] == ALICE[1]


def test_sign_out_honours_from_uri_in_the_org_only(okta):
    sign_in(okta)
    assert okta.get("/login/signout?fromURI=/app/UserHome").headers["Location"] == "/app/UserHome"
    sign_in(okta)
    response = okta.get("/login/signout?fromURI=https://evil.example.com/")
    assert response.headers["Location"] == "/login/login.htm"


def test_a_stolen_cookie_is_dead_after_sign_out(okta, okta_app):
    sign_in(okta)
    value = session_cookie(okta).value
    okta.get("/login/signout")
    thief = okta_app.test_client()
    thief.set_cookie("sid", value)
    assert thief.get("/app/UserHome").status_code == 302


def test_dashboard_requires_a_session(okta):
    response = okta.get("/app/UserHome")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/login.htm?fromURI=%2Fapp%2FUserHome"


def test_dashboard_hides_apps_hidden_from_the_web(okta):
    sign_in(okta)
    page = okta.get("/app/UserHome").get_data(as_text=True)
    assert "My Apps" in page
    assert "Alice Martin" in page
    assert "SonarQube" not in page  # the guide's app is hidden from the dashboard
    assert "No apps to show here" in page


def test_dashboard_tile_links_to_the_embed_link(okta):
    app = okta.get(f"/api/v1/apps/{APP_ID}", headers=SSWS).get_json()
    app["visibility"]["hide"]["web"] = False
    okta.put(f"/api/v1/apps/{APP_ID}", json=app, headers=SSWS)
    sign_in(okta)
    page = okta.get("/app/UserHome").get_data(as_text=True)
    link = app["_links"]["appLinks"][0]["href"]
    assert f'href="{link}"' in page
    assert "SonarQube" in page


def test_dashboard_lists_only_assigned_apps(okta):
    app = okta.get(f"/api/v1/apps/{APP_ID}", headers=SSWS).get_json()
    app["visibility"]["hide"]["web"] = False
    okta.put(f"/api/v1/apps/{APP_ID}", json=app, headers=SSWS)
    sign_in(okta, "henry.dubois@example.com")
    assert "SonarQube" not in okta.get("/app/UserHome").get_data(as_text=True)


def test_root_goes_to_sign_in_or_dashboard(okta):
    assert okta.get("/").headers["Location"] == "/login/login.htm"
    sign_in(okta)
    assert okta.get("/").headers["Location"] == "/app/UserHome"


@pytest.mark.parametrize("action", ["deactivate", "suspend"])
def test_lifecycle_ends_the_session(okta, action):
    sign_in(okta)
    assert okta.get("/app/UserHome").status_code == 200
    response = okta.post(f"/api/v1/users/{ALICE[0]}/lifecycle/{action}", headers=SSWS)
    assert response.status_code == 200
    assert okta.get("/app/UserHome").status_code == 302


def test_deleting_the_user_ends_the_session(okta):
    sign_in(okta)
    okta.delete(f"/api/v1/users/{ALICE[0]}", headers=SSWS)
    okta.delete(f"/api/v1/users/{ALICE[0]}", headers=SSWS)
    assert okta.get("/app/UserHome").status_code == 302


def test_browser_pages_need_no_api_token(okta):
    for path in ("/login/login.htm", "/login/signout", "/app/UserHome", "/"):
        assert okta.get(path).status_code in (200, 302)


def test_ten_wrong_passwords_lock_the_account(okta):
    for attempt in range(12):
        response = sign_in(okta, password=f"wrong-{attempt}")
        assert response.status_code == 401
    page = sign_in(okta).get_data(as_text=True)  # the right password, too late
    assert "Your account is locked. Please contact your administrator." in page
    user = okta.get(f"/api/v1/users/{ALICE[0]}", headers=SSWS).get_json()
    assert user["status"] == "LOCKED_OUT"
    (event,) = logs(okta, "user.account.lock")
    assert event["target"][0]["alternateId"] == ALICE[1]
    assert okta.post(f"/api/v1/users/{ALICE[0]}/lifecycle/unlock", headers=SSWS).status_code == 200
    assert sign_in(okta).status_code == 302


def test_a_successful_sign_in_starts_the_count_again(okta):
    for attempt in range(9):
        sign_in(okta, password=f"wrong-{attempt}")
    assert sign_in(okta).status_code == 302
    okta.get("/login/signout")
    for attempt in range(9):
        sign_in(okta, password=f"wrong-{attempt}")
    user = okta.get(f"/api/v1/users/{ALICE[0]}", headers=SSWS).get_json()
    assert user["status"] == "ACTIVE"
    assert user["lastLogin"] is not None
