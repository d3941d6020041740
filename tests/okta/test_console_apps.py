"""Admin Console: Applications > the SonarQube app's General, Sign On, Provisioning tabs."""

import json

from mock_common import clock
from mock_okta.provisioning import wire_log
from tests.okta.console_helpers import (
    APP_ID,
    APP_URL,
    UNREACHABLE,
    console_fixture,  # noqa: F401  (a fixture)
    next_page,
    seeded_template,  # noqa: F401  (a fixture)
    visible_text,
)


def tabs_of(html: str) -> list[str]:
    return [
        label
        for label in ("General", "Sign On", "Provisioning", "Assignments", "Push Groups")
        if f'id="tab-{label.lower().replace(" ", "-").replace("sign-on", "signon")}"' in html
    ]


def test_the_applications_list_links_to_the_app_page(console):
    html = console.text("/admin/apps/active")
    assert f'href="{APP_URL}"' in html
    assert "SonarQube" in html
    assert "SAML 2.0" in html


def test_before_scim_there_is_no_provisioning_tab(console):
    html = console.text(APP_URL)
    assert tabs_of(html) == ["General", "Sign On", "Assignments"]
    text = visible_text(html)
    assert "App Settings" in text
    assert "Provisioning None" in text


def test_general_edit_offers_none_and_scim(console):
    html = console.text(f"{APP_URL}?tab=general&edit=settings")
    assert '<label for="provisioning-none">None</label>' in html
    assert '<label for="provisioning-scim">SCIM</label>' in html
    assert ">Save</button>" in html


def test_choosing_scim_and_save_makes_the_provisioning_tab_appear(console):
    """Guide steps 2-3: General > App Settings > Edit > SCIM > Save."""
    response = console.post(f"{APP_URL}general", {"provisioning": "SCIM"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"{APP_URL}?tab=general"
    html = console.text(APP_URL)
    assert tabs_of(html) == ["General", "Sign On", "Provisioning", "Assignments"]
    # Nothing is configured yet: the tab opens on Integration with an empty SCIM Connection.
    text = visible_text(console.text(f"{APP_URL}?tab=provisioning"))
    assert "SCIM Connection" in text
    assert "Not configured" in text


def test_choosing_none_removes_the_provisioning_tab(console):
    console.post(f"{APP_URL}general", {"provisioning": "SCIM"})
    console.post(f"{APP_URL}general", {"provisioning": "NONE"})
    assert "Provisioning" not in tabs_of(console.text(APP_URL))


def test_sign_on_shows_the_saml_settings_read_only(console):
    text = visible_text(console.text(f"{APP_URL}?tab=signon"))
    for label in (
        "SAML 2.0",
        "Metadata URL",
        "http://okta.test/app/exksonarqube0devenv7/sso/saml/metadata",
        "Single Sign On URL http://localhost:9000/oauth2/callback/saml",
        "Audience Restriction sonarqube",
        "Signature Algorithm RSA-SHA256",
        "Attribute Statements",
        "Group Attribute Statements",
        "groups Unspecified Starts With sonar-",
        "SAML Signing Certificates",
    ):
        assert label in text, label
    assert "<form" not in console.text(f"{APP_URL}?tab=signon").split('data-testid="tab-signon"')[1]


def test_the_integration_form_has_okta_labels(console):
    console.post(f"{APP_URL}general", {"provisioning": "SCIM"})
    html = console.text(f"{APP_URL}?tab=provisioning&section=integration&edit=1")
    for label in (
        '<label for="baseUrl">SCIM connector base URL</label>',
        '<label for="uniqueIdentifierField">Unique identifier field for users</label>',
        "<legend>Supported provisioning actions</legend>",
        ">Import New Users and Profile Updates</label>",
        ">Push New Users</label>",
        ">Push Profile Updates</label>",
        ">Push Groups</label>",
        ">Import Groups</label>",
        '<label for="authMode">Authentication Mode</label>',
        ">Basic Auth</option>",
        ">HTTP Header</option>",
        "disabled>OAuth 2 (not supported)</option>",
        '<label for="token">Authorization</label>',
        ">Test Connector Configuration</button>",
        ">Save</button>",
    ):
        assert label in html, label
    assert 'name="uniqueIdentifierField" value="userName"' in html


def test_saving_a_bad_base_url_shows_the_error_in_the_page(console):
    console.post(f"{APP_URL}general", {"provisioning": "SCIM"})
    response = console.post(
        f"{APP_URL}provisioning/integration",
        [
            ("baseUrl", "not a url"),
            ("uniqueIdentifierField", "userName"),
            ("authMode", "HTTP_HEADER"),
            ("token", "secret-token"),
            ("actions", "PUSH_GROUPS"),
        ],
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Api validation failed: baseUrl" in html
    assert "baseUrl: Must be a valid URL" in html
    assert 'value="not a url"' in html  # the form comes back as typed
    assert "secret-token" not in html  # but never the secret
    assert 'id="action-PUSH_GROUPS" name="actions" value="PUSH_GROUPS" checked' in html


def test_saving_the_integration_stores_it_and_goes_to_to_app(console):
    """Guide steps 4-6, and the Push Groups tab that appears."""
    console.enable_scim()
    stored = console.query("select * from app_provisioning where app_id = ?", [APP_ID])[0]
    assert stored["base_url"] == UNREACHABLE
    assert stored["token"] == "squ_test"
    assert json.loads(stored["actions"]) == [
        "PUSH_NEW_USERS",
        "PUSH_PROFILE_UPDATES",
        "PUSH_GROUPS",
    ]
    html = console.text(APP_URL)
    assert tabs_of(html) == ["General", "Sign On", "Provisioning", "Assignments", "Push Groups"]
    # The secret is never rendered back; a blank field keeps it.
    page = console.text(f"{APP_URL}?tab=provisioning&section=integration&edit=1")
    assert "squ_test" not in page
    assert "A token is stored. Leave blank to keep it." in page
    console.post(
        f"{APP_URL}provisioning/integration",
        [
            ("baseUrl", UNREACHABLE),
            ("uniqueIdentifierField", "userName"),
            ("authMode", "HTTP_HEADER"),
            ("token", ""),
            ("actions", "PUSH_NEW_USERS"),
        ],
    )
    assert console.query("select token from app_provisioning")[0]["token"] == "squ_test"


def test_integration_save_redirects_to_to_app(console):
    console.post(f"{APP_URL}general", {"provisioning": "SCIM"})
    response = console.post(
        f"{APP_URL}provisioning/integration",
        [
            ("baseUrl", UNREACHABLE),
            ("uniqueIdentifierField", "userName"),
            ("authMode", "HTTP_HEADER"),
        ],
    )
    assert response.headers["Location"] == f"{APP_URL}?tab=provisioning&section=to-app"


def test_test_connector_configuration_failure_is_shown_in_the_dialog(console):
    console.post(f"{APP_URL}general", {"provisioning": "SCIM"})
    form = [
        ("baseUrl", UNREACHABLE),
        ("uniqueIdentifierField", "userName"),
        ("authMode", "HTTP_HEADER"),
        ("token", "t"),
    ]
    html = console.post(f"{APP_URL}provisioning/test", form).get_data(as_text=True)
    assert 'data-testid="test-connector-result" data-ok="false"' in html
    assert "Error authenticating: Could not connect to the remote server" in html
    assert "The connector configuration could not be tested." in html
    # The form is still there, not saved.
    assert 'id="integration-form"' in html
    assert console.query("select base_url from app_provisioning")[0]["base_url"] is None
    # The script's request gets the dialog alone, over its dimmed backdrop.
    fragment = console.post(
        f"{APP_URL}provisioning/test", form, headers={"X-Console-Dialog": "1"}
    ).get_data(as_text=True)
    assert fragment.lstrip().startswith('<div class="backdrop"></div>\n<dialog')
    assert "<html" not in fragment
    wire = console.query("select method, url from scim_requests")
    assert wire[-1] == {"method": "GET", "url": f"{UNREACHABLE}/Users?startIndex=1&count=2"}


def test_to_app_shows_the_switches_and_the_mappings(console):
    console.enable_scim()
    html = console.text(f"{APP_URL}?tab=provisioning&section=to-app")
    text = visible_text(html)
    for label in (
        "Provisioning to App",
        "Create Users",
        "Update User Attributes",
        "Deactivate Users",
        "Sync Password",
        "SonarQube Attribute Mappings",
        "givenName user.firstName",
        "familyName user.lastName",
        "email user.email",
        # The push engine's own table (provisioning.attribute_mappings): what the push sends.
        "title user.title",
        "primaryPhoneType (user.primaryPhone != null && user.primaryPhone != '') ? 'work' : ''",
        "department user.department",
        "managerValue user.managerId",
        "managerDisplayName user.manager",
    ):
        assert label in text, label
    assert 'id="switch-lifecycleCreate" name="lifecycleCreate" disabled' in html  # read-only
    edit = console.text(f"{APP_URL}?tab=provisioning&section=to-app&edit=1")
    assert 'id="switch-lifecycleCreate" name="lifecycleCreate">' in edit
    assert 'id="switch-password" disabled' in edit


def test_to_app_save_enables_the_three_switches_and_probes(console):
    """Guide steps 9-10."""
    console.enable_scim()
    response = console.post(
        f"{APP_URL}provisioning/to-app",
        {"lifecycleCreate": "on", "profile": "on", "lifecycleDeactivate": "on"},
    )
    assert response.status_code == 302
    saved = console.text(response.headers["Location"])
    assert 'data-testid="to-app-saved">Your changes have been saved.</p>' in saved
    assert '<span class="switch-state switch-on">Enabled</span>' in saved
    caps = json.loads(console.query("select capabilities from app_features")[0]["capabilities"])
    assert caps["create"]["lifecycleCreate"]["status"] == "ENABLED"
    assert caps["update"]["profile"]["status"] == "ENABLED"
    assert caps["update"]["lifecycleDeactivate"]["status"] == "ENABLED"
    assert caps["update"]["password"]["status"] == "DISABLED"
    html = console.text(f"{APP_URL}?tab=provisioning&section=to-app")
    assert 'name="lifecycleCreate" checked disabled' in html
    # Okta's probe after saving To App with Create Users.
    assert console.query("select url from scim_requests")[-1]["url"].endswith(
        "/Users?startIndex=1&count=2"
    )
    events = [e["event_type"] for e in console.query("select event_type from system_log")]
    assert "application.lifecycle.update" in events


def test_unchecking_a_switch_disables_it(console):
    console.enable_scim()
    console.post(f"{APP_URL}provisioning/to-app", {"lifecycleCreate": "on"})
    console.post(f"{APP_URL}provisioning/to-app", {})
    caps = json.loads(console.query("select capabilities from app_features")[0]["capabilities"])
    assert caps["create"]["lifecycleCreate"]["status"] == "DISABLED"


def test_scim_requests_page_lists_the_wire_newest_first(console):
    console.enable_scim()
    console.post(
        f"{APP_URL}provisioning/test", [("baseUrl", UNREACHABLE), ("authMode", "HTTP_HEADER")]
    )
    console.post(f"{APP_URL}provisioning/to-app", {"lifecycleCreate": "on"})
    html = console.text(f"{APP_URL}scim-requests")
    assert html.count('data-testid="scim-request"') == 2
    assert "GET" in html
    assert "/Users?startIndex=1&amp;count=2" in html
    assert "User-Agent: Okta SCIM Client 1.0.0" in html
    assert "Authorization: Bearer ***" in html
    assert "Could not connect" in html or "Connection refused" in html
    assert ">Refresh</a>" in html


def test_the_scim_requests_page_pages_through_older_exchanges(console):
    console.enable_scim()
    db = console.db()
    try:
        for n in range(150):
            wire_log.record_request(
                db,
                clock.now(db),
                app_id=APP_ID,
                event_id=None,
                method="GET",
                url=f"https://scim.example.com/Users/probe-{n:03d}",
                request_headers={},
                request_body=None,
            )
    finally:
        db.conn.close()

    first = console.text(f"{APP_URL}scim-requests")
    assert "probe-149" in first
    assert "probe-049" not in first
    second = console.text(next_page(first))
    assert "probe-049" in second
    assert "probe-149" not in second
    assert ">First page</a>" in second
