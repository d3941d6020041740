"""The OpenAPI documents of the implemented APIs.

Web API v2's document is where SonarQube serves its own: `/api/v2/api-docs` (springdoc's
`api-docs.path=/api-docs` under the v2 servlet, `springdoc.properties` in
sonar-webserver-webapi-v2), behind the same session filter as the rest of `/api`. Web API v1
and SCIM have no document in SonarQube, so theirs live in the simulator's own namespace,
`/_mock/openapi/...`, where no real SonarQube path can be shadowed.
"""

from flask import Blueprint, Response, current_app

from mock_sonar import openapi
from mock_sonar.views.common import json_response

bp = Blueprint("openapi", __name__)
control_bp = Blueprint("control_openapi", __name__, url_prefix="/_mock/openapi")


def _served(name: str) -> Response:
    return json_response(openapi.document(name, current_app.config["BASE_URL"]))


@bp.get("/api/v2/api-docs")
def web_api_v2_document() -> Response:
    """Web API v2 (users-management, authorizations)."""
    return _served("web-api-v2")


@control_bp.get("/web-api-v1.json")
def web_api_v1_document() -> Response:
    """Web API v1 (form parameters, `{"errors":[{"msg"}]}`)."""
    return _served("web-api-v1")


@control_bp.get("/scim.json")
def scim_document() -> Response:
    """The SCIM 2.0 server at /api/scim/v2."""
    return _served("scim")
