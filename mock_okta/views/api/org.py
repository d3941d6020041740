"""Public org endpoints."""

from flask import Blueprint, Response

from mock_okta.storage.org import org
from mock_okta.views.common import get_db, json_response, org_url

bp = Blueprint("org", __name__)


@bp.get("/.well-known/okta-organization")
def okta_organization() -> Response:
    """The org's public description (anonymous); devenv.sh uses it as the health check."""
    return json_response(
        {
            "id": org(get_db()).get("id"),
            "pipeline": "idx",
            "_links": {"organization": {"href": org_url()}},
            "settings": {
                "analyticsCollectionEnabled": False,
                "bugReportingEnabled": True,
                "omEnabled": False,
            },
        }
    )
