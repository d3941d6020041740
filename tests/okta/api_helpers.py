"""What the Okta API tests share: the SSWS header, a SonarQube SAML app body, SDK call helpers,
and reads of the org's database for what the API does not show (outbox, System Log)."""

import json
import sqlite3

from okta.models import (
    AddGroupRequest,
    Application,
    AppUserAssignRequest,
    CreateUserRequest,
    SamlApplication,
)

from mock_okta.config import DEFAULT_API_TOKEN

SSWS = {"Authorization": f"SSWS {DEFAULT_API_TOKEN}"}
SONAR = "http://localhost:9000"
UNSPECIFIED = "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"
#: The SonarQube app as SonarQube's Okta guide configures it (SPEC §3).
SONARQUBE_APP = {
    "label": "SonarQube",
    "signOnMode": "SAML_2_0",
    "visibility": {"autoSubmitToolbar": False, "hide": {"iOS": True, "web": True}},
    "settings": {
        "signOn": {
            "ssoAcsUrl": f"{SONAR}/oauth2/callback/saml",
            "audience": "sonarqube",
            "recipient": f"{SONAR}/oauth2/callback/saml",
            "destination": f"{SONAR}/oauth2/callback/saml",
            "subjectNameIdTemplate": "${user.userName}",
            "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
            "responseSigned": True,
            "assertionSigned": True,
            "signatureAlgorithm": "RSA_SHA256",
            "digestAlgorithm": "SHA256",
            "attributeStatements": [
                {
                    "type": "EXPRESSION",
                    "name": "login",
                    "namespace": UNSPECIFIED,
                    "values": ["user.login"],
                },
                {
                    "type": "EXPRESSION",
                    "name": "name",
                    "namespace": UNSPECIFIED,
                    "values": ['user.firstName + " " + user.lastName'],
                },
                {
                    "type": "EXPRESSION",
                    "name": "email",
                    "namespace": UNSPECIFIED,
                    "values": ["user.email"],
                },
                {
                    "type": "GROUP",
                    "name": "groups",
                    "namespace": UNSPECIFIED,
                    "filterType": "STARTS_WITH",
                    "filterValue": "sonar-",
                },
            ],
        }
    },
}


# --- helpers shared with the other app test modules ---------------------------------------------


def ok(result):
    """The result of an SDK call that must succeed."""
    value, resp, err = result
    assert err is None, err
    return value, resp


def error_of(result):
    """The error of an SDK call (calls answering 204 return (response, error) on failure)."""
    return result[-1]


def raw(resp) -> dict | list:
    """The JSON body the SDK received (its models drop some fields; see the SAML test)."""
    return json.loads(resp.raw_data)


def create_app(sdk, body: dict | None = None, **kwargs):
    """POST /api/v1/apps through the SDK; returns (model, raw JSON)."""
    body = body or SONARQUBE_APP
    # Application.from_dict loses attribute statements (it model_validates the anyOf list);
    # the concrete class's from_dict keeps them.
    model = (
        SamlApplication.from_dict(body)
        if body["signOnMode"] == "SAML_2_0"
        else (Application.from_dict(body))
    )
    app, resp = ok(sdk(lambda c: c.create_application(model, **kwargs)))
    return app, raw(resp)


def create_user(sdk, login: str, **profile):
    """An ACTIVE user through the SDK."""
    first, last = login.split("@")[0].split(".") if "." in login.split("@")[0] else (login, "X")
    body = {
        "profile": {
            "firstName": first.title(),
            "lastName": last.title(),
            "email": login,
            "login": login,
            **profile,
        },
        "credentials": {"password": {"value": "Passw0rd!xyz"}},
    }
    user, _ = ok(sdk(lambda c: c.create_user(CreateUserRequest.from_dict(body))))
    return user


def create_group(sdk, name: str, description: str | None = None):
    """An OKTA_GROUP through the SDK."""
    body = {"profile": {"name": name, "description": description or name}}
    group, _ = ok(sdk(lambda c: c.add_group(AddGroupRequest.from_dict(body))))
    return group


def add_member(sdk, group_id: str, user_id: str) -> None:
    """PUT /api/v1/groups/{gid}/users/{uid} through the SDK."""
    ok(sdk(lambda c: c.assign_user_to_group(group_id, user_id)))


def assign_user(sdk, app_id: str, user_id: str, **body):
    """POST /api/v1/apps/{appId}/users through the SDK; returns (model, raw JSON)."""
    request = AppUserAssignRequest.from_dict({"id": user_id, "scope": "USER", **body})
    app_user, resp = ok(sdk(lambda c: c.assign_user_to_application(app_id, request)))
    return app_user, raw(resp)


def database(okta_app) -> sqlite3.Connection:
    """A direct connection to the org's database (for the provisioning outbox)."""
    conn = sqlite3.connect(okta_app.config["DATABASE"])
    conn.row_factory = sqlite3.Row
    return conn


def events(okta_app, app_id: str) -> list[tuple[str, dict]]:
    """The app's provisioning events, oldest first, as (kind, payload)."""
    with database(okta_app) as conn:
        rows = conn.execute(
            "select kind, payload from provisioning_events where app_id = ? order by id", [app_id]
        ).fetchall()
    return [(row["kind"], json.loads(row["payload"])) for row in rows]


def enable_provisioning(okta_app, app_id: str, actions=("PUSH_NEW_USERS", "PUSH_GROUPS")) -> None:
    """General > Enable SCIM provisioning (the simulator's console action comes later)."""
    conn = database(okta_app)
    with conn:
        conn.execute(
            "insert or replace into app_provisioning (app_id, enabled, base_url, actions) "
            "values (?, 1, ?, ?)",
            [app_id, f"{SONAR}/api/scim/v2", json.dumps(list(actions))],
        )
    conn.close()


def log_types(okta_app) -> list[str]:
    """System Log event types, oldest first."""
    with database(okta_app) as conn:
        return [row[0] for row in conn.execute("select event_type from system_log order by seq")]


# --- the SonarQube SAML app ---------------------------------------------------------------------
