"""Applications API: apps, app users, app groups, features, group push mappings, SAML metadata.

Okta's Application, ApplicationUsers, ApplicationGroups, ApplicationFeatures, GroupPushMapping
and ApplicationSSO APIs (reference/okta.md §5.6, §5.7, §6).
"""

from flask import Blueprint, Response, request

from mock_okta.applications import apps, assignments, features, signing_keys
from mock_okta.applications import sign_on as app_settings
from mock_okta.directory import groups, users
from mock_okta.errors import ApiValidationFailed, MissingParameter, ResourceNotFound
from mock_okta.group_push import mappings as push_mappings
from mock_okta.provisioning import connector
from mock_okta.provisioning.client import ScimSession
from mock_okta.saml import metadata as saml_metadata
from mock_okta.storage.pagination import parse_limit
from mock_okta.views.api.groups import group_json
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

bp = Blueprint("api_apps", __name__)

APPS = "/api/v1/apps"
APP = f"{APPS}/<app_id>"
MAPPINGS = f"{APP}/group-push/mappings"


def _flag(name: str, default: bool | None) -> bool | None:
    value = request.args.get(name)
    if value is None:
        return default
    if value.lower() not in ("true", "false"):
        raise ApiValidationFailed(name, [f"{name}: must be true or false"])
    return value.lower() == "true"


def _app_json(app: dict) -> dict:
    return apps.app_json(get_db(), app, org_url())


# --- apps ---------------------------------------------------------------------------------------


@bp.post(APPS)
def create_application() -> Response:
    """Create an app (`activate` defaults to true)."""
    activate = _flag("activate", True)
    app = apps.create_app(get_db(), now(), json_body(), activate=activate, actor=actor())
    return json_response(_app_json(app))


@bp.get(APPS)
def list_applications() -> Response:
    """List apps: q, filter (one `eq`), expand=user/{id} with the user.id filter, Link paging."""
    db = get_db()
    limit = parse_limit(request.args.get("limit"), default=20, maximum=200)
    filter_ = request.args.get("filter")
    rows, cursor = apps.list_apps(
        db, q=request.args.get("q"), filter_=filter_, after=request.args.get("after"), limit=limit
    )
    items = [_app_json(row) for row in rows]
    expand = request.args.get("expand", "")
    if expand.startswith("user/") and filter_:
        attribute, user_id = apps.parse_filter(filter_)
        if attribute == "user.id" and expand == f"user/{user_id}":
            for item in items:
                app_user = assignments.get_app_user(db, item["id"], user_id)
                if app_user:
                    item["_embedded"] = {"user": assignments.app_user_json(db, app_user, org_url())}
    return paged_response(items, cursor, limit)


@bp.get(APP)
def get_application(app_id: str) -> Response:
    """One app; expand=user/{userId} embeds that app user."""
    db = get_db()
    result = _app_json(apps.require_app(db, app_id))
    expand = request.args.get("expand", "")
    if expand.startswith("user/"):
        app_user = assignments.get_app_user(db, app_id, expand[len("user/") :])
        if app_user:
            result["_embedded"] = {"user": assignments.app_user_json(db, app_user, org_url())}
    return json_response(result)


@bp.put(APP)
def replace_application(app_id: str) -> Response:
    """Replace the app's settings, credentials, visibility, accessibility and label."""
    app = apps.replace_app(get_db(), now(), app_id, json_body(), actor=actor())
    return json_response(_app_json(app))


@bp.delete(APP)
def delete_application(app_id: str) -> Response:
    """Delete an INACTIVE app (E0000056 otherwise)."""
    apps.delete_app(get_db(), now(), app_id, actor=actor())
    return no_content()


@bp.post(f"{APP}/lifecycle/<action>")
def application_lifecycle(app_id: str, action: str) -> Response:
    """activate / deactivate: 200 with an empty object."""
    operations = {"activate": apps.activate_app, "deactivate": apps.deactivate_app}
    if action not in operations:
        raise ResourceNotFound(request.path, "Path")
    operations[action](get_db(), now(), app_id, actor=actor())
    return json_response({})


# --- app users ----------------------------------------------------------------------------------


def _app_user_json(row: dict, expand: str | None = None) -> dict:
    db = get_db()
    result = assignments.app_user_json(db, row, org_url())
    if expand == "user":
        result["_embedded"] = {"user": user_json(users.require_user(db, row["user_id"]))}
    return result


@bp.post(f"{APP}/users")
def assign_user_to_application(app_id: str) -> Response:
    """Assign a user directly (scope USER)."""
    body = json_body()
    row = assignments.assign_user_to_application(get_db(), now(), app_id, body, actor=actor())
    return json_response(_app_user_json(row))


@bp.get(f"{APP}/users")
def list_application_users(app_id: str) -> Response:
    """App users: q, expand=user, Link paging (default 50, maximum 500)."""
    db = get_db()
    app = apps.require_app(db, app_id)
    limit = parse_limit(request.args.get("limit"), default=50, maximum=500)
    rows, cursor = assignments.list_application_users(
        db, app["id"], q=request.args.get("q"), after=request.args.get("after"), limit=limit
    )
    expand = request.args.get("expand")
    return paged_response([_app_user_json(row, expand) for row in rows], cursor, limit)


@bp.get(f"{APP}/users/<user_id>")
def get_application_user(app_id: str, user_id: str) -> Response:
    """One app user; expand=user embeds the Okta user."""
    db = get_db()
    app = apps.require_app(db, app_id)
    row = assignments.require_app_user(db, app["id"], user_id)
    return json_response(_app_user_json(row, request.args.get("expand")))


@bp.post(f"{APP}/users/<user_id>")
def update_application_user(app_id: str, user_id: str) -> Response:
    """Update the app user's credentials.userName and/or profile."""
    body, db = json_body(), get_db()
    row = assignments.update_application_user(db, now(), app_id, user_id, body, actor=actor())
    return json_response(_app_user_json(row))


@bp.delete(f"{APP}/users/<user_id>")
def unassign_user_from_application(app_id: str, user_id: str) -> Response:
    """Unassign a directly assigned user (E0000046 while a group grants the app)."""
    assignments.unassign_user_from_application(get_db(), now(), app_id, user_id, actor=actor())
    return no_content()


# --- app groups ---------------------------------------------------------------------------------


def _app_group_json(row: dict, expand: str | None = None) -> dict:
    result = assignments.app_group_json(row, org_url())
    if expand == "group":
        db = get_db()
        group = groups.require_group(db, row["group_id"])
        result["_embedded"] = {"group": group_json(group)}
    return result


@bp.get(f"{APP}/groups")
def list_application_group_assignments(app_id: str) -> Response:
    """Group assignments: q (group name prefix), expand=group, Link paging (20, maximum 200)."""
    db = get_db()
    app = apps.require_app(db, app_id)
    limit = parse_limit(request.args.get("limit"), default=20, maximum=200)
    rows, cursor = assignments.list_application_group_assignments(
        db, app["id"], q=request.args.get("q"), after=request.args.get("after"), limit=limit
    )
    expand = request.args.get("expand")
    return paged_response([_app_group_json(row, expand) for row in rows], cursor, limit)


@bp.get(f"{APP}/groups/<group_id>")
def get_application_group_assignment(app_id: str, group_id: str) -> Response:
    """One group assignment; expand=group embeds the group."""
    db = get_db()
    app = apps.require_app(db, app_id)
    row = assignments.require_application_group(db, app["id"], group_id)
    return json_response(_app_group_json(row, request.args.get("expand")))


@bp.put(f"{APP}/groups/<group_id>")
def assign_group_to_application(app_id: str, group_id: str) -> Response:
    """Assign a group: its members become app users with scope GROUP."""
    body, db = json_body(required=False), get_db()
    row = assignments.assign_group_to_application(db, now(), app_id, group_id, body, actor=actor())
    return json_response(_app_group_json(row))


@bp.delete(f"{APP}/groups/<group_id>")
def unassign_application_from_group(app_id: str, group_id: str) -> Response:
    """Remove a group assignment; its users lose the app unless assigned otherwise."""
    assignments.unassign_application_from_group(get_db(), now(), app_id, group_id, actor=actor())
    return no_content()


# --- features -----------------------------------------------------------------------------------


def _feature_json(app_id: str, feature: dict) -> dict:
    href = f"{org_url()}{APPS}/{app_id}/features/{feature['name']}"
    return {**feature, "_links": {"self": {"href": href, "hints": {"allow": ["GET", "PUT"]}}}}


@bp.get(f"{APP}/features")
def list_features_for_application(app_id: str) -> Response:
    """The app's features (E0000001 when provisioning is not enabled)."""
    db = get_db()
    app = apps.require_app(db, app_id)
    return json_response([_feature_json(app_id, f) for f in features.list_features(db, app)])


@bp.get(f"{APP}/features/<name>")
def get_feature_for_application(app_id: str, name: str) -> Response:
    """One feature: USER_PROVISIONING."""
    db = get_db()
    app = apps.require_app(db, app_id)
    return json_response(_feature_json(app_id, features.get_feature(db, app, name)))


@bp.put(f"{APP}/features/<name>")
def update_feature_for_application(app_id: str, name: str) -> Response:
    """Partial update of the To App switches."""
    body, db = json_body(), get_db()
    with ScimSession() as session:
        feature = connector.update_to_app(
            db, now(), app_id, name, body, actor=actor(), session=session
        )
    return json_response(_feature_json(app_id, feature))


# --- group push mappings ------------------------------------------------------------------------


def _mapping_json(row: dict) -> dict:
    return push_mappings.mapping_json(row, org_url())


@bp.post(MAPPINGS)
def create_group_push_mapping(app_id: str) -> Response:
    """Create or link a push mapping: 201."""
    body = json_body()
    row = push_mappings.create_group_push_mapping(get_db(), now(), app_id, body, actor=actor())
    return json_response(_mapping_json(row), 201)


@bp.get(MAPPINGS)
def list_group_push_mappings(app_id: str) -> Response:
    """Mappings: lastUpdated, sourceGroupId, status filters; Link paging (100, maximum 1000)."""
    db = get_db()
    app = apps.require_app(db, app_id)
    limit = parse_limit(request.args.get("limit"), default=100, maximum=1000)
    rows, cursor = push_mappings.list_group_push_mappings(
        db,
        app,
        after=request.args.get("after"),
        limit=limit,
        last_updated=request.args.get("lastUpdated"),
        source_group_id=request.args.get("sourceGroupId"),
        status=request.args.get("status"),
    )
    return paged_response([_mapping_json(row) for row in rows], cursor, limit)


@bp.get(f"{MAPPINGS}/<mapping_id>")
def get_group_push_mapping(app_id: str, mapping_id: str) -> Response:
    """One mapping."""
    db = get_db()
    app = apps.require_app(db, app_id)
    return json_response(_mapping_json(push_mappings.require_mapping(db, app["id"], mapping_id)))


@bp.patch(f"{MAPPINGS}/<mapping_id>")
def update_group_push_mapping(app_id: str, mapping_id: str) -> Response:
    """{"status": "ACTIVE"|"INACTIVE"}."""
    body, db = json_body(), get_db()
    row = push_mappings.update_group_push_mapping(
        db, now(), app_id, mapping_id, body, actor=actor()
    )
    return json_response(_mapping_json(row))


@bp.delete(f"{MAPPINGS}/<mapping_id>")
def delete_group_push_mapping(app_id: str, mapping_id: str) -> Response:
    """Delete an INACTIVE or ERROR mapping; `deleteTargetGroup` is required."""
    delete = _flag("deleteTargetGroup", None)
    push_mappings.delete_group_push_mapping(
        get_db(), now(), app_id, mapping_id, delete, actor=actor()
    )
    return no_content()


# --- key credentials (certificate rotation) -----------------------------------------------------

KEYS = f"{APP}/credentials/keys"


@bp.get(KEYS)
def list_application_keys(app_id: str) -> Response:
    """The app's key credentials as JSON Web Keys."""
    app = apps.require_app(get_db(), app_id)
    return json_response([signing_keys.jwk_of(key) for key in apps.signing_keys_of(app)])


@bp.get(f"{KEYS}/<kid>")
def get_application_key(app_id: str, kid: str) -> Response:
    """One key credential."""
    return json_response(signing_keys.jwk_of(apps.require_key(get_db(), app_id, kid)))


@bp.post(f"{KEYS}/generate")
def generate_application_key(app_id: str) -> Response:
    """A new certificate for `validityYears` (2 to 10): 201."""
    years = _int_param("validityYears")
    key = apps.generate_key(get_db(), now(), app_id, years)
    return json_response(signing_keys.jwk_of(key), 201)


@bp.post(f"{KEYS}/<kid>/clone")
def clone_application_key(app_id: str, kid: str) -> Response:
    """Copy a key credential to the app `targetAid`: 201."""
    target = request.args.get("targetAid")
    if not target:
        raise MissingParameter("targetAid")
    key = apps.clone_key(get_db(), now(), app_id, kid, target)
    return json_response(signing_keys.jwk_of(key), 201)


def _int_param(name: str) -> int:
    value = request.args.get(name)
    if value is None:
        raise MissingParameter(name)
    try:
        return int(value)
    except ValueError as error:
        raise ApiValidationFailed(name, [f"{name}: must be an integer"]) from error


# --- SAML metadata ------------------------------------------------------------------------------


def _metadata(app: dict, content_type: str) -> Response:
    if app["sign_on_mode"] != app_settings.SAML_2_0:
        # Guess: apps without SAML have no metadata resource.
        raise ResourceNotFound(app["id"], "SamlMetadata")
    kid = request.args.get("kid")
    signing = (
        apps.require_key(get_db(), app["id"], kid) if kid else apps.internal_of(app)["signing"]
    )
    sign_on = apps.body_of(app)["settings"]["signOn"]
    slo = (sign_on.get("slo") or {}).get("enabled")
    xml = saml_metadata.idp_metadata(
        entity=saml_metadata.entity_id(sign_on.get("idpIssuer"), app["external_key"]),
        sso_location=saml_metadata.sso_url(org_url(), app["name"], app["external_key"]),
        cert_pem=signing["certPem"],
        slo_location=saml_metadata.slo_url(org_url(), app["name"], app["external_key"])
        if slo
        else None,
    )
    return Response(xml, status=200, content_type=content_type)


@bp.get(f"{APP}/sso/saml/metadata")
def preview_saml_metadata_for_application(app_id: str) -> Response:
    """The app's IdP metadata (text/xml); `kid` selects the key (optional here)."""
    return _metadata(apps.require_app(get_db(), app_id), "text/xml;charset=UTF-8")


@bp.get("/app/<external_key>/sso/saml/metadata")
def saml_metadata_by_external_key(external_key: str) -> Response:
    """The public metadata URL SPs download (anonymous)."""
    app = apps.app_by_external_key(get_db(), external_key)
    if app is None:
        raise ResourceNotFound(external_key, "AppInstance")
    # Guess: the public document is served as application/xml (the API's link type).
    return _metadata(app, "application/xml;charset=UTF-8")
