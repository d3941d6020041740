"""My Account > Security (tokens, password) and the forced "Update your password" page.

Texts: sonarqube-webapp 2025.1 `ResetPassword.tsx`, `ResetPasswordForm.tsx`,
`UserPasswordInput.tsx`, `account/security/*`, `users/components/Tokens*.tsx`.
"""

from flask import Blueprint, Response, redirect, request

from mock_sonar.accounts import tokens, user_admin
from mock_sonar.errors import BadRequest, SonarError
from mock_sonar.views.common import get_db, now
from mock_sonar.views.cookies import set_session_cookies
from mock_sonar.views.ui import token_form, webapp
from mock_sonar.views.ui.frame import Flash, redirect_to, render, signed_in, visitor

bp = Blueprint("ui_account", __name__)

SECURITY_PATH = "/account/security"


def _field_errors() -> dict[str, str]:
    """UserPasswordInput's own checks, by field."""
    form = request.form
    problem = webapp.password_problem(form.get("password", ""), form.get("confirm_password", ""))
    if problem is None:
        return {}
    return {"confirm_password" if problem == webapp.PASSWORDS_DO_NOT_MATCH else "password": problem}


def _change_own_password() -> Response:
    """ChangePasswordAction for the visitor: a response carrying the new session's cookies.

    Raises BadRequest worded for the form (the policy, or ChangePasswordResults).
    """
    form = request.form
    try:
        session = user_admin.change_password(
            get_db(),
            now(),
            visitor().user["login"],
            form["password"],
            previous_password=form.get("old_password", ""),
            open_session=True,
        )
    except SonarError as error:
        code = " ".join(error.messages)
        raise BadRequest(webapp.PASSWORD_RESULTS.get(code, code)) from error
    response = Response()
    set_session_cookies(response, *session)
    return response


def _with_cookies(target: Response, source: Response) -> Response:
    for header in source.headers.getlist("Set-Cookie"):
        target.headers.add("Set-Cookie", header)
    return target


@bp.get("/account/reset_password")
@signed_in()
def reset_password_page() -> Response:
    """ "Update your password": the page a user with the reset flag is held on."""
    return render("ui/reset_password.html", errors={}, error=None)


@bp.post("/account/reset_password")
@signed_in(back="/account/reset_password")
def reset_password() -> Response:
    """ResetPasswordForm, then the whole app reloads from / (the reset flag is now clear)."""
    errors = _field_errors()
    if errors:
        return render("ui/reset_password.html", 400, errors=errors, error=None)
    try:
        changed = _change_own_password()
    except BadRequest as error:
        return render("ui/reset_password.html", 400, errors={}, error=error.messages[0])
    return _with_cookies(redirect("/", code=303), changed)


def _security_page(status: int = 200, **context: object) -> Response:
    db, user = get_db(), visitor().user
    context.setdefault("errors", {})
    return render(
        "ui/account_security.html",
        status,
        account_tab="security",
        tokens=token_form.token_rows(db, user, now()),
        token_types=token_form.creatable_types(db, user),
        expirations=webapp.TOKEN_EXPIRATIONS,
        default_expiration=webapp.DEFAULT_TOKEN_EXPIRATION,
        revoke=request.args.get("revoke"),
        **context,
    )


@bp.get(SECURITY_PATH)
@signed_in()
def security() -> Response:
    """Tokens (generate, list, revoke) and, for local users, "Enter a new password"."""
    return _security_page()


@bp.post(f"{SECURITY_PATH}/tokens")
@signed_in(back=SECURITY_PATH)
def generate_token() -> Response:
    """ "Generate": the new value is shown on this response only ("Make sure you copy it now")."""
    try:
        row, value = token_form.generate_from_form(get_db(), now(), visitor().user, with_type=True)
    except SonarError as error:
        return _security_page(400, token_error=" ".join(error.messages))
    return _security_page(new_token={"name": row["name"], "token": value})


@bp.post(f"{SECURITY_PATH}/revoke")
@signed_in(back=SECURITY_PATH)
def revoke_token() -> Response:
    """ "Yes" in "Revoke token …" (or "Remove" for an expired token)."""
    tokens.revoke_token(get_db(), visitor().user, request.form.get("name", ""))
    return redirect_to(SECURITY_PATH)


@bp.post(f"{SECURITY_PATH}/password")
@signed_in(back=SECURITY_PATH)
def change_password() -> Response:
    """ResetPasswordForm on the Security page: "The password has been changed!"."""
    errors = _field_errors()
    if errors:
        return _security_page(400, password_errors=errors, password_error=None)
    try:
        changed = _change_own_password()
    except BadRequest as error:  # the policy, the old password, or an external user's
        return _security_page(400, password_errors={}, password_error=error.messages[0])
    return _with_cookies(redirect_to(SECURITY_PATH, Flash.PASSWORD_CHANGED), changed)
