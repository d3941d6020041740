"""Console-only actions as JSON (SPEC §4.7), SSWS-authenticated like /api/v1.

Real Okta offers these only in the Admin Console; tests, demos and scripts need them.
"""

from flask import Blueprint, Response, request

from mock_okta import outbox
from mock_okta.applications import apps, scim_connection
from mock_okta.errors import ApiValidationFailed
from mock_okta.group_push import mappings as push_mappings
from mock_okta.group_push import rules as push_rules
from mock_okta.provisioning import (
    assignment_status,
    connector,
    groups_push,
    tasks,
    users_push,
    wire_log,
)
from mock_okta.storage.pagination import parse_limit
from mock_okta.views.api.users import actor
from mock_okta.views.common import get_db, json_body, json_response, no_content, now

bp = Blueprint("console_api", __name__, url_prefix="/_mock")
#: The most SCIM exchanges one read returns (a bound of the simulator's own).
SCIM_REQUESTS_MAX = 10_000


@bp.get("/apps/<app_id>/provisioning")
def get_provisioning(app_id: str) -> Response:
    """The SCIM connection (secrets never echoed)."""
    db = get_db()
    app = apps.require_app(db, app_id)
    return json_response(
        scim_connection.connection_json(scim_connection.get_connection(db, app["id"]))
    )


@bp.put("/apps/<app_id>/provisioning")
def put_provisioning(app_id: str) -> Response:
    """General > Enable SCIM provisioning, and the SCIM Connection form."""
    row = connector.save_connection(get_db(), now(), app_id, json_body())
    return json_response(scim_connection.connection_json(row))


@bp.post("/apps/<app_id>/provisioning/test")
def test_provisioning(app_id: str) -> Response:
    """Test Connector Configuration: GET /Users?startIndex=1&count=2 against the target."""
    return json_response(connector.check_app_connector(get_db(), app_id))


@bp.get("/apps/<app_id>/scim-requests")
def scim_requests(app_id: str) -> Response:
    """What Okta sent to the app, with the answers, newest last (`?limit=`, default 100)."""
    db = get_db()
    app = apps.require_app(db, app_id)
    limit = parse_limit(request.args.get("limit"), default=100, maximum=SCIM_REQUESTS_MAX)
    return json_response(wire_log.recent_exchanges(db, app["id"], limit))


@bp.get("/apps/<app_id>/assignments")
def assignments_tab(app_id: str) -> Response:
    """Assignments tab data: provisioning state per user and the red "!" message."""
    db = get_db()
    app = apps.require_app(db, app_id)
    return json_response(assignment_status.assignments_tab(db, app["id"]))


@bp.get("/tasks")
def list_tasks() -> Response:
    """Dashboard > Tasks: open provisioning failures."""
    return json_response([tasks.task_json(row) for row in tasks.list_tasks(get_db())])


@bp.post("/tasks/<task_id>/retry")
def retry_task(task_id: str) -> Response:
    """Retry Selected -> 202."""
    tasks.retry_task(get_db(), now(), task_id)
    return json_response({}, 202)


@bp.post("/tasks/<task_id>/dismiss")
def dismiss_task(task_id: str) -> Response:
    """Dismiss -> 204."""
    tasks.dismiss_task(get_db(), now(), task_id)
    return no_content()


@bp.post("/provisioning/wait")
def wait_until_idle() -> Response:
    """200 {"idle": true} once nothing waits for delivery, 504 {"idle": false} at the timeout."""
    timeout = json_body(required=False).get("timeoutSeconds", 30)
    if not isinstance(timeout, int | float) or not 0 <= timeout <= 600:
        raise ApiValidationFailed("timeoutSeconds", ["timeoutSeconds: a number from 0 to 600"])
    if outbox.wait_until_idle(get_db(), timeout):
        return json_response({"idle": True})
    return json_response({"idle": False}, 504)


@bp.post("/apps/<app_id>/users/<user_id>/provision")
def provision_user(app_id: str, user_id: str) -> Response:
    """Assignments > Provision User, for an app user assigned before provisioning -> 202."""
    users_push.provision_user(get_db(), now(), app_id, user_id)
    return json_response({}, 202)


# --- Push Groups: by rule, Push Now, Retry All Groups --------------------------------------------

PUSH_RULES = "/apps/<app_id>/group-push/rules"


@bp.post(PUSH_RULES)
def create_push_rule(app_id: str) -> Response:
    """+ Push Groups > Find groups by rule: 201 with the rule and the mappings it created."""
    db = get_db()
    rule = push_rules.create_push_rule(db, now(), app_id, json_body(), actor=actor())
    return json_response(push_rules.rule_json(db, rule), 201)


@bp.get(PUSH_RULES)
def list_push_rules(app_id: str) -> Response:
    """The app's push rules, oldest first."""
    db = get_db()
    push_mappings.require_push_groups(db, apps.require_app(db, app_id))
    return json_response(
        [push_rules.rule_json(db, r) for r in push_rules.list_push_rules(db, app_id)]
    )


@bp.delete(f"{PUSH_RULES}/<rule_id>")
def delete_push_rule(app_id: str, rule_id: str) -> Response:
    """Delete the rule and unlink its pushes; `deleteTargetGroups=true|false` is required."""
    delete = _optional_flag("deleteTargetGroups")
    push_rules.delete_push_rule(get_db(), now(), app_id, rule_id, delete, actor=actor())
    return no_content()


@bp.post(f"{PUSH_RULES}/<rule_id>/lifecycle/activate")
def activate_push_rule(app_id: str, rule_id: str) -> Response:
    """Activate a rule: matching groups not yet pushed get a mapping."""
    db = get_db()
    rule = push_rules.activate_push_rule(db, now(), app_id, rule_id, actor=actor())
    return json_response(push_rules.rule_json(db, rule))


@bp.post(f"{PUSH_RULES}/<rule_id>/lifecycle/deactivate")
def deactivate_push_rule(app_id: str, rule_id: str) -> Response:
    """Deactivate a rule: no new mappings; existing ones are untouched."""
    db = get_db()
    rule = push_rules.deactivate_push_rule(db, now(), app_id, rule_id)
    return json_response(push_rules.rule_json(db, rule))


@bp.post("/apps/<app_id>/group-push/mappings/<mapping_id>/push")
def push_now(app_id: str, mapping_id: str) -> Response:
    """Push Now: the group's full membership is pushed -> 202."""
    groups_push.push_now(get_db(), now(), app_id, mapping_id)
    return json_response({}, 202)


@bp.post("/apps/<app_id>/group-push/retry")
def retry_all_groups(app_id: str) -> Response:
    """Retry All Groups: the pushes in ERROR are pushed again -> 202 with their ids."""
    mapping_ids = groups_push.retry_all_groups(get_db(), now(), app_id)
    return json_response({"mappingIds": mapping_ids}, 202)


def _optional_flag(name: str) -> bool | None:
    """A true/false query parameter; None when absent."""
    value = request.args.get(name)
    if value is None:
        return None
    if value.lower() not in ("true", "false"):
        raise ApiValidationFailed(name, [f"{name}: must be true or false"])
    return value.lower() == "true"
