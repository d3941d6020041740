"""Groups API: groups, members, user groups, group apps and group rules (reference §5.4, §5.5)."""

import json

from flask import Blueprint, Response, request

from mock_okta import reactions
from mock_okta.applications import apps, assignments
from mock_okta.directory import group_rules, groups, memberships, users
from mock_okta.errors import ApiValidationFailed, ResourceNotFound
from mock_okta.group_push import mappings as push_mappings
from mock_okta.storage.pagination import parse_limit
from mock_okta.timestamps import okta_datetime
from mock_okta.views.api.users import actor, user_json
from mock_okta.views.common import (
    get_db,
    json_body,
    json_response,
    no_content,
    now,
    org_url,
    paged_response,
)

bp = Blueprint("api_groups", __name__, url_prefix="/api/v1")

#: Groups API: `limit` up to 10000 (reference §5.1); a `q` query returns at most 300 by default.
GROUPS_LIMIT, QUERY_LIMIT = 10000, 300
#: Default 1000 members a page (Groups API); guess: the same cap as for groups.
MEMBERS_DEFAULT, MEMBERS_MAX = 1000, 10000
#: Apps of a group: default 20 (Groups API); maximum as for the apps list (200).
APPS_DEFAULT, APPS_MAX = 20, 200
#: Group rules: default 50, maximum 200 (Okta's OpenAPI).
RULES_DEFAULT, RULES_MAX = 50, 200


def _expand() -> list[str]:
    return [part.strip() for part in request.args.get("expand", "").split(",") if part.strip()]


def group_json(row: dict, expand: list[str] | tuple[str, ...] = ()) -> dict:
    """The Group object as the API returns it; `expand` may hold `stats` and `app`."""
    base = org_url()
    href = f"{base}/api/v1/groups/{row['id']}"
    logos = [
        {"name": size, "href": f"{base}/img/logos/groups/okta-{size}.png", "type": "image/png"}
        for size in ("medium", "large")
    ]
    body = {
        "id": row["id"],
        "created": okta_datetime(row["created"]),
        "lastUpdated": okta_datetime(row["last_updated"]),
        "lastMembershipUpdated": okta_datetime(row["last_membership_updated"]),
        # Guess: the objectClass of app-sourced (non-AD) groups is not documented.
        "objectClass": ["okta:app_group" if row["type"] == groups.APP_GROUP else "okta:user_group"],
        "type": row["type"],
        "profile": json.loads(row["profile"]),
        "_links": {
            "logo": logos,
            "users": {"href": f"{href}/users"},
            "apps": {"href": f"{href}/apps"},
        },
    }
    if row["source_app_id"]:
        body["source"] = {"id": row["source_app_id"]}
        body["_links"]["source"] = {"href": f"{base}/api/v1/apps/{row['source_app_id']}"}
    embedded = _embedded(row, set(expand))
    if embedded:
        body["_embedded"] = embedded
    return body


def _embedded(row: dict, expand: set[str]) -> dict:
    db, embedded = get_db(), {}
    if "stats" in expand:
        embedded["stats"] = {
            "usersCount": memberships.count_members(db, row["id"]),
            "appsCount": assignments.count_group_apps(db, row["id"]),
            "groupPushMappingsCount": push_mappings.count_pushes_of(db, row["id"]),
            # Spelled as real responses spell it; Okta's OpenAPI says `hasAdminPrivlege`.
            "hasAdminPrivilege": False,
        }
    app = (
        apps.get_app(db, row["source_app_id"]) if "app" in expand and row["source_app_id"] else None
    )
    if app is not None:
        embedded["app"] = {
            "id": app["id"],
            "name": app["name"],
            "label": app["label"],
            "signOnMode": app["sign_on_mode"],
        }
    return embedded


def _group_json(row: dict) -> dict:
    return group_json(row, _expand())


@bp.post("/groups")
def add_group() -> Response:
    """Create an OKTA_GROUP."""
    profile = json_body().get("profile")
    group = reactions.create_group(get_db(), now(), profile, actor=actor())
    return json_response(_group_json(group))


@bp.get("/groups")
def list_groups() -> Response:
    """List groups with q, filter, search, expand and Link paging."""
    query = request.args.get("q")
    limit = parse_limit(
        request.args.get("limit"),
        default=QUERY_LIMIT if query is not None else GROUPS_LIMIT,
        maximum=GROUPS_LIMIT,
    )
    rows, cursor = groups.list_groups(
        get_db(),
        q=query,
        filter_=request.args.get("filter"),
        search=request.args.get("search"),
        after=None if query is not None else request.args.get("after"),
        limit=limit,
    )
    return paged_response([_group_json(row) for row in rows], cursor, limit)


@bp.get("/groups/<group_id>")
def get_group(group_id: str) -> Response:
    """A group by id."""
    return json_response(_group_json(groups.require_group(get_db(), group_id)))


@bp.put("/groups/<group_id>")
def replace_group(group_id: str) -> Response:
    """Replace an OKTA_GROUP's profile."""
    profile = json_body().get("profile")
    group = reactions.replace_group(get_db(), now(), group_id, profile, actor=actor())
    return json_response(_group_json(group))


@bp.delete("/groups/<group_id>")
def delete_group(group_id: str) -> Response:
    """Delete an OKTA_GROUP (or an APP_GROUP no push mapping uses)."""
    reactions.delete_group(get_db(), now(), group_id, actor=actor())
    return no_content()


@bp.get("/groups/<group_id>/users")
def list_group_users(group_id: str) -> Response:
    """The group's members, Link-paged (default 1000)."""
    db = get_db()
    group = groups.require_group(db, group_id)
    limit = parse_limit(request.args.get("limit"), default=MEMBERS_DEFAULT, maximum=MEMBERS_MAX)
    rows, cursor = memberships.list_group_users(
        db, group["id"], after=request.args.get("after"), limit=limit
    )
    return paged_response([user_json(row) for row in rows], cursor, limit)


@bp.put("/groups/<group_id>/users/<user_id>")
def assign_user_to_group(group_id: str, user_id: str) -> Response:
    """Add a user to an OKTA_GROUP."""
    reactions.add_user_to_group(get_db(), now(), group_id, user_id, actor=actor())
    return no_content()


@bp.delete("/groups/<group_id>/users/<user_id>")
def unassign_user_from_group(group_id: str, user_id: str) -> Response:
    """Remove a user from an OKTA_GROUP."""
    reactions.remove_user_from_group(get_db(), now(), group_id, user_id, actor=actor())
    return no_content()


@bp.get("/groups/<group_id>/apps")
def list_assigned_applications_for_group(group_id: str) -> Response:
    """The apps the group is assigned to, Link-paged (default 20)."""
    db = get_db()
    group = groups.require_group(db, group_id)
    limit = parse_limit(request.args.get("limit"), default=APPS_DEFAULT, maximum=APPS_MAX)
    rows, cursor = assignments.list_group_apps(
        db, group["id"], after=request.args.get("after"), limit=limit
    )
    return paged_response([apps.app_json(db, row, org_url()) for row in rows], cursor, limit)


@bp.get("/users/<user_id>/groups")
def list_user_groups(user_id: str) -> Response:
    """Every group the user is a member of."""
    db = get_db()
    user = users.require_user(db, user_id)
    rows = memberships.list_user_groups(db, user["id"])
    return json_response([_group_json(row) for row in rows])


# --- group rules ----------------------------------------------------------------------------


def _rule_json(row: dict) -> dict:
    names = "groupIdToGroupNameMap" in _expand()
    return group_rules.rule_json(get_db(), row, group_names=names)


@bp.post("/groups/rules")
def create_group_rule() -> Response:
    """Create a rule (INACTIVE)."""
    rule = reactions.create_group_rule(get_db(), now(), json_body())
    return json_response(_rule_json(rule))


@bp.get("/groups/rules")
def list_group_rules() -> Response:
    """List rules with search, expand and Link paging."""
    limit = parse_limit(request.args.get("limit"), default=RULES_DEFAULT, maximum=RULES_MAX)
    rows, cursor = group_rules.list_group_rules(
        get_db(), search=request.args.get("search"), after=request.args.get("after"), limit=limit
    )
    return paged_response([_rule_json(row) for row in rows], cursor, limit)


@bp.get("/groups/rules/<rule_id>")
def get_group_rule(rule_id: str) -> Response:
    """A rule by id."""
    return json_response(_rule_json(group_rules.require_rule(get_db(), rule_id)))


@bp.put("/groups/rules/<rule_id>")
def replace_group_rule(rule_id: str) -> Response:
    """Replace an INACTIVE rule (its actions cannot change)."""
    rule = reactions.replace_group_rule(get_db(), now(), rule_id, json_body())
    return json_response(_rule_json(rule))


@bp.delete("/groups/rules/<rule_id>")
def delete_group_rule(rule_id: str) -> Response:
    """Delete a rule; `removeUsers=true` also removes the memberships it made. 202."""
    remove = request.args.get("removeUsers", "false").lower()
    if remove not in ("true", "false"):
        raise ApiValidationFailed("removeUsers", ["removeUsers: must be true or false"])
    reactions.delete_group_rule(get_db(), now(), rule_id, remove_users=remove == "true")
    return no_content(202)


@bp.post("/groups/rules/<rule_id>/lifecycle/<action>")
def group_rule_lifecycle(rule_id: str, action: str) -> Response:
    """activate (runs the rule for every user) or deactivate (memberships stay). 204."""
    operations = {
        "activate": reactions.activate_group_rule,
        "deactivate": reactions.deactivate_group_rule,
    }
    if action not in operations:
        raise ResourceNotFound(request.path, "Path")
    operations[action](get_db(), now(), rule_id)
    return no_content()
