"""Administration > Security > Users (reference §4.3, §7).

Texts and behaviour: sonarqube-webapp 2025.1 `apps/users/*` (`UsersApp`, `UsersAppDescription`,
`UserListItem`, `UserListItemIdentity`, `UserActions`, `UserForm`, `PasswordForm`,
`DeactivateForm`, `TokensFormModal`, `GroupsForm`). Each modal is a state of the page
(`?dialog=…&login=…`), so every action works without JavaScript.
"""

import json
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, request

from mock_sonar.accounts import (
    group_admin,
    groups,
    listings,
    management,
    memberships,
    tokens,
    user_admin,
    users,
)
from mock_sonar.accounts.memberships import SelectionMode as Selection
from mock_sonar.errors import NotFound, SonarError
from mock_sonar.saml import settings as saml_settings
from mock_sonar.views.common import get_db, now
from mock_sonar.views.ui import token_form, webapp
from mock_sonar.views.ui.frame import Flash, redirect_to, render, signed_in, visitor

bp = Blueprint("ui_users", __name__)

USERS_PATH = "/admin/users"
DIALOGS = ("create", "update", "password", "deactivate", "tokens", "groups")


#: "Show More" grows the list up to this many users; "Next page" reads on from there.
MAX_PAGE_SIZE = 500
#: The highest page index read (SQLite's OFFSET is a 64-bit integer).
_MAX_PAGE = 10**9


def _page_size() -> int:
    try:
        return max(listings.PAGE_SIZE, min(int(request.args.get("ps", "")), MAX_PAGE_SIZE))
    except ValueError:
        return listings.PAGE_SIZE


def _page_index() -> int:
    raw = request.args.get("p", "")
    return min(int(raw), _MAX_PAGE) if raw.isascii() and raw.isdigit() and int(raw) > 0 else 1


def _managed_filter(managed_instance: bool) -> bool | None:
    value = request.args.get("managed")
    return {"true": True, "false": False}.get(value or "") if managed_instance else None


def _dialog_user(dialog: str | None) -> dict | None:
    login = request.values.get("login")
    if dialog in (None, "create") or not login:
        return None
    user = users.get_user_by_login(get_db(), login)
    if user is None or not user["active"]:
        abort(404)
    return user


def _posted_user(dialog: str) -> dict:
    """The active user a form is about, else 404."""
    user = _dialog_user(dialog)
    if user is None:
        abort(404)
    return user


def _users_page(status: int = 200, **context: object) -> Response:
    db = get_db()
    managed_instance = management.is_instance_managed(db)
    dialog = context.pop("dialog", request.args.get("dialog"))
    if dialog not in DIALOGS:
        dialog = None
    target = _dialog_user(dialog)
    page, page_size = _page_index(), _page_size()
    rows, total = listings.list_users(
        db,
        query=request.args.get("q") or None,
        managed=_managed_filter(managed_instance),
        limit=page_size,
        offset=(page - 1) * page_size,
    )
    saml = saml_settings.load(db)
    return render(
        "ui/users.html",
        status,
        nav_section="admin",
        admin_tab="users",
        users=rows,
        total=total,
        page=page,
        page_size=page_size,
        max_page_size=MAX_PAGE_SIZE,
        managed_instance=managed_instance,
        managed_filter=request.args.get("managed", "all"),
        query=request.args.get("q", ""),
        identity_provider=saml.provider_name if saml.is_enabled else None,
        dialog=dialog,
        target=target,
        **_dialog_context(dialog, target),
        **context,
    )


def _dialog_context(dialog: str | None, target: dict | None) -> dict:
    db = get_db()
    if dialog == "tokens" and target is not None:
        return {
            "tokens": token_form.token_rows(db, target, now()),
            "expirations": webapp.TOKEN_EXPIRATIONS,
            "default_expiration": webapp.DEFAULT_TOKEN_EXPIRATION,
            "revoke": request.args.get("revoke"),
        }
    if dialog == "groups" and target is not None:
        selected = request.args.get("selected", Selection.SELECTED)
        rows, _ = groups.search_groups(
            db,
            query=request.args.get("gq") or None,
            user_uuid=target["uuid"] if selected == Selection.SELECTED else None,
            exclude_user_uuid=target["uuid"] if selected == Selection.DESELECTED else None,
        )
        member_of = set(memberships.group_names(db, target["uuid"]))
        rows = [
            {
                **g,
                "selected": g["name"] in member_of,
                "managed": management.is_group_managed(db, g["uuid"]),
            }
            for g in rows
        ]
        return {
            "group_rows": rows,
            "selected_filter": selected,
            "saml_enabled": (saml_settings.load(db).get(saml_settings.ENABLED) or "") == "true",
        }
    if target is not None:
        return {"scm_accounts": json.loads(target["scm_accounts"] or "[]")}
    return {}


@bp.get(USERS_PATH)
@signed_in(admin=True)
def users_page() -> Response:
    """The users list, its filters, and the open modal if any."""
    return _users_page()


def _form_error(dialog: str, error: SonarError | str, **context: object) -> Response:
    message = error if isinstance(error, str) else " ".join(error.messages)
    return _users_page(400, dialog=dialog, form_error=message, form=request.form, **context)


def _new_user_errors() -> dict[str, str]:
    """UserForm's field checks, by field."""
    form, db = request.form, get_db()
    password = webapp.password_problem(form.get("password", ""), form.get("confirm_password", ""))
    errors = {
        "login": webapp.login_problem(db, form.get("login", "")),
        "confirm_password" if password == webapp.PASSWORDS_DO_NOT_MATCH else "password": password,
        "name": webapp.name_problem(form.get("name", "")),
        "email": webapp.email_problem(form.get("email", "")),
    }
    return {field: problem for field, problem in errors.items() if problem}


@bp.post(f"{USERS_PATH}/create")
@signed_in(admin=True, back=USERS_PATH)
def create_user() -> Response:
    """ "Create User": the form's own checks, then api/users/create's rules (§4.2)."""
    form, db = request.form, get_db()
    errors = _new_user_errors()
    if errors:
        return _users_page(400, dialog="create", errors=errors, form=form)
    try:
        user_admin.create_user(
            db,
            now(),
            login=form["login"],
            name=form["name"],
            email=form.get("email") or None,
            password=form["password"],
            scm_accounts=_scm_accounts(),
        )
    except SonarError as error:
        return _form_error("create", error)
    return redirect_to(USERS_PATH)


def _scm_accounts() -> list[str]:
    """SCM accounts, one per line (the form's list of inputs)."""
    accounts = [line.strip() for line in request.form.get("scm_accounts", "").splitlines()]
    return [account for account in accounts if account]


@bp.post(f"{USERS_PATH}/update")
@signed_in(admin=True, back=USERS_PATH)
def update_user() -> Response:
    """ "Update User": name and email of local users on an unmanaged instance; SCM accounts."""
    db, form = get_db(), request.form
    user = _posted_user("update")
    # UpdateAction.checkConditionsForExternalAndManagedUser: only SCM accounts then.
    editable = user["local"] and not management.is_instance_managed(db)
    if editable and (problem := webapp.name_problem(form.get("name", ""))):
        return _users_page(400, dialog="update", errors={"name": problem}, form=form)
    if editable and (problem := webapp.email_problem(form.get("email", ""))):
        return _users_page(400, dialog="update", errors={"email": problem}, form=form)
    try:
        user_admin.update_user(
            db,
            now(),
            user["login"],
            name=form.get("name") if editable else None,
            email=form.get("email", "") if editable else None,
            scm_accounts=_scm_accounts(),
        )
    except SonarError as error:
        return _form_error("update", error)
    return redirect_to(USERS_PATH)


@bp.post(f"{USERS_PATH}/password")
@signed_in(admin=True, back=USERS_PATH)
def change_password() -> Response:
    """ "Enter a new password" for a local user (the old one too when it is oneself)."""
    db, form = get_db(), request.form
    user = _posted_user("password")
    problem = webapp.password_problem(form.get("password", ""), form.get("confirm_password", ""))
    if problem:
        field = "confirm_password" if problem == webapp.PASSWORDS_DO_NOT_MATCH else "password"
        return _users_page(400, dialog="password", errors={field: problem})
    own = user["uuid"] == visitor().user["uuid"]
    try:
        user_admin.change_password(
            db,
            now(),
            user["login"],
            form["password"],
            previous_password=form.get("old_password", "") if own else None,
        )
    except SonarError as error:
        code = " ".join(error.messages)
        return _form_error("password", webapp.PASSWORD_RESULTS.get(code, code))
    return redirect_to(USERS_PATH, Flash.PASSWORD_CHANGED)


@bp.post(f"{USERS_PATH}/deactivate")
@signed_in(admin=True, back=USERS_PATH)
def deactivate_user() -> Response:
    """ "Deactivate", optionally "Delete user's personal information" (anonymize)."""
    user = _posted_user("deactivate")
    try:
        user_admin.deactivate_user(
            get_db(),
            now(),
            user["uuid"],
            actor_uuid=visitor().user["uuid"],
            anonymize=request.form.get("anonymize") == "true",
        )
    except SonarError as error:
        return _form_error("deactivate", error)
    return redirect_to(USERS_PATH)


def _back_to(dialog: str, login: str) -> str:
    return f"{USERS_PATH}?{urlencode({'dialog': dialog, 'login': login})}"


@bp.post(f"{USERS_PATH}/tokens")
@signed_in(admin=True, back=USERS_PATH)
def generate_token() -> Response:
    """ "Tokens of …": a user token for that user, shown once."""
    user = _posted_user("tokens")
    try:
        row, value = token_form.generate_from_form(get_db(), now(), user, with_type=False)
    except SonarError as error:
        return _users_page(400, dialog="tokens", token_error=" ".join(error.messages))
    return _users_page(dialog="tokens", new_token={"name": row["name"], "token": value})


@bp.post(f"{USERS_PATH}/tokens/revoke")
@signed_in(admin=True, back=USERS_PATH)
def revoke_token() -> Response:
    """ "Sure?": revoke one of that user's tokens (allowed on a managed instance too)."""
    user = _posted_user("tokens")
    tokens.revoke_token(get_db(), user, request.form.get("name", ""))
    return redirect_to(_back_to("tokens", user["login"]))


@bp.post(f"{USERS_PATH}/groups")
@signed_in(admin=True, back=USERS_PATH)
def update_groups() -> Response:
    """GroupsForm: tick or untick one group (refused while managed, §4.2)."""
    user = _posted_user("groups")
    change = (
        group_admin.add_user if request.form.get("selected") == "true" else group_admin.remove_user
    )
    try:
        change(get_db(), request.form.get("group", ""), user["login"])
    except NotFound:
        raise  # an unknown group is the 404 page, not a refusal in the dialog
    except SonarError as error:
        return _form_error("groups", error)
    return redirect_to(_back_to("groups", user["login"]))
