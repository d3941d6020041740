"""The simulator's own OpenAPI document of `/api/v1`, cut from Okta's published description.

It lives under `/_mock` (the simulator's namespace, SPEC §6), not beside the Management API:
every path a real org serves (`/api/v1/...`, `/oauth2/...`, `/.well-known/...`) stays Okta's,
and the document asks for the same SSWS token as the API it describes.
"""

from flask import Blueprint, Response, current_app

from mock_okta import openapi
from mock_okta.views.common import json_response, org_url

bp = Blueprint("openapi", __name__, url_prefix="/_mock/openapi")


@bp.get("/okta.json")
def okta_document() -> Response:
    """The implemented `/api/v1` operations, their shapes as Okta publishes them."""
    cache = current_app.extensions.setdefault("okta_openapi", {})
    if org_url() not in cache:
        cache[org_url()] = openapi.implemented_document(current_app.url_map, org_url())
    return json_response(cache[org_url()])
