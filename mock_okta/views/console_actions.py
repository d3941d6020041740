"""Console-only actions as JSON (SPEC §4.7), SSWS-authenticated like /api/v1.

Real Okta offers these only in the Admin Console; tests, demos and scripts need them.
"""

import json
import time

from flask import Blueprint, Response, request

from mock_common.db import atomic
from mock_okta.applications import apps
from mock_okta.errors import ApiValidationFailed
from mock_okta.group_push import mappings as push_mappings
from mock_okta.group_push import rules as push_rules
from mock_okta.provisioning import assignment_status as status
from mock_okta.provisioning import connection, engine, groups_push, tasks, users_push
from mock_okta.views.api.users import actor
from mock_okta.views.common import get_db, json_body, json_response, no_content, now

bp = Blueprint("console_api", __name__, url_prefix="/_mock")


@bp.get("/apps/<app_id>/provisioning")
def get_provisioning(app_id: str) -> Response:
    """The SCIM connection (secrets never echoed)."""
    db = get_db()
    app = apps.require_app(db, app_id)
    return json_response(connection.connection_json(connection.get_connection(db, app["id"])))


@bp.put("/apps/<app_id>/provisioning")
def put_provisioning(app_id: str) -> Response:
    """General > Enable SCIM provisioning, and the SCIM Connection form."""
    body, db = json_body(), get_db()
    with atomic(db):
        app = apps.require_app(db, app_id)
        row = connection.save_connection(db, now(), app, body)
    return json_response(connection.connection_json(row))


@bp.post("/apps/<app_id>/provisioning/test")
def test_provisioning(app_id: str) -> Response:
    """Test Connector Configuration: GET /Users?startIndex=1&count=2 against the target."""
    db = get_db()
    app = apps.require_app(db, app_id)
    row = connection.get_connection(db, app["id"])
    if row is None or not row["base_url"]:
        raise ApiValidationFailed("baseUrl", ["baseUrl: The field cannot be left blank"])
    return json_response(connection.check_connector(db, row))


@bp.get("/apps/<app_id>/scim-requests")
def scim_requests(app_id: str) -> Response:
    """What Okta sent to the app, with the answers, newest last (`?limit=`, default 100)."""
    db = get_db()
    app = apps.require_app(db, app_id)
    limit = min(int(request.args.get("limit", "100") or 100), 1000)
    rows = list(
        db.query(
            "select * from (select * from scim_requests where app_id = ? order by id desc "
            "limit ?) order by id",
            [app["id"], limit],
        )
    )
    return json_response([_wire_json(row) for row in rows])


def _wire_json(row: dict) -> dict:
    def parsed(text):
        try:
            return json.loads(text) if text else None
        except ValueError:
            return text

    return {
        "id": row["id"],
        "sent": row["sent"],
        "method": row["method"],
        "url": row["url"],
        "requestHeaders": json.loads(row["request_headers"]),
        "requestBody": parsed(row["request_body"]),
        "status": row["status"],
        "responseHeaders": json.loads(row["response_headers"] or "null"),
        "responseBody": parsed(row["response_body"]),
        "durationMs": row["duration_ms"],
        "error": row["error"],
    }


@bp.get("/apps/<app_id>/assignments")
def assignments_tab(app_id: str) -> Response:
    """Assignments tab data: provisioning state per user and the red "!" message."""
    db = get_db()
    app = apps.require_app(db, app_id)
    return json_response(status.assignments_tab(db, app["id"]))


@bp.get("/tasks")
def list_tasks() -> Response:
    """Dashboard > Tasks: open provisioning failures."""
    return json_response(tasks.list_tasks(get_db()))


@bp.post("/tasks/<task_id>/retry")
def retry_task(task_id: str) -> Response:
    """Retry Selected -> 202."""
    db = get_db()
    with atomic(db):
        tasks.retry_task(db, now(), tasks.require_task(db, task_id))
    return json_response({}, 202)


@bp.post("/tasks/<task_id>/dismiss")
def dismiss_task(task_id: str) -> Response:
    """Dismiss -> 204."""
    db = get_db()
    with atomic(db):
        tasks.dismiss_task(db, now(), tasks.require_task(db, task_id))
    return no_content()


@bp.post("/provisioning/wait")
def wait_until_idle() -> Response:
    """200 {"idle": true} once nothing waits for delivery, 504 {"idle": false} at the timeout."""
    body = json_body(required=False)
    timeout = body.get("timeoutSeconds", 30)
    if not isinstance(timeout, int | float) or not 0 <= timeout <= 600:
        raise ApiValidationFailed("timeoutSeconds", ["timeoutSeconds: a number from 0 to 600"])
    deadline = time.monotonic() + timeout
    while True:
        if engine.is_idle(get_db()):
            return json_response({"idle": True})
        if time.monotonic() >= deadline:
            return json_response({"idle": False}, 504)
        time.sleep(0.05)


@bp.post("/apps/<app_id>/users/<user_id>/provision")
def provision_user(app_id: str, user_id: str) -> Response:
    """Assignments > Provision User, for an app user assigned before provisioning -> 202."""
    db = get_db()
    with atomic(db):
        app = apps.require_app(db, app_id)
        users_push.provision_user(db, now(), app, user_id)
    return json_response({}, 202)


# --- Push Groups: by rule, Push Now, Retry All Groups --------------------------------------------

PUSH_RULES = "/apps/<app_id>/group-push/rules"


@bp.post(PUSH_RULES)
def create_push_rule(app_id: str) -> Response:
    """+ Push Groups > Find groups by rule: 201 with the rule and the mappings it created."""
    body, db = json_body(), get_db()
    with atomic(db):
        app = apps.require_app(db, app_id)
        rule = push_rules.create_push_rule(db, now(), app, body, actor=actor())
        result = push_rules.rule_json(db, rule)
    return json_response(result, 201)


@bp.get(PUSH_RULES)
def list_push_rules(app_id: str) -> Response:
    """The app's push rules, oldest first."""
    db = get_db()
    app = apps.require_app(db, app_id)
    push_mappings.require_push_groups(db, app)
    return json_response([push_rules.rule_json(db, r) for r in push_rules.list_push_rules(db, app)])


@bp.delete(f"{PUSH_RULES}/<rule_id>")
def delete_push_rule(app_id: str, rule_id: str) -> Response:
    """Delete the rule and unlink its pushes; `deleteTargetGroups=true|false` is required."""
    db = get_db()
    with atomic(db):
        app = apps.require_app(db, app_id)
        rule = push_rules.require_push_rule(db, app["id"], rule_id)
        delete = _optional_flag("deleteTargetGroups")
        push_rules.delete_push_rule(db, now(), app, rule, delete, actor=actor())
    return no_content()


@bp.post(f"{PUSH_RULES}/<rule_id>/lifecycle/activate")
def activate_push_rule(app_id: str, rule_id: str) -> Response:
    """Activate a rule: matching groups not yet pushed get a mapping."""
    db = get_db()
    with atomic(db):
        app = apps.require_app(db, app_id)
        rule = push_rules.require_push_rule(db, app["id"], rule_id)
        rule = push_rules.activate_push_rule(db, now(), app, rule, actor=actor())
        result = push_rules.rule_json(db, rule)
    return json_response(result)


@bp.post(f"{PUSH_RULES}/<rule_id>/lifecycle/deactivate")
def deactivate_push_rule(app_id: str, rule_id: str) -> Response:
    """Deactivate a rule: no new mappings; existing ones are untouched."""
    db = get_db()
    with atomic(db):
        app = apps.require_app(db, app_id)
        rule = push_rules.require_push_rule(db, app["id"], rule_id)
        rule = push_rules.deactivate_push_rule(db, now(), app, rule)
        result = push_rules.rule_json(db, rule)
    return json_response(result)


@bp.post("/apps/<app_id>/group-push/mappings/<mapping_id>/push")
def push_now(app_id: str, mapping_id: str) -> Response:
    """Push Now: the group's full membership is pushed -> 202."""
    db = get_db()
    with atomic(db):
        app = apps.require_app(db, app_id)
        mapping = push_mappings.require_mapping(db, app["id"], mapping_id)
        groups_push.push_now(db, now(), app, mapping)
    return json_response({}, 202)


@bp.post("/apps/<app_id>/group-push/retry")
def retry_all_groups(app_id: str) -> Response:
    """Retry All Groups: the pushes in ERROR are pushed again -> 202 with their ids."""
    db = get_db()
    with atomic(db):
        app = apps.require_app(db, app_id)
        mapping_ids = groups_push.retry_all_groups(db, now(), app)
    return json_response({"mappingIds": mapping_ids}, 202)


def _optional_flag(name: str) -> bool | None:
    """A true/false query parameter; None when absent."""
    value = request.args.get(name)
    if value is None:
        return None
    if value.lower() not in ("true", "false"):
        raise ApiValidationFailed(name, [f"{name}: must be true or false"])
    return value.lower() == "true"
