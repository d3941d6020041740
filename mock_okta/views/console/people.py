"""Admin Console: Directory > People, Add Person, the person page and its lifecycle buttons."""

from flask import Response, redirect, request

from mock_okta import reactions
from mock_okta.console import people
from mock_okta.directory import users
from mock_okta.errors import OktaError
from mock_okta.views.common import get_db, now
from mock_okta.views.console.common import actor, console_blueprint, form_error, page

bp = console_blueprint("console_people", __name__)

PERSON = "/admin/user/profile/view/<user_id>"


def _people_page(
    form: dict | None = None, error: dict | None = None, status: int = 200
) -> Response:
    q, state, after = (
        request.args.get("q", ""),
        request.args.get("status", ""),
        request.args.get("after"),
    )
    rows, cursor = people.list_people(get_db(), q=q, status=state, after=after)
    adding = form is not None or request.args.get("add") == "1"
    return page(
        "admin/people.html",
        status,
        people=rows,
        next_cursor=cursor,
        paged=bool(after),
        q=q,
        status_filter=state,
        statuses=[(s, people.STATUS_LABELS[s]) for s in people.STATUS_FILTERS],
        adding=adding,
        form=form or {"activation": "now"},
        error=error,
    )


@bp.get("/admin/users")
def people_page() -> Response:
    """People: search, status filter, Add person."""
    return _people_page()


@bp.post("/admin/users")
def add_person() -> Response:
    """Add person > Save."""
    db, form = get_db(), request.form.to_dict()
    body, activate = people.new_person(form)
    try:
        user = reactions.create_user(db, now(), body, activate=activate, actor=actor())
    except OktaError as error:
        form.pop("password", None)
        return _people_page(form, form_error(error), error.status)
    return redirect(f"/admin/user/profile/view/{user['id']}")


def _person_page(
    user_id: str, *, form: dict | None = None, error: dict | None = None, status: int = 200
) -> Response:
    db = get_db()
    user = users.require_user(db, user_id)
    editing = form is not None or request.args.get("edit") == "profile"
    return page(
        "admin/person.html",
        status,
        person=people.person_row(user),
        actions=people.lifecycle_actions(user["status"]),
        fields=people.PROFILE_FIELDS,
        groups=people.person_groups(db, user["id"]),
        apps=people.person_apps(db, user["id"]),
        editing=editing,
        form=form or users.profile_of(user),
        error=error,
    )


@bp.get(PERSON)
def person_page(user_id: str) -> Response:
    """The person page: profile, groups, applications, lifecycle buttons."""
    return _person_page(user_id)


@bp.post(PERSON)
def save_profile(user_id: str) -> Response:
    """Profile > Edit > Save."""
    db, form = get_db(), request.form.to_dict()
    body = people.profile_update(form)
    try:
        reactions.update_user(db, now(), user_id, body, partial=True, actor=actor())
    except OktaError as error:
        return _person_page(user_id, form=form, error=form_error(error), status=error.status)
    return redirect(f"/admin/user/profile/view/{user_id}")


@bp.post(f"{PERSON}/lifecycle/<action>")
def person_lifecycle(user_id: str, action: str) -> Response:
    """Activate, Reactivate, Suspend, Unsuspend, Deactivate, Delete."""
    try:
        people.run_lifecycle(get_db(), now(), user_id, action, actor=actor())
    except OktaError as error:
        return _person_page(user_id, error=form_error(error), status=error.status)
    if action == "delete":
        return redirect("/admin/users")
    return redirect(f"/admin/user/profile/view/{user_id}")
