"""The control plane (SPEC §6) with SonarQube's error format, and the SCIM fault injection."""

from flask import Blueprint, Response, current_app, request

from mock_common.control import ControlPlane, control_blueprint
from mock_sonar import fixtures, json_input
from mock_sonar.errors import BadRequest, SonarError
from mock_sonar.scim import faults
from mock_sonar.views.common import get_db, json_response, no_content


def _json_body() -> dict:
    data = request.get_data(cache=True)
    if not data:
        return {}
    try:
        body = json_input.parse(data)
    except json_input.InvalidJson as error:
        raise BadRequest("The body must be JSON") from error
    if not isinstance(body, dict):
        raise BadRequest("The body must be a JSON object")
    return body


def _own_variables() -> dict[str, str]:
    return {
        "SONAR_URL": current_app.config["BASE_URL"],
        "DEVENV_KEYS": current_app.config["KEYS_DIR"],
    }


def _invalid(field: str, problem: str) -> BadRequest:
    return BadRequest(f"'{field}' {problem}")


def blueprints() -> list[Blueprint]:
    """`/_mock/reset`, `/_mock/state`, `/_mock/clock`, and `/_mock/faults`."""
    plane = ControlPlane(
        reset=fixtures.reset,
        refuse_state=BadRequest,
        read_body=_json_body,
        invalid=_invalid,
        seed=fixtures.seed_without_faults,
        own_variables=_own_variables,
        fixture_errors=(SonarError,),
    )
    return [control_blueprint(plane), faults_bp]


faults_bp = Blueprint("control_faults", __name__, url_prefix="/_mock")


@faults_bp.post("/faults")
def add_fault() -> Response:
    """Make the next N SCIM requests fail: {"count", "status", "delaySeconds", "body"}."""
    fault = faults.add_fault(get_db(), _json_body())
    return json_response(fault, 201)


@faults_bp.delete("/faults")
def clear_faults() -> Response:
    """Remove every pending fault."""
    faults.clear(get_db())
    return no_content()
