"""Admin Console: the app's Assignments tab (Assign to People / Groups, Provision User)."""

from collections.abc import Callable

from flask import Response, redirect, request
from sqlite_utils import Database

from mock_okta.applications import assignments
from mock_okta.console import assignments as assignment_pages
from mock_okta.errors import ApiValidationFailed, OktaError
from mock_okta.provisioning import users_push
from mock_okta.views.common import get_db, now
from mock_okta.views.console.app_shell import APP, load_app, render_tab, tab_url
from mock_okta.views.console.common import actor, console_blueprint, form_error

bp = console_blueprint("console_assignments", __name__)

ASSIGNMENTS = f"{APP}/assignments"


def render_assignments(app: dict, error: dict | None = None, status: int = 200) -> Response:
    """Assignments: people (searched, page by page) or groups (Filters), the Assign dialogs,
    the Provision User dialog."""
    db, args = get_db(), request.args
    dialog, provision = args.get("assign"), args.get("provision")
    people, next_people = assignment_pages.people_rows(
        db, app["id"], q=args.get("q"), after=args.get("after")
    )
    candidates, next_candidates = _candidates(db, app["id"], dialog)
    return render_tab(
        "admin/app_assignments.html",
        app,
        "assignments",
        status,
        filter=args.get("filter", "people"),
        people=people,
        next_people=next_people,
        q=args.get("q", ""),
        paged=bool(args.get("after")),
        groups=assignment_pages.group_rows(db, app["id"]),
        dialog=dialog,
        candidates=candidates,
        next_candidates=next_candidates,
        assign_q=args.get("assign_q", ""),
        provisioning=(
            assignment_pages.person_to_provision(db, app["id"], provision) if provision else None
        ),
        error=error,
    )


def _candidates(db: Database, app_id: str, dialog: str | None) -> tuple[list[dict], str | None]:
    """The Assign dialog's rows: a page of people (searched), or the groups."""
    if dialog == "people":
        args = request.args
        return assignment_pages.people_to_assign(
            db, app_id, q=args.get("assign_q"), after=args.get("assign_after")
        )
    if dialog == "groups":
        return assignment_pages.groups_to_assign(db, app_id, request.args.get("assign_q")), None
    return [], None


def _act(app: dict, change: Callable[[Database], object], back: str) -> Response:
    """Run one assignment change (one domain call); the tab shows a refusal."""
    try:
        change(get_db())
    except OktaError as error:
        return render_assignments(app, form_error(error), error.status)
    return redirect(back)


def _required(name: str, message: str) -> str:
    value = request.form.get(name, "")
    if not value:
        raise ApiValidationFailed(summary=message)  # Guess: the wording
    return value


@bp.post(f"{ASSIGNMENTS}/people")
def assign_person(app_name: str, app_id: str) -> Response:
    """Assign to People > Assign."""
    app = load_app(app_id)

    def change(db: Database) -> None:
        user_id = _required("userId", "Select a person to assign.")
        body = {"id": user_id, "scope": "USER"}
        assignments.assign_user_to_application(db, now(), app["id"], body, actor=actor())

    return _act(app, change, tab_url(app, "assignments", assign="people"))


@bp.post(f"{ASSIGNMENTS}/people/<user_id>/remove")
def unassign_person(app_name: str, app_id: str, user_id: str) -> Response:
    """Unassign a person (refused while a group grants the app)."""
    app = load_app(app_id)
    return _act(
        app,
        lambda db: assignments.unassign_user_from_application(
            db, now(), app["id"], user_id, actor=actor()
        ),
        tab_url(app, "assignments"),
    )


@bp.post(f"{ASSIGNMENTS}/people/<user_id>/provision")
def provision_user(app_name: str, app_id: str, user_id: str) -> Response:
    """Provision User > OK: push a person assigned before provisioning was enabled."""
    app = load_app(app_id)
    return _act(
        app,
        lambda db: users_push.provision_user(db, now(), app["id"], user_id),
        tab_url(app, "assignments"),
    )


@bp.post(f"{ASSIGNMENTS}/groups")
def assign_group(app_name: str, app_id: str) -> Response:
    """Assign to Groups > Assign."""
    app = load_app(app_id)

    def change(db: Database) -> None:
        group_id = _required("groupId", "Select a group to assign.")
        assignments.assign_group_to_application(db, now(), app["id"], group_id, {}, actor=actor())

    return _act(app, change, tab_url(app, "assignments", assign="groups", filter="groups"))


@bp.post(f"{ASSIGNMENTS}/groups/<group_id>/remove")
def unassign_group(app_name: str, app_id: str, group_id: str) -> Response:
    """Remove a group assignment."""
    app = load_app(app_id)
    return _act(
        app,
        lambda db: assignments.unassign_application_from_group(
            db, now(), app["id"], group_id, actor=actor()
        ),
        tab_url(app, "assignments", filter="groups"),
    )
