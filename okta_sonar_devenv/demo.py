"""`./devenv.sh demo`: the SonarQube "SCIM with Okta" guide, step by step, against the running
apps, through their public APIs and Okta's console actions, checking each step's outcome.

It starts from the default world (both apps are reset to their fixture first), so it can be
run again and again.
"""

import os
import sys
import time
from collections.abc import Callable

import click
import requests

SONARQUBE_APP = "0oasonarqubedevenv01"


class StepFailed(Exception):
    """A step's outcome was not what the guide says."""


class Guide:
    """The guide's steps against one SonarQube and one Okta."""

    def __init__(self, sonar_url: str, okta_url: str, okta_token: str, say: Callable):
        self.sonar_url, self.okta_url, self.say = sonar_url.rstrip("/"), okta_url.rstrip("/"), say
        self.sonar = requests.Session()
        self.sonar.auth = ("admin", os.environ.get("SONAR_ADMIN_PASSWORD", "admin"))
        self.okta = requests.Session()
        self.okta.headers["Authorization"] = f"SSWS {okta_token}"
        self.app = f"{self.okta_url}/api/v1/apps/{SONARQUBE_APP}"
        self.console = f"{self.okta_url}/_mock/apps/{SONARQUBE_APP}"

    def run(self, *, reset: bool = True) -> None:
        """Every step in the guide's order."""
        steps = [
            self.configure_sonarqube,
            self.make_token,
            self.enable_scim_in_okta,
            self.push_groups,
            self.test_connector,
            self.enable_to_app,
            self.provision_assigned_users,
            self.assign_a_new_user,
            self.suspend_changes_nothing,
            self.deactivate_deactivates,
        ]
        if reset:
            self._call("POST", f"{self.sonar_url}/_mock/reset", self.sonar)
            self._call("POST", f"{self.okta_url}/_mock/reset", self.okta)
            self.say("Both apps are back at the guide's starting point (SAML works, SCIM off).")
        self.token = None
        for number, step in enumerate(steps, 1):
            self.say(f"\n{number:>2}. {step.__doc__}")
            step()

    def _call(self, method: str, url: str, session: requests.Session, **kwargs) -> dict | list:
        response = session.request(method, url, timeout=60, **kwargs)
        if response.status_code >= 400:
            raise StepFailed(f"{method} {url} answered {response.status_code}: {response.text}")
        return response.json() if response.content else {}

    def _check(self, condition: bool, outcome: str) -> None:
        if not condition:
            raise StepFailed(f"expected: {outcome}")
        self.say(f"    ✓ {outcome}")

    def _wait(self) -> None:
        self._call(
            "POST",
            f"{self.okta_url}/_mock/provisioning/wait",
            self.okta,
            json={"timeoutSeconds": 60},
        )

    def _sonar_user(self, login: str, deactivated: bool = False) -> dict | None:
        params = {"ps": 500, **({"deactivated": "true"} if deactivated else {})}
        users = self._call("GET", f"{self.sonar_url}/api/users/search", self.sonar, params=params)[
            "users"
        ]
        return next((u for u in users if u.get("externalIdentity") == login), None)

    def configure_sonarqube(self) -> None:
        """SonarQube: Administration > Authentication > SAML > Provisioning: SCIM, Save, Yes."""
        self._call("POST", f"{self.sonar_url}/api/scim_management/enable", self.sonar)
        status = self._call("GET", f"{self.sonar_url}/api/scim_management/status", self.sonar)
        self._check(status == {"enabled": True}, "SCIM is enabled in SonarQube")

    def make_token(self) -> None:
        """Step 1: a user token of the local admin (My Account > Security)."""
        token = self._call(
            "POST",
            f"{self.sonar_url}/api/user_tokens/generate",
            self.sonar,
            data={"name": f"okta-scim-{int(time.time())}"},
        )
        self.token = token["token"]
        self._check(self.token.startswith("squ_"), "a squ_ user token, shown once")

    def enable_scim_in_okta(self) -> None:
        """Steps 2-5: General > App Settings > SCIM; Provisioning > SCIM Connection."""
        stored = self._call(
            "PUT",
            f"{self.console}/provisioning",
            self.okta,
            json={
                "enabled": True,
                "baseUrl": f"{self.sonar_url}/api/scim/v2",
                "uniqueIdentifierField": "userName",
                "actions": ["PUSH_NEW_USERS", "PUSH_PROFILE_UPDATES", "PUSH_GROUPS"],
                "authMode": "HTTP_HEADER",
                "token": self.token,
            },
        )
        self._check(
            stored["enabled"] and stored["tokenSet"],
            f"connection to {stored['baseUrl']} saved, token stored (never shown)",
        )

    def push_groups(self) -> None:
        """Step 6: Push Groups by name (sonar-qa) and by rule (starts with "sonar-")."""
        self._call(
            "POST",
            f"{self.app}/group-push/mappings",
            self.okta,
            json={
                "sourceGroupId": "00gsonarqa0000000002",
                "status": "ACTIVE",
                "targetGroupName": "sonar-qa",
            },
        )
        rule = self._call(
            "POST",
            f"{self.console}/group-push/rules",
            self.okta,
            json={"name": "sonar groups", "groupName": {"startsWith": "sonar-"}},
        )
        self._check(
            len(rule["mappingIds"]) == 2,
            "the rule pushes sonar-developers and sonar-admins (sonar-qa already is)",
        )

    def test_connector(self) -> None:
        """Step 7: Test Connector Configuration."""
        result = self._call("POST", f"{self.console}/provisioning/test", self.okta)
        self._check(result["ok"], f"green checkmark: {result['message']}")

    def enable_to_app(self) -> None:
        """Steps 8-10: To App: Create Users, Update User Attributes, Deactivate Users."""
        enabled = {"status": "ENABLED"}
        self._call(
            "PUT",
            f"{self.app}/features/USER_PROVISIONING",
            self.okta,
            json={
                "create": {"lifecycleCreate": enabled},
                "update": {"profile": enabled, "lifecycleDeactivate": enabled},
            },
        )
        self._wait()
        groups = self._call(
            "GET",
            f"{self.sonar_url}/api/user_groups/search",
            self.sonar,
            params={"ps": 500, "managed": "true"},
        )["groups"]
        names = sorted(g["name"] for g in groups)
        self._check(
            names == ["sonar-admins", "sonar-developers", "sonar-qa"],
            f"SonarQube has the pushed groups, managed: {', '.join(names)}",
        )

    def provision_assigned_users(self) -> None:
        """Provisioning already assigned users: the red "!" and Provision User."""
        rows = self._call("GET", f"{self.console}/assignments", self.okta)
        flagged = [r for r in rows if r["canProvisionUser"]]
        self._check(bool(flagged), f"{len(flagged)} users show the exclamation mark")
        for row in flagged:
            self._call("POST", f"{self.console}/users/{row['userId']}/provision", self.okta)
        self._wait()
        rows = self._call("GET", f"{self.console}/assignments", self.okta)
        self._check(
            all(r["provisioningIssue"] is None for r in rows), "the exclamation marks are gone"
        )
        alice = self._sonar_user("alice.martin@example.com")
        self._check(
            alice is not None and alice["managed"],
            f"alice.martin is managed in SonarQube (login {alice and alice['login']})",
        )

    def assign_a_new_user(self) -> None:
        """Okta users are automatically provisioned: assign henry.dubois."""
        self._call(
            "POST",
            f"{self.app}/users",
            self.okta,
            json={"id": "00uhenrydubois000008", "scope": "USER"},
        )
        self._wait()
        henry = self._sonar_user("henry.dubois@example.com")
        self._check(henry is not None and henry["managed"], "henry.dubois exists in SonarQube")

    def suspend_changes_nothing(self) -> None:
        """A suspended Okta user remains unchanged in SonarQube: suspend carol.smith."""
        self._call(
            "POST",
            f"{self.okta_url}/api/v1/users/00ucarolsmith0000003/lifecycle/suspend",
            self.okta,
        )
        self._wait()
        carol = self._sonar_user("carol.smith@example.com")
        self._check(carol is not None and carol["active"], "carol.smith is still active")

    def deactivate_deactivates(self) -> None:
        """A deactivated Okta user is deactivated in SonarQube: deactivate bob.nguyen."""
        self._call(
            "POST",
            f"{self.okta_url}/api/v1/users/00ubobnguyen00000002/lifecycle/deactivate",
            self.okta,
        )
        self._wait()
        bob = self._sonar_user("bob.nguyen@example.com", deactivated=True)
        self._check(bob is not None and not bob["active"], "bob.nguyen is deactivated")


@click.command()
@click.option(
    "--sonar-url",
    envvar="SONAR_URL",
    default="http://localhost:9000",
    show_default=True,
    help="SonarQube's URL.",
)
@click.option(
    "--okta-url",
    envvar="OKTA_ORG_URL",
    default="http://localhost:8080",
    show_default=True,
    help="Okta's org URL.",
)
@click.option(
    "--okta-token",
    envvar="OKTA_API_TOKEN",
    default="00devenvLocalApiToken000000000000000000000",
    help="SSWS API token.",
)
@click.option("--no-reset", is_flag=True, help="Start from the current state, not the fixture.")
def main(sonar_url: str, okta_url: str, okta_token: str, no_reset: bool) -> None:
    """Run the SCIM-with-Okta guide against the running apps, checking every step."""
    try:
        Guide(sonar_url, okta_url, okta_token, click.echo).run(reset=not no_reset)
    except (StepFailed, requests.RequestException) as error:
        click.echo(f"    ✗ {error}", err=True)
        sys.exit(1)
    click.echo("\nThe guide ran to its end: SonarQube is provisioned from Okta over SCIM.")


if __name__ == "__main__":
    main()
