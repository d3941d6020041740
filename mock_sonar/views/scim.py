"""HTTP layer of the SCIM server: /api/scim/v2/Users, /Groups and discovery.

The session filter (views/hooks.py) has already answered 401 with an empty body for missing
or bad credentials; this blueprint adds the admin, edition and enablement checks (§3.5).
"""

import re
import time
from http import HTTPStatus
from typing import Any

from flask import Blueprint, Response, current_app, request
from pydantic import BaseModel, ValidationError
from scim2_models import (
    Context,
    Error,
    ForbiddenException,
    Group,
    InvalidSyntaxException,
    InvalidValueException,
    NotFoundException,
    PatchOp,
    ResponseParameters,
    SCIMException,
)
from werkzeug.exceptions import RequestEntityTooLarge

from mock_sonar import json_input, text
from mock_sonar.accounts import management, scim_mapping
from mock_sonar.errors import NotFound
from mock_sonar.scim import discovery, faults, filters, resources, service
from mock_sonar.scim.errors import ScimDisabled, from_validation_error
from mock_sonar.scim.models import IDP_TOLERANT, ScimUser
from mock_sonar.views.common import (
    edition,
    get_db,
    is_admin,
    json_response,
    no_content,
    now,
    principal,
    to_json,
)

bp = Blueprint("scim", __name__, url_prefix="/api/scim/v2")
SCIM_JSON = "application/scim+json"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
UserModel = ScimUser
#: startIndex and count are held in Java ints (Guess: the real server's type is not public).
JAVA_INT_MAX = 2**31 - 1
_INTEGER = re.compile(r"([+-]?)([0-9]+)")
_OPERATION_VALUE = re.compile(r"Operations\[(\d+)\]\.value(.*)")


@bp.before_request
def guard() -> Response | None:
    """Edition, permission and enablement checks, then any injected fault."""
    if not management.scim_available(edition()):
        raise NotFound(f"Unknown url : {request.path}")
    if principal() is None or not is_admin():
        raise ForbiddenException(detail="Insufficient privileges")
    if not management.is_scim_enabled(get_db()):
        error = ScimDisabled()
        error.status = current_app.config["SCIM_DISABLED_STATUS"]
        raise error
    return _injected_fault()


@bp.errorhandler(SCIMException)
def scim_error(error: SCIMException) -> Response:
    """RFC 7644 §3.12 error body with application/scim+json; a refusal that came from pydantic
    (a PATCH writing a value of the wrong type) names the attribute instead of pydantic's text."""
    cause = error.__cause__
    if isinstance(cause, ValidationError) and error.detail == str(cause):
        error = from_validation_error(cause)
    return scim_json(error.to_error().model_dump(), error.status)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_error: RequestEntityTooLarge) -> Response:
    """413 for bodies above MAX_CONTENT_LENGTH."""
    body = Error(status=413, detail="The request body is too large").model_dump()
    return scim_json(body, 413)


def scim_json(data: object, status: int = 200, location: str | None = None) -> Response:
    """A SCIM JSON response."""
    response = json_response(data, status, SCIM_JSON)
    if location:
        response.headers["Location"] = location
    return response


def _injected_fault() -> Response | None:
    fault = faults.take_fault(get_db(), request.method, request.path)
    if fault is None:
        return None
    if fault.delay_seconds:
        time.sleep(fault.delay_seconds)
    if fault.status is None and fault.body is None:
        return None
    status = fault.status or 200
    if status == 204 and fault.body is None:
        return no_content()
    if fault.body is None:
        detail = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
        body, content_type = to_json(Error(status=status, detail=detail).model_dump()), SCIM_JSON
    else:
        body, content_type = fault.body, fault.content_type or "text/plain"
    response = Response(body, status=status, content_type=content_type)
    response.headers.update(fault.headers)
    return response


def _base_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/")


def _options() -> service.ScimOptions:
    config = current_app.config
    return service.ScimOptions(
        duplicate_email_status=config["SCIM_DUPLICATE_EMAIL_STATUS"],
        adopt_local_groups=config["SCIM_ADOPT_LOCAL_GROUPS"],
    )


def _body(model: type[BaseModel], context: Context) -> Any:
    """Parse and validate the JSON body against a scim2-models class."""
    try:
        data = json_input.parse(request.get_data(cache=True) or b"null")
    except json_input.InvalidJson as error:
        raise InvalidSyntaxException(
            detail="Request is unparsable, syntactically incorrect, or violates schema.",
        ) from error
    if not isinstance(data, dict):
        raise InvalidSyntaxException(detail="The request body must be a JSON object")
    _refuse_nul(data)
    try:
        return model.model_validate(data, scim_ctx=context, scim_policy=IDP_TOLERANT)
    except ValidationError as error:
        raise from_validation_error(error) from error
    except SCIMException:
        raise
    except (TypeError, ValueError) as error:
        raise InvalidValueException(detail=str(error)) from error


def _refuse_nul(data: dict) -> None:
    """No attribute, known or kept as it came, may hold a NUL (SonarQube cannot store one)."""
    path = text.find_nul(data)
    if path is not None:
        subject = _patched_attribute(data, path) or path or "An attribute name"
        raise InvalidValueException(detail=text.nul_message(subject))


def _patched_attribute(data: dict, path: str) -> str | None:
    """`displayName` for `Operations[0].value` when that operation's path is `displayName`;
    `name.givenName` for `Operations[0].value.name.givenName` in a path-less one."""
    found = _OPERATION_VALUE.fullmatch(path)
    operations = data.get("Operations")
    if not found or not isinstance(operations, list):
        return None
    operation, rest = operations[int(found[1])], found[2]
    target = operation.get("path") if isinstance(operation, dict) else None
    return f"{target}{rest}" if isinstance(target, str) and target else rest.lstrip(".") or None


def _paging() -> tuple[int, int]:
    """startIndex and count, RFC 7644 §3.4.2.4: below 1 is 1, a negative count is 0, and a huge
    value is only large (kept within a Java int; count also within the server's maximum)."""
    largest = current_app.config["SCIM_MAX_COUNT"]
    start, count = _integer("startIndex", 1), _integer("count", largest)
    return min(max(start, 1), JAVA_INT_MAX), min(max(count, 0), largest)


def _integer(name: str, default: int) -> int:
    """A query parameter's integer, clamped to ±(JAVA_INT_MAX + 1): any longer number is only
    a large one (and Python will not read one of thousands of digits)."""
    value = request.args.get(name)
    if value is None:
        return default
    found = _INTEGER.fullmatch(value)
    if not found:
        raise InvalidValueException(detail=f"{name} must be an integer")
    sign, digits = -1 if found[1] == "-" else 1, found[2].lstrip("0") or "0"
    return sign * (JAVA_INT_MAX + 1) if len(digits) > 10 else sign * int(digits)


def _projected(resource: dict, model: type[BaseModel]) -> dict:
    """Apply ?attributes= / ?excludedAttributes= (RFC 7644 §3.4.2.5) when asked."""
    attributes = request.args.get("attributes")
    excluded = request.args.get("excludedAttributes")
    if not attributes and not excluded:
        return resource
    try:
        parameters = ResponseParameters[model].model_validate(
            {
                "attributes": attributes.split(",") if attributes else None,
                "excludedAttributes": excluded.split(",") if excluded else None,
            }
        )
    except ValidationError as error:
        raise InvalidValueException(detail=error.errors()[0]["msg"]) from error
    parsed = model.model_validate(resource, scim_ctx=Context.RESOURCE_QUERY_RESPONSE)
    return parsed.model_dump(
        scim_ctx=Context.RESOURCE_QUERY_RESPONSE, response_parameters=parameters
    )


def _list(items: list[dict], total: int, start: int) -> Response:
    return scim_json(
        {
            "schemas": [LIST_SCHEMA],
            "totalResults": total,
            "itemsPerPage": len(items),
            "startIndex": start,
            "Resources": items,
        }
    )


# --- Users -----------------------------------------------------------------------------------


@bp.get("/Users")
def list_users() -> Response:
    """GET /Users?filter=userName eq "x"&startIndex&count."""
    user_name = filters.parse_user_filter(request.args.get("filter"))
    start, count = _paging()
    db = get_db()
    rows, total = scim_mapping.list_users(db, user_name=user_name, offset=start - 1, limit=count)
    items = [_projected(resources.user_resource(db, r, _base_url()), UserModel) for r in rows]
    return _list(items, total, start)


@bp.get("/Users/<scim_id>")
def get_user(scim_id: str) -> Response:
    """GET /Users/{id}."""
    db = get_db()
    resource = resources.user_resource(db, service.require_user(db, scim_id), _base_url())
    return scim_json(_projected(resource, UserModel))


def _user_response(row: dict, status: int = 200) -> Response:
    """The user the request just wrote (its row as the write left it, not read again)."""
    resource = resources.user_resource(get_db(), row, _base_url())
    location = resource["meta"]["location"] if status == 201 else None
    return scim_json(resource, status, location)


@bp.post("/Users")
def create_user() -> Response:
    """POST /Users: create or adopt; 201 with the user."""
    payload = _body(UserModel, Context.RESOURCE_CREATION_REQUEST)
    return _user_response(service.create_user(get_db(), now(), payload, _options()), 201)


@bp.put("/Users/<scim_id>")
def replace_user(scim_id: str) -> Response:
    """PUT /Users/{id}: full replacement (Okta's custom-app dialect)."""
    payload = _body(UserModel, Context.RESOURCE_REPLACEMENT_REQUEST)
    return _user_response(service.replace_user(get_db(), now(), scim_id, payload, _options()))


@bp.patch("/Users/<scim_id>")
def patch_user(scim_id: str) -> Response:
    """PATCH /Users/{id}: 200 with the user."""
    service.require_user(get_db(), scim_id)
    patch = _body(PatchOp[UserModel], Context.RESOURCE_PATCH_REQUEST)
    row = service.patch_user(get_db(), now(), scim_id, patch, _base_url(), _options())
    return _user_response(row)


@bp.delete("/Users/<scim_id>")
def delete_user(scim_id: str) -> Response:
    """DELETE /Users/{id}: deactivated in SonarQube, unknown to SCIM afterwards."""
    service.delete_user(get_db(), now(), scim_id)
    return no_content()


# --- Groups ----------------------------------------------------------------------------------


@bp.get("/Groups")
def list_groups() -> Response:
    """GET /Groups?filter=displayName eq "x"&startIndex&count."""
    display_name = filters.parse_group_filter(request.args.get("filter"))
    start, count = _paging()
    db = get_db()
    rows, total = scim_mapping.list_groups(
        db, display_name=display_name, offset=start - 1, limit=count
    )
    items = [_projected(resources.group_resource(db, r, _base_url()), Group) for r in rows]
    return _list(items, total, start)


@bp.get("/Groups/<scim_id>")
def get_group(scim_id: str) -> Response:
    """GET /Groups/{id} with its members."""
    db = get_db()
    resource = resources.group_resource(db, service.require_group(db, scim_id), _base_url())
    return scim_json(_projected(resource, Group))


def _group_response(scim_id: str, status: int = 200) -> Response:
    db = get_db()
    resource = resources.group_resource(db, service.require_group(db, scim_id), _base_url())
    location = resource["meta"]["location"] if status == 201 else None
    return scim_json(resource, status, location)


@bp.post("/Groups")
def create_group() -> Response:
    """POST /Groups: 201 with the group."""
    payload = _body(Group, Context.RESOURCE_CREATION_REQUEST)
    scim_id = service.create_group(get_db(), now(), payload, _options())
    return _group_response(scim_id, 201)


@bp.put("/Groups/<scim_id>")
def replace_group(scim_id: str) -> Response:
    """PUT /Groups/{id}: rename and full member list."""
    payload = _body(Group, Context.RESOURCE_REPLACEMENT_REQUEST)
    service.replace_group(get_db(), now(), scim_id, payload)
    return _group_response(scim_id)


@bp.patch("/Groups/<scim_id>")
def patch_group(scim_id: str) -> Response:
    """PATCH /Groups/{id}: 204 by default, or 200 with the group (SCIM_GROUP_PATCH_STATUS)."""
    service.require_group(get_db(), scim_id)
    patch = _body(PatchOp[Group], Context.RESOURCE_PATCH_REQUEST)
    service.patch_group(get_db(), now(), scim_id, patch, _base_url())
    if current_app.config["SCIM_GROUP_PATCH_STATUS"] == 204:
        return no_content()
    return _group_response(scim_id)


@bp.delete("/Groups/<scim_id>")
def delete_group(scim_id: str) -> Response:
    """DELETE /Groups/{id}."""
    service.delete_group(get_db(), scim_id)
    return no_content()


# --- Discovery -------------------------------------------------------------------------------


def _require_discovery() -> None:
    if not current_app.config["SCIM_DISCOVERY"]:
        raise NotFoundException(detail=f"Unknown url : {request.path}")


@bp.get("/ServiceProviderConfig")
def service_provider_config() -> Response:
    """What the server supports."""
    _require_discovery()
    return scim_json(
        discovery.service_provider_config(_base_url(), current_app.config["SCIM_MAX_COUNT"])
    )


@bp.get("/ResourceTypes")
def resource_types() -> Response:
    """User and Group."""
    _require_discovery()
    types = discovery.resource_types(_base_url())
    return _list(types, len(types), 1)


@bp.get("/ResourceTypes/<name>")
def resource_type(name: str) -> Response:
    """One resource type."""
    _require_discovery()
    for item in discovery.resource_types(_base_url()):
        if item["id"] == name:
            return scim_json(item)
    raise NotFoundException(detail=f"Resource type {name} not found")


@bp.get("/Schemas")
def schemas() -> Response:
    """The core schemas."""
    _require_discovery()
    items = discovery.schemas(_base_url())
    return _list(items, len(items), 1)


@bp.get("/Schemas/<schema_id>")
def schema(schema_id: str) -> Response:
    """One schema by URN."""
    _require_discovery()
    for item in discovery.schemas(_base_url()):
        if item["id"] == schema_id:
            return scim_json(item)
    raise NotFoundException(detail=f"Schema {schema_id} not found")
