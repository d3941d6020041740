"""Provisioning > To App: the Provisioning to App switches and the attribute mappings."""

from mock_okta.provisioning import attribute_mappings

#: The switches the guide names: capability group, switch, label, Okta's description.
SWITCHES = (
    (
        "create",
        "lifecycleCreate",
        "Create Users",
        "Creates or links a user in {app} when assigning the app to a user in Okta.",
    ),
    (
        "update",
        "profile",
        "Update User Attributes",
        "Okta updates a user's attributes in {app} when the app is assigned. Future attribute "
        "changes made to the Okta user profile will automatically overwrite the corresponding "
        "attribute value in {app}.",
    ),
    (
        "update",
        "lifecycleDeactivate",
        "Deactivate Users",
        "Deactivates a user's {app} account when it is unassigned in Okta or their Okta account "
        "is deactivated. Accounts can be reactivated if the app is reassigned to a user in Okta.",
    ),
)
#: Shown, never offered: SonarQube's SCIM server keeps no passwords.
# Guess: the wording of Okta's Sync Password row.
SYNC_PASSWORD = "Creates a {app} password for each assigned user and pushes it to {app}."
#: What the push sends, as the "Attribute Mappings" list shows it: the push engine's own table.
MAPPINGS = attribute_mappings.console_rows()


def switches(capabilities: dict, app_label: str) -> list[dict]:
    """Each switch with its field name, label, description and state."""
    return [
        {
            "field": switch,
            "label": label,
            "description": description.format(app=app_label),
            "enabled": capabilities.get(group, {}).get(switch, {}).get("status") == "ENABLED",
        }
        for group, switch, label, description in SWITCHES
    ]


def feature_body(form: dict) -> dict:
    """The To App form as a USER_PROVISIONING update (unchecked boxes are DISABLED)."""
    body: dict = {}
    for group, switch, _label, _description in SWITCHES:
        status = "ENABLED" if form.get(switch) == "on" else "DISABLED"
        body.setdefault(group, {})[switch] = {"status": status}
    return body
