"""Administration > Security > Users, before and after SCIM makes the instance managed (§4.3)."""

import re

import pytest

from tests.conftest import ADMIN, bearer
from tests.sonar.conftest import SCIM, okta_headers, post_json
from tests.sonar.ui_helper import PASSWORD, between, button, dialog, open_session, seeded_app, texts

MANAGED_BANNER = (
    "Your instance is managed by IdP. No modification is allowed except for tokens and SCM "
    "account information."
)


@pytest.fixture
def admin(sonar_app, sonar):
    """A fresh instance, the admin signed in."""
    return open_session(sonar_app, sonar, "admin")


@pytest.fixture
def managed(tmp_path, devenv_keys):
    """The default fixture, SCIM on, and one user created by the IdP: `carol@example.com`."""
    app = seeded_app(tmp_path, devenv_keys)
    api = app.test_client()
    token = api.post("/api/user_tokens/generate", data={"name": "okta"}, headers=ADMIN)
    assert api.post("/api/scim_management/enable", headers=ADMIN).status_code == 204
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "carol@example.com",
        "name": {"givenName": "Carol", "familyName": "Jones"},
        "emails": [{"primary": True, "value": "carol@example.com", "type": "work"}],
        "displayName": "Carol Jones",
        "active": True,
    }
    created = post_json(api, f"{SCIM}/Users", body, okta_headers(token.get_json()["token"]))
    assert created.status_code == 201, created.data
    return open_session(app, app.test_client(), "admin")


def row(page: str, login: str) -> str:
    """The table row of a user."""
    return between(page, f'<tr data-login="{login}">', "</tr>")


def create(browser, **fields):
    data = {
        "login": "jdoe",
        "name": "John Doe",
        "email": "jdoe@example.com",
        "password": PASSWORD,
        "confirm_password": PASSWORD,
        **fields,
    }
    return browser.post("/admin/users/create", data)


def test_the_users_page_of_a_fresh_instance(admin):
    page = admin.text("/admin/users")
    assert "<h1>Users</h1>" in page
    assert "Create and administer individual users." in page
    assert "disabled" not in button(page, "Create User")
    assert 'placeholder="Search by login or name..."' in page
    headers = texts(between(page, "<thead>", "</thead>"))
    assert headers == (
        "Name SCM Accounts Last connection Last SonarQube for IDE connection Groups Tokens Actions"
    )
    admin_row = row(page, "admin")
    assert 'role="img" aria-label="Administrator">A</span>' in admin_row
    assert '<strong class="it__user-name">Administrator</strong>' in admin_row
    assert texts(admin_row).startswith("A Administrator admin")
    assert "< 1 hour ago Never 2" in texts(admin_row)
    assert 'aria-label="Update admin&#39;s group membership"' in admin_row
    assert 'aria-label="Update tokens for user Administrator"' in admin_row
    assert 'aria-label="Update admin"' in admin_row
    for item in ("Update details", "Enter a new password", "Deactivate"):
        assert f">{item}</button>" in admin_row
    assert "Local" not in page


def test_create_user(admin):
    form = dialog(admin.text("/admin/users?dialog=create"))
    assert ">Create User</h2>" in form
    for label in ("Login", "Password", "Confirm Password", "Name", "Email", "SCM Accounts"):
        assert f">{label}" in form
    response = create(admin, scm_accounts="jdoe-git\n\njohn")
    assert response.status_code == 303
    page = admin.text("/admin/users")
    assert "jdoe@example.com" in row(page, "jdoe")
    assert "<li>jdoe-git</li><li>john</li>" in row(page, "jdoe")
    client = admin.client.application.test_client()
    login = client.post("/api/authentication/login", data={"login": "jdoe", "password": PASSWORD})
    assert login.status_code == 200


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"login": "admin"}, "This login is already in use. Please choose another one."),
        ({"login": "j doe"}, "Login should contain only letters, numbers, and .-_@"),
        ({"login": "-jdoe"}, "Login should start with _ or alphanumeric."),
        ({"login": "jd"}, "Minimum 3 characters"),
        ({"password": "weak"}, "Your password must meet all the requirements."),
        ({"confirm_password": "Other-Passw0rd!"}, "Passwords do not match."),
        ({"name": "  "}, "Minimum 1 characters"),
        ({"email": "not-an-email"}, "Invalid email"),
        ({"email": "x" * 95 + "@ex.co"}, "Email is too long (maximum is 100 characters)"),
    ],
    ids=["used", "chars", "start", "short", "policy", "mismatch", "name", "email", "email-long"],
)
def test_create_user_shows_the_real_validation_messages(admin, fields, message):
    response = create(admin, **fields)
    assert response.status_code == 400
    form = dialog(response.get_data(as_text=True))
    assert ">Create User</h2>" in form
    assert message in form.replace("&#39;", "'")
    assert "jdoe" not in texts(between(admin.text("/admin/users"), "<tbody>", "</tbody>"))


def test_update_details_and_change_password_of_a_local_user(admin):
    create(admin)
    form = dialog(admin.text("/admin/users?dialog=update&login=jdoe"))
    assert ">Update User</h2>" in form
    assert ">Update</button>" in form
    response = admin.post(
        "/admin/users/update",
        {"login": "jdoe", "name": "Johnny Doe", "email": "", "scm_accounts": "jd"},
    )
    assert response.status_code == 303
    jdoe = row(admin.text("/admin/users"), "jdoe")
    assert "Johnny Doe" in jdoe
    assert "@example.com" not in jdoe
    assert "<li>jd</li>" in jdoe
    form = dialog(admin.text("/admin/users?dialog=password&login=jdoe"))
    assert ">Enter a new password</h2>" in form
    assert "Old Password" not in form
    new = "An0ther-Passw0rd!"
    response = admin.post(
        "/admin/users/password", {"login": "jdoe", "password": new, "confirm_password": new}
    )
    assert response.status_code == 303
    client = admin.client.application.test_client()
    assert (
        client.post(
            "/api/authentication/login", data={"login": "jdoe", "password": new}
        ).status_code
        == 200
    )


def test_deactivate_a_user_and_not_oneself(admin):
    create(admin)
    form = dialog(admin.text("/admin/users?dialog=deactivate&login=jdoe"))
    assert ">Deactivate User</h2>" in form
    assert 'Are you sure you want to deactivate "John Doe (jdoe)"?' in form
    assert '<label for="delete-user">Delete user\'s personal information</label>' in form
    assert admin.post("/admin/users/deactivate", {"login": "jdoe"}).status_code == 303
    assert 'data-login="jdoe"' not in admin.text("/admin/users")
    refused = admin.post("/admin/users/deactivate", {"login": "admin"})
    assert refused.status_code == 400
    assert "Self-deactivation is not possible" in refused.get_data(as_text=True)


def test_an_admin_generates_and_revokes_another_users_tokens(admin):
    create(admin)
    form = dialog(admin.text("/admin/users?dialog=tokens&login=jdoe"))
    assert ">Tokens of John Doe</h2>" in form
    assert 'id="token-select-type"' not in form  # user tokens only, as the modal offers
    response = admin.post("/admin/users/tokens", {"login": "jdoe", "name": "ci"})
    page = response.get_data(as_text=True)
    token = re.search(r'<code id="new-token-value">(squ_[0-9a-f]{40})</code>', page).group(1)
    client = admin.client.application.test_client()
    assert client.get("/api/users/current", headers=bearer(token)).get_json()["login"] == "jdoe"
    counts = re.findall(r'<td class="count-cell">(\d+)', row(admin.text("/admin/users"), "jdoe"))
    assert counts == ["1", "1"]  # sonar-users, and the new token
    confirm = dialog(admin.text("/admin/users?dialog=tokens&login=jdoe&revoke=ci"))
    assert 'aria-label="Sure?">Sure?</button>' in confirm
    revoked = admin.post("/admin/users/tokens/revoke", {"login": "jdoe", "name": "ci"})
    assert revoked.headers["Location"] == "/admin/users?dialog=tokens&login=jdoe"
    assert client.get("/api/users/current", headers=bearer(token)).status_code == 401


def test_group_membership_from_the_users_page_warns_while_saml_is_enabled(tmp_path, devenv_keys):
    app = seeded_app(tmp_path, devenv_keys)
    browser = open_session(app, app.test_client(), "admin")
    login = "bob-nguyen-example-com88102"
    form = dialog(browser.text(f"/admin/users?dialog=groups&login={login}&selected=all"))
    assert ">Update Groups</h2>" in form
    assert (
        "Updating a group's membership when SAML is enabled will be temporary. The group "
        "membership will be updated the next time the user logs in." in form
    )
    assert 'role="checkbox" aria-checked="false"' in form
    response = browser.post(
        "/admin/users/groups", {"login": login, "group": "sonar-developers", "selected": "true"}
    )
    assert response.status_code == 303
    assert "sonar-developers" in dialog(browser.text(f"/admin/users?dialog=groups&login={login}"))


# --- managed instance ----------------------------------------------------------------------


def test_the_managed_users_page(managed):
    page = managed.text("/admin/users")
    assert MANAGED_BANNER in page
    assert (
        "We recommend that you delete local users to ensure all operations are done on your "
        "identity provider. Read more about" in page
    )
    assert "Create and administer individual users." not in page
    assert "disabled" in button(page, "Create User")
    assert texts(between(page, 'aria-label="Filter users"', "</div>")).endswith(
        "All From IdP Local"
    )
    carol = row(page, re.search(r'data-login="(carol[^"]+)"', page).group(1))
    assert "Local" not in carol
    assert "Deactivate" not in carol
    assert "Enter a new password" not in carol
    assert ">Update SCM details</button>" in carol
    assert "View carol" in carol
    for local in ("admin", "ci-bot", "alice-martin-example-com20417"):
        local_row = row(page, local)
        assert '<span class="badge">Local</span>' in local_row
        assert ">Deactivate</button>" in local_row
        assert "Enter a new password" not in local_row


def test_the_managed_filter(managed):
    local = managed.text("/admin/users?managed=false")
    assert "carol" not in texts(between(local, "<tbody>", "</tbody>"))
    idp = managed.text("/admin/users?managed=true")
    assert texts(between(idp, "<tbody>", "</tbody>")).startswith("C Carol Jones carol")


def test_creating_a_user_is_refused_while_managed(managed):
    response = create(managed)
    assert response.status_code == 400
    assert "Operation not allowed when the instance is externally managed." in response.get_data(
        as_text=True
    )


def test_tokens_stay_editable_for_managed_users(managed):
    page = managed.text("/admin/users")
    carol = re.search(r'data-login="(carol[^"]+)"', page).group(1)
    response = managed.post("/admin/users/tokens", {"login": carol, "name": "ide"})
    assert response.status_code == 200
    assert 'New token "ide" has been created.' in response.get_data(as_text=True)
