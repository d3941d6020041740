"""My Account > Security, the forced "Update your password" page, and the page guards."""

import re
from datetime import timedelta

import pytest

from mock_common.db import connect
from mock_sonar import clock
from mock_sonar.accounts import sessions
from tests.conftest import ADMIN, basic, bearer
from tests.sonar.ui_helper import PASSWORD, csrf_token, open_session, texts

NEW_PASSWORD = "N3w-Admin-Passw0rd!"


@pytest.fixture
def admin(sonar_app, sonar):
    """The bootstrap admin signed in, the forced password change already done."""
    return open_session(sonar_app, sonar, "admin")


def browser_login(client, login: str, password: str, return_to: str = "/"):
    """The login form, as a browser submits it."""
    page = client.get(f"/sessions/new?return_to={return_to}").get_data(as_text=True)
    return client.post(
        "/sessions/new",
        data={
            "login": login,
            "password": password,
            "csrf_token": csrf_token(page),
            "return_to": return_to,
        },
    )


# --- forced password change --------------------------------------------------------------


def test_the_default_admin_is_held_on_update_your_password(sonar):
    response = browser_login(sonar, "admin", "admin", return_to="/admin/users")
    assert response.headers["Location"] == "/admin/users"
    for path in ("/", "/admin/users", "/projects", "/account/security"):
        held = sonar.get(path)
        assert held.status_code == 302
        assert held.headers["Location"] == "/account/reset_password"
    page = sonar.get("/account/reset_password").get_data(as_text=True)
    assert "<h1>Update your password</h1>" in page
    assert "This account should not use the default password." in page
    assert "<h2>Enter a new password</h2>" in page
    for label, field in (
        ("Old Password", "old_password"),
        ("Password", "create-password"),
        ("Confirm Password", "confirm-password"),
    ):
        assert f'<label for="{field}" class="required">{label}</label>' in page
    assert (
        '<button id="change-password" class="button button-primary" type="submit">Update</button>'
        in page
    )


def test_the_web_api_stays_exempt_from_the_reset(sonar):
    browser_login(sonar, "admin", "admin")
    assert sonar.get("/api/users/current").status_code == 200
    assert sonar.get("/api/system/info", headers=ADMIN).status_code == 200


def _reset(client, old: str, new: str, confirm: str | None = None):
    page = client.get("/account/reset_password").get_data(as_text=True)
    token = re.search(r'name="xsrf_token" value="([^"]+)"', page).group(1)
    return client.post(
        "/account/reset_password",
        data={
            "xsrf_token": token,
            "old_password": old,
            "password": new,
            "confirm_password": new if confirm is None else confirm,
        },
    )


@pytest.mark.parametrize(
    ("old", "new", "confirm", "message"),
    [
        ("wrong", NEW_PASSWORD, None, "Old password is incorrect"),
        ("admin", NEW_PASSWORD, "N3w-Other-Passw0rd!", "Passwords do not match."),
        ("admin", "short", None, "Your password must meet all the requirements."),
        ("admin", "nouppercase-passw0rd!", None, "Your password must meet all the requirements."),
    ],
    ids=["wrong-old", "mismatch", "too-short", "policy"],
)
def test_reset_refusals_show_the_web_apps_messages(sonar, old, new, confirm, message):
    browser_login(sonar, "admin", "admin")
    response = _reset(sonar, old, new, confirm)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert sonar.get("/projects").headers["Location"] == "/account/reset_password"
    assert sonar.get("/api/users/current", headers=basic("admin", "admin")).status_code == 200


def test_a_new_password_equal_to_the_old_one_is_refused(sonar_app, sonar):
    # The default password is below the policy, so set a compliant one with the flag kept.
    browser = open_session(sonar_app, sonar, "admin", clear_reset=False)
    sonar.post(
        "/api/users/change_password",
        data={"login": "admin", "previousPassword": "admin", "password": PASSWORD},
        headers={"X-XSRF-TOKEN": browser.xsrf},
    )
    db = connect(sonar_app.config["DATABASE"])
    db.execute("update users set reset_password = 1 where login = 'admin'")
    db.conn.close()
    response = _reset(sonar, PASSWORD, PASSWORD)
    assert response.status_code == 400
    assert "New password must be different from old password" in response.get_data(as_text=True)


def test_a_successful_reset_goes_home_and_releases_the_user(sonar):
    browser_login(sonar, "admin", "admin")
    response = _reset(sonar, "admin", NEW_PASSWORD)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"
    assert sonar.get("/").headers["Location"] == "/projects"
    assert sonar.get("/projects").status_code == 200
    api = sonar.application.test_client()  # without the browser's session cookie
    assert api.get("/api/users/current", headers=basic("admin", NEW_PASSWORD)).status_code == 200
    assert api.get("/api/users/current", headers=ADMIN).status_code == 401


# --- guards --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/account/security", "/admin/settings?category=authentication&tab=saml"]
)
def test_pages_without_a_session_go_to_the_login_page(sonar, path):
    from urllib.parse import quote

    response = sonar.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/sessions/new?return_to=" + quote(path, safe="")


def test_a_post_without_a_session_returns_to_its_page_after_login(sonar):
    response = sonar.post("/account/security/tokens", data={"name": "x"})
    assert response.headers["Location"] == "/sessions/new?return_to=%2Faccount%2Fsecurity"


def test_an_expired_session_goes_to_the_login_page(sonar_app, admin):
    db = connect(sonar_app.config["DATABASE"])
    clock.advance(db, (sessions.SESSION_TIMEOUT + timedelta(minutes=1)).total_seconds())
    db.conn.close()
    response = admin.get("/account/security")
    assert response.headers["Location"] == "/sessions/new?return_to=%2Faccount%2Fsecurity"


@pytest.mark.parametrize("token", [None, "forged"], ids=["missing", "forged"])
def test_a_form_without_the_sessions_token_is_refused(admin, token):
    data = {"name": "sneaky"} if token is None else {"name": "sneaky", "xsrf_token": token}
    response = admin.client.post("/account/security/tokens", data=data)
    assert response.status_code == 403
    page = response.get_data(as_text=True)
    assert "This form has expired or was not sent by this page." in page
    assert "sneaky" not in admin.text("/account/security")


def test_a_non_administrator_is_sent_to_log_in_with_more_privileges(sonar_app, sonar):
    sonar.post(
        "/api/users/create",
        headers=ADMIN,
        data={"login": "dev", "name": "Dev Eloper", "password": PASSWORD},
    )
    dev = open_session(sonar_app, sonar, "dev")
    response = dev.get("/admin/users")
    assert response.status_code == 302
    location = "/sessions/new?return_to=%2Fadmin%2Fusers&authorizationError=true"
    assert response.headers["Location"] == location
    login = sonar.get(location).get_data(as_text=True)
    assert (
        "You are not authorized to access this page. Please log in with more privileges and "
        "try again." in login
    )
    assert "Administration" not in dev.text("/projects")
    assert ">Administration</a>" in open_session(sonar_app, sonar, "admin").text("/projects")


# --- header --------------------------------------------------------------------------------


def test_the_header_has_the_global_navigation_and_the_account_menu(admin):
    page = admin.text("/projects")
    nav = texts(page[page.index('<nav class="global-nav-menu"') : page.index("</nav>")])
    assert nav == "Projects Issues Rules Quality Profiles Quality Gates Administration"
    assert '<summary role="button" aria-label="Account"' in page
    assert '<a href="/account">My Account</a>' in page
    assert '<a id="logout" href="/sessions/logout">Log out</a>' in page
    assert "There is nothing here in the simulator." in page


# --- tokens --------------------------------------------------------------------------------


def test_the_security_page_offers_the_real_token_form(admin):
    page = admin.text("/account/security")
    assert "<h1>Security</h1>" in page
    assert "<h2>Generate Tokens</h2>" in page
    assert '<label for="token-name">Name</label>' in page
    assert '<label for="token-select-type">Type</label>' in page
    assert '<label for="token-select-expiration">Expires in</label>' in page
    select = page[page.index('id="token-select-type"') : page.index("</select>")]
    # The admin holds 'Execute Analysis' (sonar-users): Global first; no projects, no Project.
    assert texts(select).endswith("Select Token Type Global Analysis Token User Token")
    expiration = page[page.index('id="token-select-expiration"') :]
    expiration = expiration[: expiration.index("</select>")]
    assert texts(expiration).endswith("30 days 90 days 1 year No expiration")
    assert '<option value="30" selected>30 days</option>' in expiration
    assert "Generate</button>" in page
    assert '<td colspan="7">No tokens</td>' in page
    assert "<h2>Enter a new password</h2>" in page


def test_a_generated_token_is_shown_once_and_works(sonar, admin):
    response = admin.post(
        "/account/security/tokens",
        {"name": "scim-okta", "type": "USER_TOKEN", "expiration": "0"},
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert (
        'New token "scim-okta" has been created. Make sure you copy it now, you won\'t be '
        "able to see it again!" in page
    )
    token = re.search(r'<code id="new-token-value">(squ_[0-9a-f]{40})</code>', page).group(1)
    assert f'aria-label="Copy to clipboard" title="Copy to clipboard" data-copy="{token}"' in page
    assert token not in admin.text("/account/security")
    client = sonar.application.test_client()
    assert client.get("/api/users/current", headers=bearer(token)).get_json()["login"] == "admin"
    row = admin.text("/account/security")
    row = row[row.index('<td title="scim-okta">') :]
    assert texts(row[: row.index("</tr>")]).startswith("scim-okta User < 1 hour ago")
    assert "\u2013" in row[: row.index("</tr>")]


def test_a_token_with_expiration_lists_its_date(sonar_app, admin):
    db = connect(sonar_app.config["DATABASE"])
    today = clock.now(db).date()
    db.conn.close()
    admin.post("/account/security/tokens", {"name": "ci", "type": "GLOBAL_ANALYSIS_TOKEN"})
    page = admin.text("/account/security")
    row = page[page.index('<td title="ci">') :]
    row = row[: row.index("</tr>")]
    expires = today + timedelta(days=30)
    assert f"{expires:%B} {expires.day}, {expires.year}" in row
    assert '<td title="Global Analysis Token">Global</td>' in row


def test_a_duplicate_token_name_shows_the_api_message(admin):
    admin.post("/account/security/tokens", {"name": "dup", "type": "USER_TOKEN"})
    response = admin.post("/account/security/tokens", {"name": "dup", "type": "USER_TOKEN"})
    assert response.status_code == 400
    assert (
        "A user token for login &#39;admin&#39; and name &#39;dup&#39; already exists"
        in response.get_data(as_text=True)
    )


def test_revoke_asks_for_confirmation_then_revokes(sonar, admin):
    page = admin.post("/account/security/tokens", {"name": "old", "type": "USER_TOKEN"})
    token = re.search(r"squ_[0-9a-f]{40}", page.get_data(as_text=True)).group(0)
    page = admin.text("/account/security")
    assert 'aria-label="Revoke token old">Revoke</button>' in page
    confirm = admin.text("/account/security?revoke=old")
    assert 'role="alertdialog"' in confirm
    assert ">Revoke token old</h2>" in confirm
    assert "Are you sure you want to revoke token <strong>old</strong>?" in confirm
    assert ">Yes</button>" in confirm
    assert ">Cancel</button>" in confirm
    response = admin.post("/account/security/revoke", {"name": "old"})
    assert response.status_code == 303
    assert "old" not in texts(admin.text("/account/security"))
    client = sonar.application.test_client()
    assert client.get("/api/users/current", headers=bearer(token)).status_code == 401


def test_the_security_page_changes_the_password(sonar, admin):
    response = admin.post(
        "/account/security/password",
        {"old_password": "admin", "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert response.status_code == 303
    assert "The password has been changed!" in sonar.get("/account/security").get_data(as_text=True)
    api = sonar.application.test_client()
    assert api.get("/api/users/current", headers=basic("admin", NEW_PASSWORD)).status_code == 200


def test_my_account_profile(admin):
    page = admin.text("/account")
    assert '<span id="login">admin</span>' in page
    assert '<li title="sonar-administrators">sonar-administrators</li>' in page
