"""App users and app group assignments through the official okta SDK (reference/okta.md §5.6).

Every change that Okta would push downstream is checked in the provisioning outbox.
"""

import json
import os

import pytest
from okta.models import (
    ApplicationGroupAssignment,
    AppUserAssignRequest,
    AppUserCredentials,
    AppUserCredentialsRequestPayload,
    AppUserProfileRequestPayload,
    AppUserUpdateRequest,
    UpdateFeatureForApplicationRequest,
    UpdateUserRequest,
)

os.environ.setdefault("MOCK_OKTA_PBKDF2_ROUNDS", "1000")

from mock_common.db import connect
from mock_okta.applications import assignments
from tests.okta.api_helpers import (
    SONARQUBE_APP,
    SSWS,
    add_member,
    assign_user,
    create_app,
    create_group,
    create_user,
    database,
    enable_provisioning,
    error_of,
    events,
    log_types,
    ok,
    raw,
)


@pytest.fixture
def sonar(sdk):
    """The SonarQube SAML app."""
    app, _ = create_app(sdk)
    return app


def assign_group(sdk, app_id: str, group_id: str, **body):
    assignment = ApplicationGroupAssignment(**{"priority": 0, "profile": {}, **body})
    value, resp = ok(sdk(lambda c: c.assign_group_to_application(app_id, group_id, assignment)))
    return value, raw(resp)


def app_user_ids(sdk, app_id: str) -> dict[str, str]:
    users, _ = ok(sdk(lambda c: c.list_application_users(app_id)))
    return {user.id: user.scope for user in users}


# --- direct assignment --------------------------------------------------------------------------


def test_assign_user_for_sso(sdk, sonar, okta_url, okta_app):
    user = create_user(sdk, "ada.lovelace@example.com")
    app_user, body = assign_user(sdk, sonar.id, user.id)
    assert app_user.id == user.id
    assert app_user.scope == "USER"
    assert (app_user.status.value, app_user.sync_state.value) == ("ACTIVE", "DISABLED")
    assert app_user.external_id is None
    # The default username is the app's userNameTemplate (${source.login}).
    assert app_user.credentials.user_name == "ada.lovelace@example.com"
    assert body["profile"] == {}
    assert body["_links"] == {
        "app": {"href": f"{okta_url}/api/v1/apps/{sonar.id}"},
        "user": {"href": f"{okta_url}/api/v1/users/{user.id}"},
    }
    assert set(body) >= {"created", "lastUpdated", "statusChanged", "passwordChanged", "lastSync"}
    assert events(okta_app, sonar.id) == [("USER_ASSIGNED", {"userId": user.id, "scope": "USER"})]
    assert "application.user_membership.add" in log_types(okta_app)


def test_assign_with_username_and_profile_then_update(sdk, sonar):
    user = create_user(sdk, "ada.lovelace@example.com")
    app_user, _ = assign_user(
        sdk, sonar.id, user.id, credentials={"userName": "ada"}, profile={"role": "Developer"}
    )
    assert app_user.credentials.user_name == "ada"
    assert app_user.profile == {"role": "Developer"}
    update = AppUserUpdateRequest(AppUserProfileRequestPayload(profile={"team": "core"}))
    updated, _ = ok(sdk(lambda c: c.update_application_user(sonar.id, user.id, update)))
    assert updated.profile == {"role": "Developer", "team": "core"}
    rename = AppUserUpdateRequest(
        AppUserCredentialsRequestPayload(credentials=AppUserCredentials(user_name="ada.l"))
    )
    renamed, _ = ok(sdk(lambda c: c.update_application_user(sonar.id, user.id, rename)))
    assert renamed.credentials.user_name == "ada.l"


def test_custom_username_template(sdk):
    body = json.loads(json.dumps(SONARQUBE_APP))
    body["credentials"] = {
        "userNameTemplate": {
            "template": '${fn:substringBefore(source.login, "@")}',
            "type": "BUILT_IN",
        }
    }
    app, _ = create_app(sdk, body)
    user = create_user(sdk, "ada.lovelace@example.com")
    app_user, _ = assign_user(sdk, app.id, user.id)
    assert app_user.credentials.user_name == "ada.lovelace"


def test_get_list_and_unassign(sdk, sonar, okta_app):
    ada = create_user(sdk, "ada.lovelace@example.com")
    alan = create_user(sdk, "alan.turing@example.com")
    grace = create_user(sdk, "grace.hopper@example.com")
    for user in (ada, alan, grace):
        assign_user(sdk, sonar.id, user.id)
    got, _ = ok(sdk(lambda c: c.get_application_user(sonar.id, alan.id)))
    assert got.credentials.user_name == "alan.turing@example.com"

    page, resp = ok(sdk(lambda c: c.list_application_users(sonar.id, limit=2)))
    assert [u.id for u in page] == [ada.id, alan.id]
    assert 'rel="next"' in resp.headers["Link"]
    searched, _ = ok(sdk(lambda c: c.list_application_users(sonar.id, q="gra")))
    assert [u.id for u in searched] == [grace.id]
    by_last_name, _ = ok(sdk(lambda c: c.list_application_users(sonar.id, q="Turing")))
    assert [u.id for u in by_last_name] == [alan.id]
    _expanded, resp = ok(sdk(lambda c: c.list_application_users(sonar.id, q="ada", expand="user")))
    assert raw(resp)[0]["_embedded"]["user"]["profile"]["login"] == "ada.lovelace@example.com"

    _, resp, err = sdk(lambda c: c.unassign_user_from_application(sonar.id, alan.id))
    assert err is None
    assert resp.status_code == 204
    err = error_of(sdk(lambda c: c.get_application_user(sonar.id, alan.id)))
    assert (err.status, err.error_code) == (404, "E0000007")
    assert ("USER_UNASSIGNED", {"userId": alan.id, "externalId": None}) in events(
        okta_app, sonar.id
    )
    assert "application.user_membership.remove" in log_types(okta_app)


def test_deactivated_user_cannot_be_assigned(sdk, sonar):
    user = create_user(sdk, "ada.lovelace@example.com")
    assert error_of(sdk(lambda c: c.deactivate_user(user.id))) is None
    body = AppUserAssignRequest.from_dict({"id": user.id, "scope": "USER"})
    err = error_of(sdk(lambda c: c.assign_user_to_application(sonar.id, body)))
    assert (err.status, err.error_code) == (403, "E0000117")
    assert err.error_summary == "Cannot assign apps or update app profiles for an inactive user."


APPS_BY_MODE = {
    "SAML_2_0": None,  # the `sonar` fixture's app
    "BOOKMARK": {
        "name": "bookmark",
        "label": "Wiki",
        "signOnMode": "BOOKMARK",
        "settings": {"app": {"url": "https://wiki.example.com"}},
    },
    "AUTO_LOGIN": {
        "label": "Portal",
        "signOnMode": "AUTO_LOGIN",
        "settings": {"signOn": {"loginUrl": "https://portal.example.com/login"}},
    },
    "BASIC_AUTH": {
        "name": "template_basic_auth",
        "label": "Intranet",
        "signOnMode": "BASIC_AUTH",
        "settings": {
            "app": {"url": "https://intra.example.com", "authURL": "https://intra.example.com/auth"}
        },
    },
    "SECURE_PASSWORD_STORE": {
        "name": "template_sps",
        "label": "Payroll",
        "signOnMode": "SECURE_PASSWORD_STORE",
        "settings": {
            "app": {
                "url": "https://payroll.example.com/login",
                "usernameField": "#user",
                "passwordField": "#pass",
            }
        },
    },
}
#: Real Okta keeps an app user's password only where the credentials scheme holds one.
HOLDS_PASSWORD = {
    "SAML_2_0": False,
    "BOOKMARK": False,
    "AUTO_LOGIN": True,
    "BASIC_AUTH": True,
    "SECURE_PASSWORD_STORE": True,
}


@pytest.mark.parametrize("mode", sorted(APPS_BY_MODE))
def test_credentials_with_a_password_are_accepted_and_kept_as_the_scheme_holds(
    okta, sdk, sonar, mode
):
    user = create_user(sdk, "ada.lovelace@example.com")
    app_id = sonar.id
    if APPS_BY_MODE[mode]:
        created = okta.post("/api/v1/apps", headers=SSWS, json=APPS_BY_MODE[mode])
        assert created.status_code == 200, created.get_data(as_text=True)
        app_id = created.get_json()["id"]
    response = okta.post(
        f"/api/v1/apps/{app_id}/users",
        headers=SSWS,
        json={
            "id": user.id,
            "scope": "USER",
            "credentials": {"userName": "ada", "password": {"value": "secret123"}},
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    expected = {"userName": "ada", **({"password": {}} if HOLDS_PASSWORD[mode] else {})}
    assert response.get_json()["credentials"] == expected
    again = okta.get(f"/api/v1/apps/{app_id}/users/{user.id}", headers=SSWS).get_json()
    assert again["credentials"] == expected
    assert "secret123" not in response.get_data(as_text=True)


def test_unknown_user_and_app_user(okta, sonar):
    response = okta.post(
        f"/api/v1/apps/{sonar.id}/users", headers=SSWS, json={"id": "00u00000000000000000"}
    )
    assert (response.status_code, response.get_json()["errorSummary"]) == (
        404,
        "Not found: Resource not found: 00u00000000000000000 (User)",
    )
    response = okta.delete(f"/api/v1/apps/{sonar.id}/users/00u00000000000000000", headers=SSWS)
    assert (response.status_code, response.get_json()["errorCode"]) == (404, "E0000007")


# --- group assignment ---------------------------------------------------------------------------


def test_group_members_become_group_app_users(sdk, sonar, okta_url, okta_app):
    group = create_group(sdk, "sonar-developers")
    ada = create_user(sdk, "ada.lovelace@example.com")
    add_member(sdk, group.id, ada.id)
    assignment, body = assign_group(sdk, sonar.id, group.id)
    assert (assignment.id, assignment.priority) == (group.id, 0)
    assert body["_links"]["group"]["href"] == f"{okta_url}/api/v1/groups/{group.id}"
    assert body["_links"]["app"]["href"] == f"{okta_url}/api/v1/apps/{sonar.id}"
    app_user, resp = ok(sdk(lambda c: c.get_application_user(sonar.id, ada.id)))
    assert app_user.scope == "GROUP"
    assert raw(resp)["_links"]["group"]["href"] == f"{okta_url}/api/v1/groups/{group.id}"

    alan = create_user(sdk, "alan.turing@example.com")
    add_member(sdk, group.id, alan.id)  # a new member gets the app
    assert app_user_ids(sdk, sonar.id) == {ada.id: "GROUP", alan.id: "GROUP"}
    assert error_of(sdk(lambda c: c.unassign_user_from_group(group.id, alan.id))) is None
    assert app_user_ids(sdk, sonar.id) == {ada.id: "GROUP"}
    assert events(okta_app, sonar.id) == [
        ("USER_ASSIGNED", {"userId": ada.id, "scope": "GROUP"}),
        ("USER_ASSIGNED", {"userId": alan.id, "scope": "GROUP"}),
        ("USER_UNASSIGNED", {"userId": alan.id, "externalId": None}),
    ]
    assert "group.application_assignment.add" in log_types(okta_app)


def test_group_assignments_list_get_and_remove(sdk, sonar, okta_app):
    developers = create_group(sdk, "sonar-developers")
    qa = create_group(sdk, "sonar-qa")
    ada = create_user(sdk, "ada.lovelace@example.com")
    add_member(sdk, developers.id, ada.id)
    assign_group(sdk, sonar.id, developers.id)
    _, body = assign_group(sdk, sonar.id, qa.id, priority=1)
    assert body["priority"] == 1

    listed, _ = ok(sdk(lambda c: c.list_application_group_assignments(sonar.id)))
    assert [a.id for a in listed] == [developers.id, qa.id]
    only_qa, _ = ok(sdk(lambda c: c.list_application_group_assignments(sonar.id, q="sonar-q")))
    assert [a.id for a in only_qa] == [qa.id]
    _one, resp = ok(
        sdk(lambda c: c.get_application_group_assignment(sonar.id, developers.id, expand="group"))
    )
    assert raw(resp)["_embedded"]["group"]["profile"]["name"] == "sonar-developers"

    _, resp, err = sdk(lambda c: c.unassign_application_from_group(sonar.id, developers.id))
    assert err is None
    assert resp.status_code == 204
    assert app_user_ids(sdk, sonar.id) == {}
    assert events(okta_app, sonar.id)[-1] == (
        "USER_UNASSIGNED",
        {"userId": ada.id, "externalId": None},
    )
    err = error_of(sdk(lambda c: c.get_application_group_assignment(sonar.id, developers.id)))
    assert (err.status, err.error_code) == (404, "E0000007")


def test_direct_assignment_outlives_the_group(sdk, sonar):
    group = create_group(sdk, "sonar-developers")
    ada = create_user(sdk, "ada.lovelace@example.com")
    add_member(sdk, group.id, ada.id)
    assign_group(sdk, sonar.id, group.id)
    app_user, _ = assign_user(sdk, sonar.id, ada.id)  # GROUP becomes USER
    assert app_user.scope == "USER"
    assert error_of(sdk(lambda c: c.unassign_application_from_group(sonar.id, group.id))) is None
    assert app_user_ids(sdk, sonar.id) == {ada.id: "USER"}


def test_group_scoped_app_user_cannot_be_unassigned(sdk, sonar):
    group = create_group(sdk, "sonar-developers")
    ada = create_user(sdk, "ada.lovelace@example.com")
    add_member(sdk, group.id, ada.id)
    assign_group(sdk, sonar.id, group.id)
    err = error_of(sdk(lambda c: c.unassign_user_from_application(sonar.id, ada.id)))
    assert (err.status, err.error_code, err.error_summary) == (
        403,
        "E0000046",
        "Deactivate application for user forbidden.",
    )
    assert err.error_causes == [
        {
            "errorSummary": (
                "The application cannot be unassigned from the user while their group memberships "
                "grant them access"
            )
        }
    ]
    assign_user(sdk, sonar.id, ada.id)  # a direct assignment does not lift the refusal
    err = error_of(sdk(lambda c: c.unassign_user_from_application(sonar.id, ada.id)))
    assert err.error_code == "E0000046"


def test_unknown_group(okta, sonar):
    response = okta.put(
        f"/api/v1/apps/{sonar.id}/groups/00g00000000000000000", headers=SSWS, json={}
    )
    assert response.status_code == 404
    assert response.get_json()["errorSummary"] == (
        "Not found: Resource not found: 00g00000000000000000 (UserGroup)"
    )


# --- reactions to the directory -----------------------------------------------------------------


def test_deactivation_revokes_every_app_user(sdk, sonar, okta_app):
    group = create_group(sdk, "sonar-developers")
    ada = create_user(sdk, "ada.lovelace@example.com")
    add_member(sdk, group.id, ada.id)
    assign_group(sdk, sonar.id, group.id)
    wiki, _ = create_app(
        sdk,
        {
            "name": "bookmark",
            "label": "Wiki",
            "signOnMode": "BOOKMARK",
            "settings": {"app": {"url": "https://wiki.example.com"}},
        },
    )
    assign_user(sdk, wiki.id, ada.id)
    assert error_of(sdk(lambda c: c.deactivate_user(ada.id))) is None
    assert app_user_ids(sdk, sonar.id) == {} == app_user_ids(sdk, wiki.id)
    for app_id in (sonar.id, wiki.id):
        assert events(okta_app, app_id)[-1] == (
            "USER_DEACTIVATED",
            {"userId": ada.id, "externalId": None},
        )
    ok(sdk(lambda c: c.activate_user(ada.id, send_email=False)))
    # Okta restores group-based assignments on reactivation, not direct ones.
    assert app_user_ids(sdk, sonar.id) == {ada.id: "GROUP"}
    assert app_user_ids(sdk, wiki.id) == {}


def test_profile_change_is_pushed_for_provisioned_app_users(sdk, sonar, okta_app):
    ada = create_user(sdk, "ada.lovelace@example.com")
    assign_user(sdk, sonar.id, ada.id)
    with database(okta_app) as conn:
        conn.execute(
            "update app_users set external_id = 'scim-1', status = 'PROVISIONED' where user_id = ?",
            [ada.id],
        )
    update = UpdateUserRequest.from_dict(
        {"profile": {"login": "ada@example.com", "title": "Countess"}}
    )
    ok(sdk(lambda c: c.update_user(ada.id, update)))
    kind, payload = events(okta_app, sonar.id)[-1]
    assert kind == "USER_PROFILE_CHANGED"
    assert payload["userId"] == ada.id
    assert payload["externalId"] == "scim-1"
    assert {"login", "title"} <= set(payload["changed"])
    app_user, _ = ok(sdk(lambda c: c.get_application_user(sonar.id, ada.id)))
    assert app_user.credentials.user_name == "ada@example.com"  # ${source.login} follows


def test_push_provisioning_stages_new_app_users(sdk, sonar, okta_app):
    enable_provisioning(okta_app, sonar.id)
    body = UpdateFeatureForApplicationRequest.from_dict(
        {"create": {"lifecycleCreate": {"status": "ENABLED"}}}
    )
    ok(sdk(lambda c: c.update_feature_for_application(sonar.id, "USER_PROVISIONING", body)))
    ada = create_user(sdk, "ada.lovelace@example.com")
    app_user, _ = assign_user(sdk, sonar.id, ada.id)
    assert (app_user.status.value, app_user.sync_state.value) == ("STAGED", "SYNCING")


def test_users_assigned_before_provisioning_are_flagged_when_it_is_enabled(sdk, sonar, okta_app):
    ada = create_user(sdk, "ada.lovelace@example.com")
    assign_user(sdk, sonar.id, ada.id)
    db = connect(okta_app.config["DATABASE"])
    try:
        assert assignments.flag_assigned_before_provisioning(db, sonar.id) == 1
        row = assignments.get_app_user(db, sonar.id, ada.id)
        assert row["provisioned_before_enabled"] == 1
    finally:
        db.conn.close()


def test_app_links_of_a_user(sdk, sonar, okta_app):
    ada = create_user(sdk, "ada.lovelace@example.com")
    assign_user(sdk, sonar.id, ada.id)
    db = connect(okta_app.config["DATABASE"])
    try:
        links = assignments.app_links(db, ada.id, "http://okta.test")
    finally:
        db.conn.close()
    assert len(links) == 1
    link = links[0]
    assert (link["appInstanceId"], link["appName"], link["label"]) == (
        sonar.id,
        "devenvorg_sonarqube_1",
        "SonarQube",
    )
    assert link["linkUrl"].startswith(f"http://okta.test/home/devenvorg_sonarqube_1/{sonar.id}/aln")
    assert link["appAssignmentId"].startswith("0ua")
    assert len(link["appAssignmentId"]) == 20
    assert link["hidden"] is True  # the SonarQube app hides its tile (SP-initiated only)
    served, _ = ok(sdk(lambda c: c.list_app_links(ada.id)))
    assert [each.app_instance_id for each in served] == [sonar.id]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ({"template": "${source.login}", "type": "BUILT_IN"}, "ada.lovelace@example.com"),
        ({"template": "${source.email}", "type": "BUILT_IN"}, "ada@math.example.com"),
        (
            {"template": '${fn:substringBefore(source.login, "@")}', "type": "BUILT_IN"},
            "ada.lovelace",
        ),
        ({"template": "${fn:toLowerCase(source.firstName)}", "type": "CUSTOM"}, "ada"),
        ({"template": "${source.firstName}", "type": "BUILT_IN", "userSuffix": "corp"}, "Ada@corp"),
        ({"template": "${source.login}", "type": "NONE"}, "ada.lovelace@example.com"),
    ],
)
def test_username_templates(template, expected):
    profile = {
        "login": "ada.lovelace@example.com",
        "email": "ada@math.example.com",
        "firstName": "Ada",
    }
    assert assignments.evaluate_user_name(template, profile) == expected
