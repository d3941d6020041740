"""api/settings: global setting values, set and reset (reference §6.9)."""

from flask import Blueprint, Response, request

from mock_sonar import settings
from mock_sonar.views.api.params import GET_OR_POST, WsParams
from mock_sonar.views.common import (
    get_db,
    is_admin,
    json_response,
    no_content,
    require_admin,
    require_login,
)

bp = Blueprint("settings_api", __name__)


@bp.route("/api/settings/values", methods=GET_OR_POST)
def settings_values() -> Response:
    """Values of global settings; secured ones are never returned (§6.9)."""
    require_login()
    db, params = get_db(), WsParams()
    keys = params.multi("keys")
    stored = settings.stored_values(db)
    if keys is None:
        keys = sorted(set(settings.DEFAULTS) | set(stored))
    shown = [key for key in keys if not settings.is_secured(key)]
    entries = [
        _entry(key, value, stored)
        for key in shown
        if (value := stored.get(key, settings.DEFAULTS.get(key))) is not None
    ]
    # Secured values are never shown; administrators learn which of them are set.
    secured = [k for k in keys if settings.is_secured(k) and k in stored and is_admin()]
    return json_response({"settings": entries, "setSecuredSettings": secured})


def _entry(key: str, value: str, stored: dict[str, str]) -> dict:
    """One setting: its value(s), and whether it is inherited or overrides a default."""
    entry: dict = {"key": key}
    if key in settings.MULTI_VALUED:
        entry["values"] = value.split(",")
    else:
        entry["value"] = value
    if key not in stored:
        entry["inherited"] = True
    elif key in settings.DEFAULTS:
        entry["parentValue"] = settings.DEFAULTS[key]
    return entry


@bp.post("/api/settings/set")
def settings_set() -> Response:
    """Set a global setting (admin)."""
    require_admin()
    params = WsParams()
    key = params.required("key")
    values = request.values.getlist("values")
    value = values if values else params.required("value")
    settings.set_value(get_db(), key, value)
    return no_content()


@bp.post("/api/settings/reset")
def settings_reset() -> Response:
    """Back to the default values (admin)."""
    require_admin()
    settings.reset_values(get_db(), WsParams().multi("keys") or [])
    return no_content()
