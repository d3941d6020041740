"""Admin Console: Directory > Groups (Add group, the group page's people) and its Rules tab."""

from datetime import datetime

from flask import Response, redirect, request
from sqlite_utils import Database

from mock_okta import reactions
from mock_okta.console import groups as group_pages
from mock_okta.directory import groups
from mock_okta.errors import ApiValidationFailed, OktaError
from mock_okta.views.common import get_db, now
from mock_okta.views.console.common import actor, console_blueprint, form_error, page

bp = console_blueprint("console_groups", __name__)

GROUP = "/admin/group/<group_id>"


def _groups_page(
    form: dict | None = None, error: dict | None = None, status: int = 200
) -> Response:
    q, after = request.args.get("q", ""), request.args.get("after")
    rows, cursor = group_pages.list_groups(get_db(), q=q, after=after)
    return page(
        "admin/groups.html",
        status,
        groups=rows,
        next_cursor=cursor,
        paged=bool(after),
        q=q,
        adding=form is not None or request.args.get("add") == "1",
        form=form or {},
        error=error,
    )


@bp.get("/admin/groups")
def groups_page() -> Response:
    """Groups: search by name, Add group."""
    return _groups_page()


@bp.post("/admin/groups")
def add_group() -> Response:
    """Add group > Save."""
    db, form = get_db(), request.form.to_dict()
    try:
        group = reactions.create_group(db, now(), group_pages.new_group(form), actor=actor())
    except OktaError as error:
        return _groups_page(form, form_error(error), error.status)
    return redirect(f"/admin/group/{group['id']}")


def _group_page(group_id: str, error: dict | None = None, status: int = 200) -> Response:
    db, args = get_db(), request.args
    group = groups.require_group(db, group_id)
    editable = group_pages.can_edit_members(group)
    people, cursor = group_pages.group_people(db, group["id"], args.get("after"))
    find = args.get("find", "")
    return page(
        "admin/group.html",
        status,
        group=group,
        type_label=group_pages.TYPE_LABELS.get(group["type"], group["type"]),
        people=people,
        cursor=cursor,
        paged=bool(args.get("after")),
        find=find,
        candidates=group_pages.people_to_add(db, group["id"], find) if editable else [],
        apps=group_pages.group_apps(db, group["id"]),
        editable=editable,
        error=error,
    )


@bp.get(GROUP)
def group_page(group_id: str) -> Response:
    """The group page: its people and applications."""
    return _group_page(group_id)


@bp.post(f"{GROUP}/people")
def assign_person(group_id: str) -> Response:
    """Assign people: add a member."""
    user_id = request.form.get("userId", "")
    try:
        if not user_id:
            raise ApiValidationFailed(summary="Select a person to assign.")  # Guess: wording
        reactions.add_user_to_group(get_db(), now(), group_id, user_id, actor=actor())
    except OktaError as error:
        return _group_page(group_id, form_error(error), error.status)
    return redirect(f"/admin/group/{group_id}")


@bp.post(f"{GROUP}/people/<user_id>/remove")
def remove_person(group_id: str, user_id: str) -> Response:
    """Remove a member (a rule-managed one is excluded from the rule, as Okta does)."""
    try:
        reactions.remove_user_from_group(get_db(), now(), group_id, user_id, actor=actor())
    except OktaError as error:
        return _group_page(group_id, form_error(error), error.status)
    return redirect(f"/admin/group/{group_id}")


RULES = "/admin/groups/rules"
#: The rules page's dialogs, opened by a query parameter: `?add=1`, `?edit=<id>`, `?delete=<id>`.
DIALOGS = ("add", "edit", "delete")


def _rules_page(
    error: dict | None = None,
    status: int = 200,
    *,
    dialog: str | None = None,
    rule_id: str | None = None,
    form: dict | None = None,
    group_query: str = "",
) -> Response:
    db, args = get_db(), request.args
    if dialog is None:
        dialog = next((name for name in DIALOGS if args.get(name)), None)
        rule_id = args.get(dialog) if dialog in ("edit", "delete") else None
    rule = group_pages.rule_view(db, rule_id) if rule_id else None
    dialog = group_pages.rule_dialog(dialog, rule)
    form = form or group_pages.rule_form(rule=rule)
    return page(
        "admin/group_rules.html",
        status,
        rules=group_pages.list_rules(db),
        dialog=dialog,
        rule=rule,
        form=form,
        group_query=group_query,
        target_groups=(
            group_pages.rule_target_groups(db, group_query, form["groupIds"])
            if dialog == "add"
            else []
        ),
        error=error,
    )


@bp.get(RULES)
def rules_page() -> Response:
    """Groups > Rules: every group rule with its status; the Add Rule, Edit, Delete dialogs."""
    return _rules_page()


@bp.post(RULES)
def add_rule() -> Response:
    """Add Rule > Save: the rule is created INACTIVE, as Okta does."""
    form = group_pages.rule_form(request.form)
    try:
        reactions.create_group_rule(get_db(), now(), group_pages.new_rule(form))
    except OktaError as error:
        return _rules_page(form_error(error), error.status, dialog="add", form=form)
    return redirect(RULES)


@bp.post(f"{RULES}/group-search")
def search_rule_target_groups() -> Response:
    """Add Rule > Assign to > Search: the dialog again, as filled in, listing the groups whose
    name starts with the text (the groups already picked stay listed and picked)."""
    form = group_pages.rule_form(request.form)
    query = request.form.get("groupQuery", "")
    return _rules_page(dialog="add", form=form, group_query=query)


@bp.post(f"{RULES}/<rule_id>")
def edit_rule(rule_id: str) -> Response:
    """Edit Rule > Save: the name and the condition of an INACTIVE rule."""
    form = group_pages.rule_form(request.form)
    try:
        group_pages.edit_rule(get_db(), now(), rule_id, form)
    except OktaError as error:
        return _rules_page(
            form_error(error), error.status, dialog="edit", rule_id=rule_id, form=form
        )
    return redirect(RULES)


def _delete_rule(db: Database, when: datetime, rule_id: str) -> None:
    # Okta support, "What happens if group rules are deactivated and deleted": "Leave users in
    # the group" (no longer managed by the rule) or "Remove users from the group".
    remove = request.form.get("users") == "remove"
    reactions.delete_group_rule(db, when, rule_id, remove_users=remove)


@bp.post(f"{RULES}/<rule_id>/<action>")
def rule_action(rule_id: str, action: str) -> Response:
    """Actions > Activate / Deactivate, and Delete Rule > Delete."""
    operations = {
        "activate": reactions.activate_group_rule,
        "deactivate": reactions.deactivate_group_rule,
        "delete": _delete_rule,
    }
    try:
        if action not in operations:
            raise ApiValidationFailed(summary=f"Unknown action: {action}")
        operations[action](get_db(), now(), rule_id)
    except OktaError as error:
        return _rules_page(form_error(error), error.status)
    return redirect(RULES)
