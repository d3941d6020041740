"""api/user_groups/* (Web API v1, deprecated since 10.4; reference §4.2, §6.7).

Behaviour follows SonarQube's `usergroups/ws/*Action`, `GroupWsSupport` and `GroupService`.
"""

from flask import Blueprint, Response

from mock_sonar.accounts import group_admin, groups, management, users
from mock_sonar.accounts.memberships import SelectionMode as Selection
from mock_sonar.errors import BadRequest
from mock_sonar.views.api import representations as rep
from mock_sonar.views.api.params import GET_OR_POST, WsParams
from mock_sonar.views.common import (
    get_db,
    json_response,
    no_content,
    now,
    refuse_while_managed,
    require_admin,
)

bp = Blueprint("groups_api", __name__)

DESCRIPTION_MAX = 200  # GroupWsSupport.DESCRIPTION_MAX_LENGTH


def managed_filter(params: WsParams) -> bool | None:
    """`managed`: only `true` is refused on an unmanaged instance (GroupService, §4.1)."""
    managed = params.boolean("managed")
    if management.is_instance_managed(get_db()):
        return managed
    if managed:
        raise BadRequest("The 'managed' parameter is only available for managed instances.")
    return None


@bp.route("/api/user_groups/search", methods=GET_OR_POST)
def search() -> Response:
    """Groups sorted by name, with member counts and the default and managed flags."""
    require_admin()
    params, db = WsParams(), get_db()
    page, size = params.paging(default_size=100, max_size=500)
    rows, total = groups.search_groups(
        db, query=params.optional("q"), managed=managed_filter(params), page=page, page_size=size
    )
    return json_response(
        {"paging": rep.paging(page, size, total), "groups": [rep.v1_group(db, row) for row in rows]}
    )


@bp.post("/api/user_groups/create")
def create() -> Response:
    """A new local group; refused while managed (§4.2)."""
    require_admin()
    refuse_while_managed()
    params = WsParams()
    name = params.required("name", max_length=groups.NAME_MAX)
    description = params.optional("description", max_length=DESCRIPTION_MAX)
    group = group_admin.create_group(get_db(), now(), name, description)
    return json_response({"group": rep.v1_group_with_id(get_db(), group)})


@bp.post("/api/user_groups/update")
def update() -> Response:
    """Rename a group or change its description; refused while managed (§4.2 [I])."""
    require_admin()
    refuse_while_managed()
    params = WsParams()
    current_name = params.required("currentName")
    name = params.optional("name", max_length=groups.NAME_MAX)  # empty: name unchanged
    description = params.raw("description", DESCRIPTION_MAX)  # empty: description cleared
    group = group_admin.update_group_by_name(
        get_db(), current_name, name=name, description=description
    )
    return json_response({"group": rep.v1_group_with_id(get_db(), group)})


@bp.post("/api/user_groups/delete")
def delete() -> Response:
    """Delete a group; managed groups are refused while managed, local ones allowed (§4.2)."""
    require_admin()
    group_admin.delete_group_by_name(get_db(), WsParams().required("name"))
    return no_content()


def _group_and_login(params: WsParams) -> tuple[str, str]:
    """`name`, then `login`: AddUserAction and RemoveUserAction look the group up in between,
    so an unknown group is reported before a missing login."""
    name = params.required("name")
    groups.require_group(get_db(), name)
    return name, params.required("login")


@bp.post("/api/user_groups/add_user")
def add_user() -> Response:
    """Add a member (no-op when already one); refused while managed (§4.2)."""
    require_admin()
    refuse_while_managed()
    group_admin.add_user(get_db(), *_group_and_login(WsParams()))
    return no_content()


@bp.post("/api/user_groups/remove_user")
def remove_user() -> Response:
    """Remove a member, never the last administrator; refused while managed (§4.2)."""
    require_admin()
    refuse_while_managed()
    group_admin.remove_user(get_db(), *_group_and_login(WsParams()))
    return no_content()


@bp.route("/api/user_groups/users", methods=GET_OR_POST)
def members() -> Response:
    """Active users with their membership of a group: selected, deselected or all."""
    require_admin()
    params, db = WsParams(), get_db()
    group = groups.require_group(db, params.required("name"))
    selected = params.choice("selected", tuple(Selection), default=Selection.SELECTED)
    page, size = params.paging(default_size=25, max_size=500)
    rows, total = users.search_users(
        db,
        query=params.optional("q"),
        page=page,
        page_size=size,
        group_uuid=group["uuid"] if selected == Selection.SELECTED else None,
        exclude_group_uuid=group["uuid"] if selected == Selection.DESELECTED else None,
    )
    found = [rep.v1_group_member(db, group, row) for row in rows]
    # UsersAction writes the legacy top-level p/ps/total; the `paging` object beside them
    # follows newer clients' expectations (guessed).
    paging = {"p": page, "ps": size, "total": total, "paging": rep.paging(page, size, total)}
    return json_response({"users": found, **paging})
