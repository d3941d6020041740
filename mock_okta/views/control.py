"""The control plane (SPEC §6) with Okta's error format: E0000003 for a body that is not a
JSON object, E0000001 for a refused field."""

from flask import Blueprint, current_app, request

from mock_common.control import ControlPlane, control_blueprint
from mock_okta import fixtures
from mock_okta.errors import ApiValidationFailed, MalformedBody, OktaError
from mock_okta.views.common import json_body, parse_json


def _own_variables() -> dict[str, str]:
    return {
        "OKTA_URL": current_app.config["BASE_URL"],
        "DEVENV_KEYS": current_app.config["KEYS_DIR"],
    }


def _invalid(field: str, problem: str) -> ApiValidationFailed:
    return ApiValidationFailed(field, [f"{field}: {problem}"])


def _refused_state(problem: str) -> ApiValidationFailed:
    return ApiValidationFailed(summary=f"Api validation failed: {problem}")


def _bounded_body() -> None:
    """A body the shared routes read themselves (a state import) is first held to the API's
    bounds: E0000003 for one that is not a JSON object, too deeply nested or not UTF-8."""
    raw = request.get_data(cache=True)
    if request.method == "POST" and raw.strip() and not isinstance(parse_json(raw), dict):
        raise MalformedBody()


def blueprint() -> Blueprint:
    """`/_mock/reset`, `/_mock/state`, `/_mock/clock`."""
    bp = control_blueprint(
        ControlPlane(
            reset=fixtures.reset,
            refuse_state=_refused_state,
            read_body=lambda: json_body(required=False),
            invalid=_invalid,
            seed=fixtures.seed,
            own_variables=_own_variables,
            fixture_errors=(OktaError,),
        )
    )
    bp.before_request(_bounded_body)
    return bp
