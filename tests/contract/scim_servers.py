"""A small SCIM 2.0 server with defects switched on by name, to prove scim-check finds them.

Correct by default (enough of RFC 7644 for Okta's push in both dialects); each defect is one
mistake real SCIM servers make.
"""

import re
import uuid

from flask import Flask, Response, jsonify, request

LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
_EQ = re.compile(r'^(\w+) eq "(.*)"$')
_MEMBER = re.compile(r'^members\[value eq "(.*)"\]$')

#: The defects: POST answers 200, a created user has no id, the filter is ignored, the
#: userName filter is case-sensitive; and a policy Okta never meets (it deletes no user):
#: users cannot be deleted.
DEFECTS = (
    "create_200",
    "create_without_id",
    "filter_ignored",
    "case_sensitive_filter",
    "users_not_deletable",
)


def _error(status: int, detail: str) -> Response:
    response = jsonify({"schemas": [ERROR], "status": str(status), "detail": detail})
    response.status_code = status
    return response


def _matches(resource: dict, attribute: str, value: str, case_sensitive: bool) -> bool:
    have = str(resource.get(attribute, ""))
    return have == value if case_sensitive else have.lower() == value.lower()


def scim_server(*defects: str) -> Flask:
    """The app, with the named defects."""
    assert set(defects) <= set(DEFECTS), defects
    app = Flask(__name__)
    store: dict[str, dict[str, dict]] = {"Users": {}, "Groups": {}}

    def listing(kind: str) -> Response:
        items = list(store[kind].values())
        match = _EQ.match(request.args.get("filter", ""))
        if match and "filter_ignored" not in defects:
            attribute, value = match.groups()
            strict = "case_sensitive_filter" in defects or attribute != "userName"
            items = [r for r in items if _matches(r, attribute, value, strict)]
        return jsonify(
            {
                "schemas": [LIST],
                "totalResults": len(items),
                "startIndex": 1,
                "itemsPerPage": len(items),
                "Resources": items,
            }
        )

    def create(kind: str) -> Response:
        body = request.get_json()
        key = "userName" if kind == "Users" else "displayName"
        if any(_matches(r, key, body[key], False) for r in store[kind].values()):
            return _error(409, f"{key} already exists")
        resource = {**body, "id": uuid.uuid4().hex}
        resource.pop("password", None)
        store[kind][resource["id"]] = resource
        shown = dict(resource)
        if kind == "Users" and "create_without_id" in defects:
            del shown["id"]
        response = jsonify(shown)
        response.status_code = 200 if "create_200" in defects else 201
        return response

    def patch(resource: dict) -> None:
        for operation in request.get_json()["Operations"]:
            op, path, value = operation["op"].lower(), operation.get("path"), operation.get("value")
            members = resource.setdefault("members", [])
            if path is None:
                resource.update(value)
            elif path == "members" and op == "add":
                members.extend(m for m in value if m not in members)
            elif path == "members" and op == "replace":
                resource["members"] = value
            elif op == "remove" and (match := _MEMBER.match(path)):
                resource["members"] = [m for m in members if m["value"] != match.group(1)]

    def one(kind: str, scim_id: str) -> Response:
        resource = store[kind].get(scim_id)
        if resource is None:
            return _error(404, "not found")
        if request.method == "DELETE":
            if kind == "Users" and "users_not_deletable" in defects:
                return _error(403, "users are deactivated, never deleted")
            del store[kind][scim_id]
            return Response(status=204)
        if request.method == "PUT":
            resource = store[kind][scim_id] = {**request.get_json(), "id": scim_id}
        elif request.method == "PATCH":
            patch(resource)
            return Response(status=204)
        return jsonify(resource)

    for kind in ("Users", "Groups"):
        app.add_url_rule(f"/{kind}", f"list_{kind}", lambda k=kind: listing(k))
        app.add_url_rule(f"/{kind}", f"create_{kind}", lambda k=kind: create(k), methods=["POST"])
        app.add_url_rule(
            f"/{kind}/<scim_id>",
            f"one_{kind}",
            lambda scim_id, k=kind: one(k, scim_id),
            methods=["GET", "PUT", "PATCH", "DELETE"],
        )
    return app
