"""Administration > Security > Groups, before and after SCIM makes the instance managed (§4.3)."""

import pytest

from tests.conftest import ADMIN
from tests.sonar.conftest import SCIM, okta_headers, post_json
from tests.sonar.ui_helper import between, button, dialog, open_session, seeded_app, texts

SAML_WARNING = (
    "Updating a group's membership when SAML is enabled will be temporary. The group "
    "membership will be updated the next time the user logs in."
)


@pytest.fixture
def admin(sonar_app, sonar):
    """A fresh instance (no SAML), the admin signed in."""
    return open_session(sonar_app, sonar, "admin")


@pytest.fixture
def seeded(tmp_path, devenv_keys):
    """The default fixture (SAML enabled, Just-in-Time), the admin signed in."""
    app = seeded_app(tmp_path, devenv_keys)
    return open_session(app, app.test_client(), "admin")


@pytest.fixture
def managed(seeded):
    """The default fixture with SCIM on and a group pushed by the IdP: `okta-engineering`."""
    api = seeded.client.application.test_client()
    token = api.post("/api/user_tokens/generate", data={"name": "okta"}, headers=ADMIN)
    assert api.post("/api/scim_management/enable", headers=ADMIN).status_code == 204
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "okta-engineering",
        "members": [],
    }
    created = post_json(api, f"{SCIM}/Groups", body, okta_headers(token.get_json()["token"]))
    assert created.status_code == 201, created.data
    return seeded


def row(page: str, name: str) -> str:
    return between(page, f'<tr data-id="{name}">', "</tr>")


def test_the_groups_page_of_a_fresh_instance(admin):
    page = admin.text("/admin/groups")
    assert "<h1>Groups</h1>" in page
    assert "Create and administer groups of users." in page
    assert "disabled" not in button(page, "Create Group")
    assert texts(between(page, "<thead>", "</thead>")) == "Name Members Description Actions"
    users_row = row(page, "sonar-users")
    assert "<span>(Default)</span>" in users_row
    assert 'aria-label="View sonar-users members"' in users_row
    assert "Edit sonar-users" not in users_row
    admins = row(page, "sonar-administrators")
    assert texts(admins).startswith("sonar-administrators 1")
    assert 'aria-label="Change sonar-administrators members"' in admins
    assert 'aria-label="Edit sonar-administrators"' in admins
    assert ">Update details</button>" in admins
    assert ">Delete</button>" in admins
    assert "Local" not in page


def test_create_rename_and_delete_a_group(admin):
    form = dialog(admin.text("/admin/groups?dialog=create"))
    assert ">Create Group</h2>" in form
    assert '<label for="create-group-name" class="required">Name</label>' in form
    assert '<label for="create-group-description">Description</label>' in form
    response = admin.post("/admin/groups/create", {"name": "devs", "description": "Developers"})
    assert response.status_code == 303
    assert texts(row(admin.text("/admin/groups"), "devs")).startswith("devs 0")
    duplicate = admin.post("/admin/groups/create", {"name": "devs"})
    assert duplicate.status_code == 400
    assert "Group &#39;devs&#39; already exists" in duplicate.get_data(as_text=True)
    form = dialog(admin.text("/admin/groups?dialog=update&name=devs"))
    assert ">Update Group</h2>" in form
    assert 'value="devs"' in form
    renamed = admin.post(
        "/admin/groups/update", {"name": "devs", "new_name": "developers", "description": ""}
    )
    assert renamed.status_code == 303
    assert 'data-id="developers"' in admin.text("/admin/groups")
    confirm = dialog(admin.text("/admin/groups?dialog=delete&name=developers"))
    assert ">Delete Group</h2>" in confirm
    assert 'Are you sure you want to delete "developers"?' in confirm
    assert admin.post("/admin/groups/delete", {"name": "developers"}).status_code == 303
    assert 'data-id="developers"' not in admin.text("/admin/groups")


def test_edit_members_without_saml_has_no_warning(admin):
    admin.post("/admin/groups/create", {"name": "devs"})
    form = dialog(admin.text("/admin/groups?dialog=members&name=devs&selected=all"))
    assert ">Update users</h2>" in form
    assert "SAML is enabled" not in form
    assert "Selected" in form
    assert "Unselected" in form
    response = admin.post(
        "/admin/groups/members",
        {"name": "devs", "login": "admin", "selected": "true", "selected_filter": "all"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/admin/groups?dialog=members&name=devs&selected=all"
    assert texts(row(admin.text("/admin/groups"), "devs")).startswith("devs 1")
    admin.post("/admin/groups/members", {"name": "devs", "login": "admin", "selected": "false"})
    assert texts(row(admin.text("/admin/groups"), "devs")).startswith("devs 0")


def test_edit_members_warns_while_saml_is_enabled(seeded):
    form = dialog(seeded.text("/admin/groups?dialog=members&name=sonar-developers"))
    assert SAML_WARNING in form
    assert "Alice Martin" in form


# --- managed instance ----------------------------------------------------------------------


def test_the_managed_groups_page(managed):
    page = managed.text("/admin/groups")
    assert "Your instance is managed by IdP. No modification is allowed." in page
    assert (
        "We recommend you delete local groups. All other operations should be done on your "
        "identity provider. Read more about" in page
    )
    assert "disabled" in button(page, "Create Group")
    idp = row(page, "okta-engineering")
    assert "Local" not in idp
    assert "Delete" not in idp
    assert "Edit" not in idp
    assert 'aria-label="View okta-engineering members"' in idp
    local = row(page, "sonar-developers")
    assert '<span class="badge">Local</span>' in local
    assert 'aria-label="Delete sonar-developers"' in local
    assert "Update details" not in local
    assert 'aria-label="View sonar-developers members"' in local
    assert "Delete" not in row(page, "sonar-users")


def test_managed_members_are_view_only(managed):
    view = dialog(managed.text("/admin/groups?dialog=members&name=sonar-developers"))
    assert ">Users list</h2>" in view
    assert "Alice Martin" in view
    assert '<span class="badge">Local</span>' in view
    refused = managed.post(
        "/admin/groups/members",
        {"name": "sonar-developers", "login": "admin", "selected": "true"},
    )
    assert refused.status_code == 400
    assert "Operation not allowed when the instance is externally managed." in refused.get_data(
        as_text=True
    )


def test_while_managed_local_groups_can_be_deleted_and_others_not(managed):
    assert managed.post("/admin/groups/create", {"name": "x"}).status_code == 400
    refused = managed.post("/admin/groups/delete", {"name": "okta-engineering"})
    assert refused.status_code == 400
    assert "Operation not allowed when the instance is externally managed." in refused.get_data(
        as_text=True
    )
    assert managed.post("/admin/groups/delete", {"name": "sonar-developers"}).status_code == 303
    assert 'data-id="sonar-developers"' not in managed.text("/admin/groups")
