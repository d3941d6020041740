"""Okta's published Management API description, and the simulator's own document cut from it.

`management-minimal-2026.06.3.json.gz` here is Okta's OpenAPI 3 description of `/api/v1`
(README.md). `published_description()` loads it with its known defects patched, the one place
where they are patched: the document the app serves (`implemented_document`, at
`/_mock/openapi/okta.json`) and the contract test both take it from here. The served document
keeps exactly the operations the app routes, and the components those operations reach.
"""

import copy
import functools
import gzip
import json
import re
from collections.abc import Iterator
from importlib import resources

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map

from mock_okta.reactions import LIFECYCLE

PUBLISHED = "management-minimal-2026.06.3.json.gz"
API_PREFIX = "/api/v1/"
METHODS = ("get", "put", "post", "delete", "patch")

#: The `<action>` values each `.../lifecycle/<action>` view accepts (any other answers 404):
#: the published file has one path per action, and only these are implemented.
LIFECYCLE_ACTIONS = {
    "api_users.lifecycle": tuple(LIFECYCLE),
    "api_apps.application_lifecycle": ("activate", "deactivate"),
    "api_groups.group_rule_lifecycle": ("activate", "deactivate"),
}

#: Known defects of the published file (README.md), each patched where it is.
KNOWN_DEFECTS = {
    # "Fields that real Okta returns as null are not marked nullable": the fields recorded
    # responses of real orgs show as null, by schema.
    "nullable": {
        "AppUser": ["externalId", "lastSync"],
        "ApplicationAccessibility": ["errorRedirectUrl", "loginRedirectUrl"],
        "GroupPushMapping": ["lastPush"],
        # An OKTA_GROUP created without a description answers "description": null
        # (org responses quoted in okta/terraform-provider-okta#1032).
        "OktaUserGroupProfile": ["description"],
    },
    # The same for the System Log: real events carry null throughout (actor.detailEntry,
    # client.zone, authenticationContext.*, ...), so every property of its objects may be null.
    "nullable_everywhere": [
        "LogEvent",
        "LogActor",
        "LogAuthenticationContext",
        "LogClient",
        "LogDebugContext",
        "LogGeographicalContext",
        "LogGeolocation",
        "LogIpAddress",
        "LogIssuer",
        "LogOutcome",
        "LogRequest",
        "LogSecurityContext",
        "LogTarget",
        "LogTransaction",
        "LogUserAgent",
    ],
    # "TimeDuration.pattern matches no duration, not even its example P30D".
    "drop_pattern": ["TimeDuration"],
    # "An enum lists a value twice" (OpenAPI wants unique items), by schema and property.
    "duplicate_enum_values": {"SamlAssertionEncryption": ["encryptionAlgorithm"]},
    # Operations documented without a body that the real service answers with `{}` (Okta's API
    # reference examples: `HTTP/1.1 200 OK` then `{}`), by path prefix.
    "empty_object_answers": ["/api/v1/users/{id}/lifecycle/", "/api/v1/apps/{appId}/lifecycle/"],
    # "Documented error statuses are incomplete": every operation can answer these, in the
    # `Error` shape (a malformed body, a bad token, a refusal, an unknown id, the rate limit).
    "error_statuses": {
        "400": "ErrorApiValidationFailed400",
        "401": "ErrorInvalidToken401",
        "403": "ErrorAccessDenied403",
        "404": "ErrorResourceNotFound404",
        "429": "ErrorTooManyRequests429",
    },
    # ...and an operation that takes a body: too large (E0000003 413) or not JSON (E0000003 415).
    "body_error_statuses": {"413": "Payload Too Large", "415": "Unsupported Media Type"},
}


@functools.cache
def _published() -> dict:
    packaged = resources.files(__name__).joinpath(PUBLISHED)
    with packaged.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as stream:
        return patch_known_defects(json.load(stream))


def published_description() -> dict:
    """Okta's description with its known defects patched (a copy: callers may change it)."""
    return copy.deepcopy(_published())


def patch_known_defects(spec: dict) -> dict:
    """Patch, in place, what README.md lists as the published file's known defects."""
    schemas = spec["components"]["schemas"]
    for name, fields in KNOWN_DEFECTS["nullable"].items():
        for field in fields:
            _make_nullable(schemas, _properties(schemas[name]), field)
    for name in KNOWN_DEFECTS["nullable_everywhere"]:
        properties = _properties(schemas[name])
        for field in properties:
            _make_nullable(schemas, properties, field)
    for name in KNOWN_DEFECTS["drop_pattern"]:
        schemas[name].pop("pattern", None)
    for name, fields in KNOWN_DEFECTS["duplicate_enum_values"].items():
        for field in fields:
            prop = _properties(schemas[name])[field]
            prop["enum"] = list(dict.fromkeys(prop["enum"]))
    for path, _, operation in _operations(spec):
        _document_error_statuses(operation)
        if path.startswith(tuple(KNOWN_DEFECTS["empty_object_answers"])):
            _document_empty_object(operation)
    _require_path_parameters(spec)
    return spec


def _make_nullable(schemas: dict, properties: dict, field: str) -> None:
    """Let `properties[field]` be null (OpenAPI 3.0 ignores `nullable` beside a `$ref`, so a
    referenced schema is made nullable itself; an enum takes null as a value)."""
    prop = properties[field]
    if "$ref" in prop:
        prop = schemas[prop["$ref"].rsplit("/", 1)[-1]]
    else:
        prop = properties[field] = dict(prop)
    prop["nullable"] = True
    if "enum" in prop and None not in prop["enum"]:
        prop["enum"] = [*prop["enum"], None]


def _properties(schema: dict) -> dict:
    """The `properties` of a schema, also when they sit in an `allOf` part."""
    if "properties" in schema:
        return schema["properties"]
    for part in schema.get("allOf", []):
        if "properties" in part:
            return part["properties"]
    raise KeyError(schema)


def _operations(spec: dict) -> Iterator[tuple[str, str, dict]]:
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _document_error_statuses(operation: dict) -> None:
    responses = operation.setdefault("responses", {})
    for status, name in KNOWN_DEFECTS["error_statuses"].items():
        responses.setdefault(status, {"$ref": f"#/components/responses/{name}"})
    if "requestBody" in operation:
        for status, description in KNOWN_DEFECTS["body_error_statuses"].items():
            responses.setdefault(status, _error_response(description))


def _error_response(description: str) -> dict:
    schema = {"$ref": "#/components/schemas/Error"}
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _document_empty_object(operation: dict) -> None:
    ok = operation.get("responses", {}).get("200")
    if ok is not None and not ok.get("content"):
        schema = {"type": "object", "maxProperties": 0}
        ok["content"] = {"application/json": {"schema": schema}}


def _require_path_parameters(spec: dict) -> None:
    """ "Some path parameters lack `required: true`" (OpenAPI 3.0 requires it of every one)."""
    for parameter in spec["components"].get("parameters", {}).values():
        if parameter.get("in") == "path":
            parameter["required"] = True
    for item in spec["paths"].values():
        for holder in (item, *(item[m] for m in METHODS if m in item)):
            for parameter in holder.get("parameters", []):
                if parameter.get("in") == "path":
                    parameter["required"] = True


def implemented_document(url_map: Map, server_url: str) -> dict:
    """The published description cut down to the `/api/v1` operations `url_map` routes: only
    the SSWS scheme (the simulator has no OAuth 2.0 for its API), only reachable components."""
    spec = _published()
    paths = {}
    for path, method in implemented_operations(url_map):
        item = paths.setdefault(path, _path_level(spec["paths"][path]))
        operation = copy.deepcopy(spec["paths"][path][method])
        operation["security"] = [{"apiToken": []}]
        item[method] = operation
    document = {
        "openapi": spec["openapi"],
        "info": {
            **spec["info"],
            "title": "Okta Management API (as the simulator implements it)",
            "description": "The operations of Okta's published description "
            f"({spec['info']['version']}) that this simulated org implements.",
        },
        "servers": [{"url": server_url}],
        "security": [{"apiToken": []}],
        "paths": paths,
    }
    document["components"] = _reachable_components(spec["components"], document)
    return document


def implemented_operations(url_map: Map) -> list[tuple[str, str]]:
    """(path template, method) of every published operation the app routes to an `/api/v1`
    view; a `lifecycle/<action>` view counts only for the actions it accepts."""
    adapter = url_map.bind("localhost")
    api_endpoints = {rule.endpoint for rule in url_map.iter_rules() if _is_api(rule.rule)}
    found = []
    for path, method, _ in _operations(_published()):
        if not _is_api(path):
            continue
        sample = re.sub(r"\{[^}/]+\}", "x0", path)
        try:
            endpoint, arguments = adapter.match(sample, method=method.upper())
        except HTTPException:  # not routed (404, 405) or only with a redirect
            continue
        if endpoint not in api_endpoints:
            continue
        if endpoint in LIFECYCLE_ACTIONS and arguments["action"] not in LIFECYCLE_ACTIONS[endpoint]:
            continue
        found.append((path, method))
    return found


def _is_api(path: str) -> bool:
    return path.startswith(API_PREFIX)


def _path_level(item: dict) -> dict:
    return {key: copy.deepcopy(item[key]) for key in ("parameters",) if key in item}


def _reachable_components(components: dict, document: dict) -> dict:
    """The components `document` refers to, directly or through other components (`$ref`s and
    discriminator mappings alike), plus the SSWS security scheme."""
    kept: dict[str, dict] = {
        "securitySchemes": {"apiToken": components["securitySchemes"]["apiToken"]}
    }
    pending = list(_references(document))
    while pending:
        kind, name = pending.pop()
        if name in kept.setdefault(kind, {}):
            continue
        kept[kind][name] = copy.deepcopy(components[kind][name])
        pending.extend(_references(kept[kind][name]))
    return {kind: dict(sorted(items.items())) for kind, items in sorted(kept.items())}


def _references(node: object) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for value in node.values():
            yield from _references(value)
    elif isinstance(node, list):
        for value in node:
            yield from _references(value)
    elif isinstance(node, str) and node.startswith("#/components/"):
        _, _, kind, name = node.split("/", 3)
        yield kind, name
