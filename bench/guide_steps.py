"""The guide's setup, over HTTP, as every benchmark takes it: SCIM on in SonarQube with an admin
token (its "Configuring SonarQube Server" and Step 1), then Okta's app provisioning to it (Steps
2-10: the SCIM connection, To App's Create Users, Update User Attributes, Deactivate Users)."""

import requests

SONAR_ADMIN = ("admin", "admin")


def enable_scim_in_sonarqube(sonar_url: str, token_name: str = "bench") -> str:
    """SCIM on in SonarQube; a new user token of the local admin, for Okta."""
    with requests.Session() as admin:
        admin.auth = SONAR_ADMIN
        admin.post(f"{sonar_url}/api/scim_management/enable").raise_for_status()
        reply = admin.post(f"{sonar_url}/api/user_tokens/generate", data={"name": token_name})
        reply.raise_for_status()
        return reply.json()["token"]


def provision_app_to(
    okta: requests.Session, okta_url: str, app_id: str, scim_url: str, token: str
) -> None:
    """Okta's app pushes users and groups to `scim_url` with the token (`okta` carries SSWS)."""
    okta.put(
        f"{okta_url}/_mock/apps/{app_id}/provisioning",
        json={
            "enabled": True,
            "baseUrl": scim_url,
            "uniqueIdentifierField": "userName",
            "actions": ["PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_GROUPS"],
            "authMode": "HTTP_HEADER",
            "token": token,
        },
    ).raise_for_status()
    okta.put(
        f"{okta_url}/api/v1/apps/{app_id}/features/USER_PROVISIONING",
        json={
            "create": {"lifecycleCreate": {"status": "ENABLED"}},
            "update": {
                "lifecycleDeactivate": {"status": "ENABLED"},
                "profile": {"status": "ENABLED"},
            },
        },
    ).raise_for_status()
