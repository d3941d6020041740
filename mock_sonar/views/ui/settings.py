"""Administration > Configuration > General Settings, and its Authentication > SAML tab with
the Provisioning section (reference §3.1, §5.7).

Texts and behaviour: sonarqube-webapp 2025.1 `settings/components/authentication/*`
(`SamlAuthenticationTab`, `ConfigurationDetails`, `ConfigurationForm`, `ProvisioningSection`,
`TabHeader`) and l10n `settings.authentication.*`. The confirmation modal of a provisioning
change is rendered by the server when the unconfirmed form comes back, so it works without
JavaScript; "Yes" posts the same form confirmed.
"""

from flask import Blueprint, Response, abort, request

from mock_sonar.accounts import management
from mock_sonar.errors import BadRequest, SonarError
from mock_sonar.saml import configuration_form
from mock_sonar.saml.configuration_form import FORM_FIELDS
from mock_sonar.views.common import edition, get_db
from mock_sonar.views.ui import webapp
from mock_sonar.views.ui.frame import Flash, redirect_to, render, signed_in

bp = Blueprint("ui_settings", __name__)

SETTINGS_PATH = "/admin/settings"
SAML_TAB = f"{SETTINGS_PATH}?category=authentication&tab=saml"
#: The categories the settings page lists (2025.1 definitions and AdditionalCategories).
CATEGORIES = (
    ("general", "General"),
    ("almintegration", "DevOps Platform Integrations"),
    ("aicodefix", "AI CodeFix"),
    ("exclusions", "Analysis Scope"),
    ("authentication", "Authentication"),
    ("email_notification", "Email Notification"),
    ("housekeeping", "Housekeeping"),
    ("languages", "Languages"),
    ("mode", "Mode"),
    ("new_code_period", "New Code"),
    ("scm", "SCM"),
    ("security", "Security"),
    ("technicalDebt", "Technical Debt"),
)
AUTHENTICATION_TABS = (
    ("saml", "SAML"),
    ("github", "GitHub"),
    ("bitbucket", "Bitbucket"),
    ("gitlab", "GitLab"),
)
JIT, SCIM = "jit", "scim"


def _saml_state() -> dict:
    """What the SAML tab shows: values, configured, enabled, SCIM status and availability."""
    db = get_db()
    values = configuration_form.current_values(db)
    return {
        "values": values,
        "configured": configuration_form.has_configuration(values),
        "saml_enabled": configuration_form.is_flag_enabled(values),
        "scim_enabled": management.is_scim_enabled(db),
        "scim_available": management.scim_available(edition()),
        "fields": FORM_FIELDS,
    }


def _settings_page(
    category: str = "authentication", tab: str = "saml", status: int = 200, **context: object
) -> Response:
    if category not in dict(CATEGORIES) or tab not in dict(AUTHENTICATION_TABS):
        abort(404)
    if category == "authentication" and tab == "saml":
        context = {**_saml_state(), **context}
    context.setdefault("dialog", request.args.get("dialog"))
    return render(
        "ui/settings.html",
        status,
        nav_section="admin",
        admin_tab="settings",
        categories=CATEGORIES,
        category=category,
        tabs=AUTHENTICATION_TABS,
        tab=tab,
        **context,
    )


@bp.get(SETTINGS_PATH)
@signed_in(admin=True)
def settings_page() -> Response:
    """General Settings; `?category=authentication&tab=saml` is the SAML tab."""
    return _settings_page(request.args.get("category", "general"), request.args.get("tab", "saml"))


def _submitted() -> dict[str, str | None]:
    """The form's values; a secured field not revealed (not posted) stays as it is (None)."""
    posted = request.form
    values: dict[str, str | None] = {}
    for field in FORM_FIELDS:
        if field.boolean:
            values[field.key] = "true" if posted.get(field.key) == "true" else "false"
        else:
            value = posted.get(field.key)
            values[field.key] = None if value is None else value.strip()
    return values


def _saml_form_page(status: int, **context: object) -> Response:
    return _settings_page(status=status, dialog="edit", **context)


@bp.post(f"{SETTINGS_PATH}/saml")
@signed_in(admin=True, back=SAML_TAB)
def save_saml_configuration() -> Response:
    """ "Save configuration": "This field is required" per empty mandatory field, else save."""
    db, submitted = get_db(), _submitted()
    revealed = {key for key in request.form.getlist("reveal")}
    action = request.form.get("action", "")
    if action.startswith(("update:", "clear:")):
        # A hidden secured value's "Update field value" / "Clear" without JavaScript.
        verb, key = action.split(":", 1)
        if verb == "clear":
            submitted[key] = ""
        return _saml_form_page(200, submitted=submitted, revealed=revealed | {key})
    values = configuration_form.current_values(db)
    errors = webapp.saml_form_errors(values, submitted)
    if errors:
        return _saml_form_page(400, submitted=submitted, revealed=revealed, errors=errors)
    saved = configuration_form.save_configuration(db, submitted)
    return redirect_to(SAML_TAB, Flash.SETTINGS_SAVED if saved else None)


@bp.post(f"{SETTINGS_PATH}/saml/enabled")
@signed_in(admin=True, back=SAML_TAB)
def toggle_saml() -> Response:
    """ "Enable configuration" / "Disable configuration" (both disabled while SCIM is on)."""
    enable = request.form.get("enabled") == "true"
    try:
        configuration_form.set_enabled(get_db(), enable)
    except SonarError as error:
        return _saml_page_error(error)
    return redirect_to(SAML_TAB, Flash.SETTINGS_SAVED)


@bp.post(f"{SETTINGS_PATH}/saml/delete")
@signed_in(admin=True, back=SAML_TAB)
def delete_saml_configuration() -> Response:
    """ "Delete": every SAML setting back to its default (only while disabled)."""
    try:
        configuration_form.delete_configuration(get_db())
    except SonarError as error:
        return _saml_page_error(error)
    return redirect_to(SAML_TAB)


def _saml_page_error(error: SonarError) -> Response:
    return _settings_page(status=400, page_error=" ".join(error.messages))


@bp.post(f"{SETTINGS_PATH}/saml/provisioning")
@signed_in(admin=True, back=SAML_TAB)
def save_provisioning() -> Response:
    """Provisioning "Save": a change of mode needs the confirmation modal's "Yes" first."""
    state = _saml_state()
    wanted = request.form.get("provisioning")
    if wanted not in (JIT, SCIM) or not state["configured"] or not state["saml_enabled"]:
        return _saml_page_error(BadRequest(configuration_form.ENABLE_FIRST))
    if wanted == SCIM and not state["scim_available"]:
        return _saml_page_error(BadRequest(configuration_form.SCIM_NOT_IN_EDITION))
    if (wanted == SCIM) == state["scim_enabled"]:
        return redirect_to(SAML_TAB)  # nothing changed: the real Save button is disabled
    if request.form.get("confirmed") != "yes":
        return _settings_page(confirm_provisioning=wanted, provisioning=wanted)
    # The same domain calls as api/scim_management/enable and /disable.
    if wanted == SCIM:
        management.enable_scim(get_db())
    else:
        management.disable_scim(get_db())
    return redirect_to(SAML_TAB, Flash.SETTINGS_SAVED)
