"""Admin Console: the app's Push Groups tab (by name, by rule, Push Now, unlink, Retry)."""

from collections.abc import Callable

from flask import Response, redirect, render_template, request
from sqlite_utils import Database

from mock_okta.console import push_groups as pages
from mock_okta.errors import ApiValidationFailed, OktaError
from mock_okta.group_push import mappings as push_mappings
from mock_okta.group_push import rules as push_rules
from mock_okta.provisioning import groups_push
from mock_okta.views.common import get_db, now
from mock_okta.views.console.app_shell import APP, load_app, render_tab, tab_url
from mock_okta.views.console.common import actor, console_blueprint, form_error

bp = console_blueprint("console_push_groups", __name__)

PUSH = f"{APP}/push-groups"


def render_push_groups(
    app: dict, error: dict | None = None, status: int = 200, **form: object
) -> Response:
    """Push Groups: + Push Groups (by name / by rule), the pushed groups, the dialogs."""
    db, args = get_db(), request.args
    filter_ = args.get("filter") if args.get("filter") in pages.FILTERS else "all"
    unlink = args.get("unlink")
    return render_tab(
        "admin/app_push_groups.html",
        app,
        "push-groups",
        status,
        filter=filter_,
        rule_filter=args.get("rule"),
        pushed=pages.pushed_groups(db, app["id"], filter_, args.get("rule")),
        error_count=len(pages.pushed_groups(db, app["id"], "errors")),
        rules=pages.rules(db, app),
        push_form=form.get("push_form") or args.get("push"),
        form=form.get("values") or {"pushImmediately": "on", "groupName": args.get("groupName")},
        # Without JavaScript the by-name form searches through a plain GET (`groupQuery`).
        group_query=args.get("groupQuery"),
        found_groups=(
            pages.group_suggestions(db, app["id"], args["groupQuery"])
            if "groupQuery" in args
            else []
        ),
        operators=pages.OPERATORS,
        unlink=pages.mapping_view(db, app["id"], unlink) if unlink else None,
        delete_rule=(
            push_rules.require_push_rule(db, app["id"], args["deleteRule"])
            if args.get("deleteRule")
            else None
        ),
        error=error,
    )


@bp.get(f"{PUSH}/group-suggestions")
def group_suggestions(app_name: str, app_id: str) -> Response:
    """The by-name search field's type-ahead list (an HTML fragment for its script)."""
    app = load_app(app_id)
    names = pages.group_suggestions(get_db(), app["id"], request.args.get("q", ""))
    return Response(
        render_template("admin/_group_suggestions.html", names=names), mimetype="text/html"
    )


def _act(app: dict, change: Callable, *, push_form: str | None = None) -> Response:
    """One Push Groups change (one domain call); a refusal re-renders the tab (and its form)."""
    try:
        change(get_db())
    except OktaError as error:
        values = request.form.to_dict()
        return render_push_groups(
            app, form_error(error), error.status, push_form=push_form, values=values
        )
    return redirect(tab_url(app, "push-groups"))


@bp.post(f"{PUSH}/by-name")
def push_by_name(app_name: str, app_id: str) -> Response:
    """+ Push Groups > Find groups by name > Save."""
    app = load_app(app_id)

    def change(db: Database) -> None:
        pages.push_by_name(db, now(), app["id"], request.form, actor=actor())

    return _act(app, change, push_form="name")


@bp.post(f"{PUSH}/by-rule")
def push_by_rule(app_name: str, app_id: str) -> Response:
    """+ Push Groups > Find groups by rule > Create Rule."""
    app = load_app(app_id)
    body = pages.rule_body(request.form)
    return _act(
        app,
        lambda db: push_rules.create_push_rule(db, now(), app["id"], body, actor=actor()),
        push_form="rule",
    )


@bp.post(f"{PUSH}/<mapping_id>/push")
def push_now(app_name: str, app_id: str, mapping_id: str) -> Response:
    """Push Status > Push Now."""
    app = load_app(app_id)

    def change(db: Database) -> None:
        groups_push.push_now(db, now(), app["id"], mapping_id)

    return _act(app, change)


@bp.post(f"{PUSH}/<mapping_id>/status")
def set_push_status(app_name: str, app_id: str, mapping_id: str) -> Response:
    """Push Status > Activate group push / Deactivate group push."""
    app = load_app(app_id)
    body = {"status": request.form.get("status", "")}

    def change(db: Database) -> None:
        push_mappings.update_group_push_mapping(
            db, now(), app["id"], mapping_id, body, actor=actor()
        )

    return _act(app, change)


@bp.post(f"{PUSH}/<mapping_id>/unlink")
def unlink_pushed_group(app_name: str, app_id: str, mapping_id: str) -> Response:
    """Unlink Pushed Group > Unlink: delete the group in the target app, or leave it."""
    app = load_app(app_id)

    def change(db: Database) -> None:
        delete = pages.choice(request.form, "targetGroup")
        pages.unlink(db, now(), app["id"], mapping_id, delete)

    return _act(app, change)


@bp.post(f"{PUSH}/retry")
def retry_all_groups(app_name: str, app_id: str) -> Response:
    """Retry All Groups: every push in Error is pushed again."""
    app = load_app(app_id)
    return _act(app, lambda db: groups_push.retry_all_groups(db, now(), app["id"]))


@bp.post(f"{PUSH}/rules/<rule_id>/<action>")
def push_rule_action(app_name: str, app_id: str, rule_id: str, action: str) -> Response:
    """A push rule's Activate, Deactivate, or Delete (delete or leave its groups)."""
    app = load_app(app_id)

    def change(db: Database) -> None:
        if action == "activate":
            push_rules.activate_push_rule(db, now(), app["id"], rule_id, actor=actor())
        elif action == "deactivate":
            push_rules.deactivate_push_rule(db, now(), app["id"], rule_id)
        elif action == "delete":
            delete = pages.choice(request.form, "targetGroups")
            push_rules.delete_push_rule(db, now(), app["id"], rule_id, delete, actor=actor())
        else:
            raise ApiValidationFailed(summary=f"Unknown action: {action}")

    return _act(app, change)
