"""Web API v2 authorizations/groups and authorizations/group-memberships (§6.8).

Behaviour follows `DefaultGroupController`, `DefaultGroupMembershipController` and the
services behind them.
"""

from flask import Blueprint, Response, request

from mock_sonar.accounts import group_admin, groups, management, memberships
from mock_sonar.errors import BadRequest
from mock_sonar.views.api import representations as rep
from mock_sonar.views.api.v2_params import (
    JSON,
    MERGE_PATCH,
    check_fields,
    json_body,
    query_bool,
    rejected,
    rest_page,
    size_error,
    text,
)
from mock_sonar.views.common import get_db, json_response, no_content, now, require_admin

bp = Blueprint("v2_groups", __name__, url_prefix="/api/v2")

GROUPS = "/authorizations/groups"
MEMBERSHIPS = "/authorizations/group-memberships"


@bp.get(GROUPS)
def search_groups() -> Response:
    """Groups sorted by name (admin)."""
    require_admin()
    db = get_db()
    managed = query_bool("managed")
    page_index, page_size = rest_page()
    if not management.is_instance_managed(db):
        if managed:  # GroupService.getManagedInstanceSql: only `true` is refused
            raise BadRequest("The 'managed' parameter is only available for managed instances.")
        managed = None
    rows, total = groups.search_groups(
        db,
        query=request.args.get("q") or None,
        managed=managed,
        user_uuid=request.args.get("userId"),
        exclude_user_uuid=request.args.get("userId!"),
        page=page_index,
        page_size=page_size,
    )
    return json_response(
        {
            "groups": [rep.v2_group(db, row) for row in rows],
            "page": rep.page(page_index, page_size, total),
        }
    )


@bp.get(f"{GROUPS}/<uuid>")
def fetch_group(uuid: str) -> Response:
    """One group (admin)."""
    require_admin()
    return json_response(rep.v2_group(get_db(), groups.require_group_by_uuid(get_db(), uuid)))


@bp.post(GROUPS)
def create_group() -> Response:
    """201 with the new group; refused while managed (§4.2). GroupController says CREATED."""
    body = json_body(JSON)
    name, description = text(body, "name"), text(body, "description")
    check_fields(
        ([rejected("name", name, "must not be empty")] if not name else [])
        + size_error("name", name, 1, groups.NAME_MAX)
        + size_error("description", description, 0, 200)
    )
    require_admin()
    group = group_admin.create_group(get_db(), now(), name, description)
    return json_response(rep.v2_group(get_db(), group), 201)


@bp.patch(f"{GROUPS}/<uuid>")
def update_group(uuid: str) -> Response:
    """Merge-patch of name and description; refused while managed (§4.2)."""
    body = json_body(MERGE_PATCH)
    name, description = text(body, "name"), text(body, "description")
    check_fields(
        size_error("name", name, 1, groups.NAME_MAX)
        + size_error("description", description, 0, 200)
    )
    require_admin()
    # A null member leaves the field as it is (`UpdateField.orElse(current)`).
    group = group_admin.update_group(get_db(), uuid, name=name, description=description)
    return json_response(rep.v2_group(get_db(), group))


@bp.delete(f"{GROUPS}/<uuid>")
def delete_group(uuid: str) -> Response:
    """204; a managed group is refused, a local one allowed even while managed (§4.2)."""
    require_admin()
    group_admin.delete_group(get_db(), uuid)
    return no_content()


# --- group memberships -----------------------------------------------------------------------


@bp.get(MEMBERSHIPS)
def search_memberships() -> Response:
    """Memberships filtered by userId and/or groupId (admin)."""
    require_admin()
    page_index, page_size = rest_page()
    rows, total = memberships.search_memberships(
        get_db(),
        group_uuid=request.args.get("groupId"),
        user_uuid=request.args.get("userId"),
        page=page_index,
        page_size=page_size,
    )
    return json_response(
        {
            "groupMemberships": [rep.v2_membership(row) for row in rows],
            "page": rep.page(page_index, page_size, total),
        }
    )


@bp.post(MEMBERSHIPS)
def create_membership() -> Response:
    """201 {"id","groupId","userId"}; refused while managed (§4.2)."""
    body = json_body(JSON)
    user_id, group_id = text(body, "userId"), text(body, "groupId")
    require_admin()
    membership = group_admin.add_membership(get_db(), user_id, group_id)
    return json_response(rep.v2_membership(membership), 201)


@bp.delete(f"{MEMBERSHIPS}/<uuid>")
def delete_membership(uuid: str) -> Response:
    """204; refused while managed (§4.2)."""
    require_admin()
    group_admin.delete_membership(get_db(), uuid)
    return no_content()
