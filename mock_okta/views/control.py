"""The control plane (SPEC §6) with Okta's error format: E0000003 for a body that is not a
JSON object, E0000001 for a refused field."""

from flask import Blueprint, current_app

from mock_common.control import ControlPlane, control_blueprint
from mock_okta import fixtures
from mock_okta.errors import ApiValidationFailed, OktaError
from mock_okta.views.common import json_body


def _own_variables() -> dict[str, str]:
    return {
        "OKTA_URL": current_app.config["BASE_URL"],
        "DEVENV_KEYS": current_app.config["KEYS_DIR"],
    }


def _invalid(field: str, problem: str) -> ApiValidationFailed:
    return ApiValidationFailed(field, [f"{field}: {problem}"])


def _refused_state(problem: str) -> ApiValidationFailed:
    return ApiValidationFailed(summary=f"Api validation failed: {problem}")


def blueprint() -> Blueprint:
    """`/_mock/reset`, `/_mock/state`, `/_mock/clock`."""
    return control_blueprint(
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
