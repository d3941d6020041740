"""Applications through the official okta SDK (reference/okta.md §5.6, §6; SPEC §3).

Helpers here are shared by the other app test modules.
"""

import json
import os

os.environ.setdefault("MOCK_OKTA_PBKDF2_ROUNDS", "1000")

import pytest
from okta.models import (
    SamlApplication,
)

from tests.okta.api_helpers import (
    SONAR,
    SONARQUBE_APP,
    SSWS,
    UNSPECIFIED,
    assign_user,
    create_app,
    create_group,
    create_user,
    error_of,
    log_types,
    ok,
    raw,
)


def test_sonarqube_saml_app(sdk, okta_url):
    app, body = create_app(sdk)
    assert app.id.startswith("0oa")
    assert len(app.id) == 20
    assert type(app).__name__ == "SamlApplication"
    assert app.name == "devenvorg_sonarqube_1"
    assert app.label == "SonarQube"
    assert app.status.value == "ACTIVE"
    sign_on = app.settings.sign_on
    assert (
        sign_on.sso_acs_url
        == sign_on.recipient
        == sign_on.destination
        == (f"{SONAR}/oauth2/callback/saml")
    )
    assert sign_on.audience == "sonarqube"
    assert sign_on.idp_issuer == "http://www.okta.com/${org.externalKey}"
    assert (sign_on.response_signed, sign_on.assertion_signed) == (True, True)
    assert (sign_on.signature_algorithm, sign_on.digest_algorithm) == ("RSA_SHA256", "SHA256")
    assert sign_on.honor_force_authn is True
    assert sign_on.authn_context_class_ref == (
        "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
    )
    assert app.credentials.user_name_template.template == "${source.login}"
    assert app.credentials.user_name_template.type == "BUILT_IN"
    assert len(app.credentials.signing.kid) == 43
    assert app.visibility.hide.web is True
    assert app.visibility.app_links == {"devenvorg_sonarqube_1_link": True}
    assert app.features == []
    links = app.links
    assert links.metadata.href == f"{okta_url}/api/v1/apps/{app.id}/sso/saml/metadata"
    assert links.metadata.type == "application/xml"
    assert links.users.href == f"{okta_url}/api/v1/apps/{app.id}/users"
    assert links.groups.href == f"{okta_url}/api/v1/apps/{app.id}/groups"
    assert links.deactivate.href == f"{okta_url}/api/v1/apps/{app.id}/lifecycle/deactivate"
    assert links.app_links[0].href.startswith(f"{okta_url}/home/devenvorg_sonarqube_1/{app.id}/aln")
    # The SDK's model drops attribute statements (anyOf); the wire carries them.
    statements = body["settings"]["signOn"]["attributeStatements"]
    assert statements == SONARQUBE_APP["settings"]["signOn"]["attributeStatements"]
    assert "_internal" not in body


def test_get_returns_what_was_created(sdk):
    app, created = create_app(sdk)
    fetched, resp = ok(sdk(lambda c: c.get_application(app.id)))
    assert raw(resp) == created
    assert fetched.name == app.name


def test_same_label_gets_the_next_name_and_activate_false_is_inactive(sdk):
    create_app(sdk)
    second, body = create_app(sdk, activate=False)
    assert second.name == "devenvorg_sonarqube_2"
    assert second.status.value == "INACTIVE"
    assert body["_links"]["activate"]["href"].endswith(f"/apps/{second.id}/lifecycle/activate")
    assert "deactivate" not in body["_links"]


def test_group_statement_filters_round_trip(sdk):
    body = json.loads(json.dumps(SONARQUBE_APP))
    statements = [
        {
            "type": "GROUP",
            "name": f"g{kind}",
            "namespace": UNSPECIFIED,
            "filterType": kind,
            "filterValue": "sonar-",
        }
        for kind in ("STARTS_WITH", "EQUALS", "CONTAINS", "REGEX")
    ]
    body["settings"]["signOn"]["attributeStatements"] = statements
    _, created = create_app(sdk, body)
    assert created["settings"]["signOn"]["attributeStatements"] == statements


# --- the other sign-on modes --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "model", "name"),
    [
        (
            {
                "name": "bookmark",
                "label": "Sample Bookmark App",
                "signOnMode": "BOOKMARK",
                "settings": {
                    "app": {"url": "https://example.com/bookmark.html", "requestIntegration": False}
                },
            },
            "BookmarkApplication",
            "bookmark",
        ),
        (
            {
                "label": "Custom SWA App",
                "signOnMode": "AUTO_LOGIN",
                "settings": {
                    "signOn": {
                        "loginUrl": "http://swaprimaryloginurl.okta.com",
                        "redirectUrl": "http://swasecondaryredirecturl.okta.com",
                    }
                },
            },
            "AutoLoginApplication",
            "devenvorg_customswaapp_1",
        ),
        (
            {
                "name": "template_basic_auth",
                "label": "Sample Basic Auth App",
                "signOnMode": "BASIC_AUTH",
                "settings": {
                    "app": {
                        "url": "https://example.com/login.html",
                        "authURL": "https://example.com/auth.html",
                    }
                },
            },
            "BasicAuthApplication",
            "template_basic_auth",
        ),
        (
            {
                "name": "template_sps",
                "label": "Sample Secure Password Store App",
                "signOnMode": "SECURE_PASSWORD_STORE",
                "settings": {
                    "app": {
                        "url": "https://example.com/login.html",
                        "usernameField": "#txtbox-username",
                        "passwordField": "#txtbox-password",
                        "optionalField1": "param1",
                        "optionalField1Value": "somevalue",
                    }
                },
            },
            "SecurePasswordStoreApplication",
            "template_sps",
        ),
    ],
)
def test_other_sign_on_modes_round_trip_their_settings(sdk, body, model, name):
    app, created = create_app(sdk, body)
    assert type(app).__name__ == model
    assert app.name == name
    assert created["signOnMode"] == body["signOnMode"]
    for key, value in body["settings"].items():
        assert {k: created["settings"][key][k] for k in value} == value
    _fetched, resp = ok(sdk(lambda c: c.get_application(app.id)))
    assert raw(resp) == created
    assert created["credentials"]["userNameTemplate"] == {
        "template": "${source.login}",
        "type": "BUILT_IN",
    }


def test_swa_apps_have_a_credentials_scheme(sdk):
    _, created = create_app(
        sdk,
        {
            "label": "SWA",
            "signOnMode": "AUTO_LOGIN",
            "settings": {"signOn": {"loginUrl": "https://example.com"}},
        },
    )
    assert created["credentials"]["scheme"] == "EDIT_USERNAME_AND_PASSWORD"
    assert created["settings"]["signOn"] == {"redirectUrl": None, "loginUrl": "https://example.com"}


def test_openid_connect_app_gets_a_client_id_and_secret(sdk):
    body = {
        "name": "oidc_client",
        "label": "Sample Client profile",
        "signOnMode": "OPENID_CONNECT",
        "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_post"}},
        "profile": {"label": "oauth2 client app 1"},
        "settings": {
            "oauthClient": {
                "client_uri": "http://localhost:8080",
                "redirect_uris": ["https://example.com/oauth2/callback", "myapp://callback"],
                "response_types": ["token", "id_token", "code"],
                "grant_types": ["authorization_code"],
                "application_type": "native",
            }
        },
    }
    app, created = create_app(sdk, body)
    assert type(app).__name__ == "OpenIdConnectApplication"
    client = app.credentials.oauth_client
    assert client.client_id == app.id
    assert len(client.client_secret) >= 14
    assert client.token_endpoint_auth_method.value == "client_secret_post"
    settings = created["settings"]["oauthClient"]
    assert settings["redirect_uris"] == ["https://example.com/oauth2/callback", "myapp://callback"]
    assert settings["grant_types"] == ["authorization_code"]
    assert settings["application_type"] == "native"
    assert created["profile"] == {"label": "oauth2 client app 1"}
    assert created["visibility"]["appLinks"] == {"oidc_client_link": True}


# --- list, replace, lifecycle -------------------------------------------------------------------


def test_list_with_q_filter_and_paging(sdk, okta_app):
    sonar, _ = create_app(sdk)
    bookmark, _ = create_app(
        sdk,
        {
            "name": "bookmark",
            "label": "Wiki",
            "signOnMode": "BOOKMARK",
            "settings": {"app": {"url": "https://wiki.example.com"}},
        },
    )
    inactive, _ = create_app(
        sdk,
        {
            "name": "bookmark",
            "label": "Old wiki",
            "signOnMode": "BOOKMARK",
            "settings": {"app": {"url": "https://old.example.com"}},
        },
        activate=False,
    )

    def labels(**params):
        apps, _ = ok(sdk(lambda c: c.list_applications(**params)))
        return [app.label for app in apps]

    assert labels() == ["SonarQube", "Wiki", "Old wiki"]
    assert labels(q="so") == ["SonarQube"]
    assert labels(q="devenvorg_") == ["SonarQube"]
    assert labels(filter='status eq "INACTIVE"') == ["Old wiki"]
    assert labels(filter='name eq "bookmark"') == ["Wiki", "Old wiki"]
    assert labels(filter=f'id eq "{sonar.id}"') == ["SonarQube"]

    apps, resp = ok(sdk(lambda c: c.list_applications(limit=2)))
    assert [a.id for a in apps] == [sonar.id, bookmark.id]
    assert f"after={bookmark.id}" in resp.headers["Link"]
    assert 'rel="next"' in resp.headers["Link"]
    rest, resp = ok(sdk(lambda c: c.list_applications(limit=2, after=bookmark.id)))
    assert [a.id for a in rest] == [inactive.id]
    assert 'rel="next"' not in resp.headers["Link"]


def test_list_by_assigned_user_and_group(sdk, okta_app):
    sonar, _ = create_app(sdk)
    create_app(
        sdk,
        {
            "name": "bookmark",
            "label": "Wiki",
            "signOnMode": "BOOKMARK",
            "settings": {"app": {"url": "https://wiki.example.com"}},
        },
    )
    user = create_user(sdk, "ada.lovelace@example.com")
    group = create_group(sdk, "sonar-developers")
    assign_user(sdk, sonar.id, user.id)
    ok(sdk(lambda c: c.assign_group_to_application(sonar.id, group.id)))
    by_user, _ = ok(sdk(lambda c: c.list_applications(filter=f'user.id eq "{user.id}"')))
    by_group, _ = ok(sdk(lambda c: c.list_applications(filter=f'group.id eq "{group.id}"')))
    assert [a.id for a in by_user] == [sonar.id] == [a.id for a in by_group]
    # Okta embeds the app user object; the SDK's ApplicationEmbedded model (a map of objects)
    # cannot read it, as against a real org, so this one is checked over plain HTTP.
    response = okta_app.test_client().get(
        "/api/v1/apps",
        headers=SSWS,
        query_string={"filter": f'user.id eq "{user.id}"', "expand": f"user/{user.id}"},
    )
    embedded = response.get_json()[0]["_embedded"]["user"]
    assert (embedded["id"], embedded["scope"]) == (user.id, "USER")


@pytest.mark.parametrize(
    "expression",
    ['label eq "x"', "status eq ACTIVE", 'status sw "A"', 'status eq "ACTIVE" and name eq "x"'],
)
def test_unsupported_filters_are_refused(okta, expression):
    response = okta.get("/api/v1/apps", headers=SSWS, query_string={"filter": expression})
    assert response.status_code == 400
    assert response.get_json()["errorCode"] == "E0000031"


def test_replace_keeps_system_assigned_properties(sdk):
    app, created = create_app(sdk)
    body = json.loads(json.dumps(SONARQUBE_APP))
    body["label"] = "SonarQube Enterprise"
    body["settings"]["signOn"]["audience"] = "sonarqube-prod"
    model = SamlApplication.from_dict(body)
    _replaced, resp = ok(sdk(lambda c: c.replace_application(app.id, model)))
    after = raw(resp)
    assert after["label"] == "SonarQube Enterprise"
    assert after["settings"]["signOn"]["audience"] == "sonarqube-prod"
    for key in ("id", "name", "status", "created", "credentials"):
        assert after[key] == created[key]


def test_deactivate_then_delete(sdk, okta_app):
    app, _ = create_app(sdk)
    err = error_of(sdk(lambda c: c.delete_application(app.id)))
    assert (err.status, err.error_code, err.error_summary) == (
        403,
        "E0000056",
        "Delete application forbidden.",
    )
    assert err.error_causes == [
        {"errorSummary": "The application must be deactivated before deletion."}
    ]
    ok(sdk(lambda c: c.deactivate_application(app.id)))
    fetched, _ = ok(sdk(lambda c: c.get_application(app.id)))
    assert fetched.status.value == "INACTIVE"
    _, resp, err = sdk(lambda c: c.delete_application(app.id))
    assert err is None
    assert resp.status_code == 204
    _, _, err = sdk(lambda c: c.get_application(app.id))
    assert (err.status, err.error_code) == (404, "E0000007")
    assert err.error_summary == f"Not found: Resource not found: {app.id} (AppInstance)"
    assert [t for t in log_types(okta_app) if t.startswith("application.lifecycle")] == [
        "application.lifecycle.create",
        "application.lifecycle.activate",
        "application.lifecycle.deactivate",
        "application.lifecycle.delete",
    ]


def test_activate_and_deactivate_answer_an_empty_object(okta, sdk):
    app, _ = create_app(sdk, activate=False)
    response = okta.post(f"/api/v1/apps/{app.id}/lifecycle/activate", headers=SSWS)
    assert (response.status_code, response.get_json()) == (200, {})
    assert okta.get(f"/api/v1/apps/{app.id}", headers=SSWS).get_json()["status"] == "ACTIVE"


# --- validation ---------------------------------------------------------------------------------


def post_app(okta, body: dict):
    response = okta.post("/api/v1/apps", headers=SSWS, json=body)
    return response.status_code, response.get_json()


@pytest.mark.parametrize(
    ("change", "causes"),
    [
        ({"ssoAcsUrl": None}, ["ssoAcsUrl: The field cannot be left blank"]),
        ({"ssoAcsUrl": "not a url"}, ["ssoAcsUrl: Does not match required pattern"]),
        (
            {"signatureAlgorithm": "RSA-SHA256"},
            ["signatureAlgorithm: Does not match required pattern"],
        ),
        (
            {"responseSigned": False, "assertionSigned": False},
            ["assertionSigned: Either responseSigned or assertionSigned must be true"],
        ),
        (
            {
                "attributeStatements": [
                    {"type": "GROUP", "name": "groups", "filterType": "LIKE", "filterValue": "x"}
                ]
            },
            ["attributeStatements.filterType: Does not match required pattern"],
        ),
    ],
)
def test_saml_validation_errors(okta, change, causes):
    body = json.loads(json.dumps(SONARQUBE_APP))
    body["settings"]["signOn"].update(change)
    body["settings"]["signOn"] = {
        k: v for k, v in body["settings"]["signOn"].items() if v is not None
    }
    status, error = post_app(okta, body)
    assert status == 400
    assert error["errorCode"] == "E0000001"
    assert error["errorSummary"] == f"Api validation failed: {causes[0].split(':')[0]}"
    assert [c["errorSummary"] for c in error["errorCauses"]] == causes


def test_custom_saml_app_cannot_be_given_a_name(okta):
    status, error = post_app(okta, {**SONARQUBE_APP, "name": "sonarqube"})
    assert (status, error["errorCode"]) == (400, "E0000001")
    assert error["errorSummary"] == "Api validation failed: name"


@pytest.mark.parametrize(
    ("body", "cause"),
    [
        ({"signOnMode": "SAML_2_0"}, "label: The field cannot be left blank"),
        ({"label": "x"}, "signOnMode: The field cannot be left blank"),
        (
            {"name": "bookmark", "label": "x", "signOnMode": "BOOKMARK", "settings": {"app": {}}},
            "url: The field cannot be left blank",
        ),
    ],
)
def test_required_fields(okta, body, cause):
    status, error = post_app(okta, body)
    assert (status, error["errorCode"]) == (400, "E0000001")
    assert error["errorCauses"] == [{"errorSummary": cause}]


def test_unknown_app_and_bad_token(okta):
    response = okta.get("/api/v1/apps/0oa00000000000000000", headers=SSWS)
    assert response.status_code == 404
    assert response.get_json()["errorCode"] == "E0000007"
    response = okta.get("/api/v1/apps", headers={"Authorization": "SSWS nope"})
    assert (response.status_code, response.get_json()["errorCode"]) == (401, "E0000011")
