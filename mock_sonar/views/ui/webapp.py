"""Checks SonarQube's web app makes in the browser before it calls the Web API, with its texts.

The real forms disable their submit button until these pass; our server-rendered forms also
work without JavaScript, so the server runs the same checks and shows the same messages.
Sources: sonarqube-webapp 2025.1 `UserForm.tsx`, `UserPasswordInput.tsx`, `helpers/tokens.ts`,
the SAML tab's `ConfigurationForm.tsx`, texts from `l10n/default.ts`.
"""

import re
from datetime import date, datetime, timedelta

from sqlite_utils import Database

from mock_sonar.accounts import users
from mock_sonar.accounts.passwords import meets_policy
from mock_sonar.saml.configuration_form import FORM_FIELDS, is_set

PASSWORD_INVALID = "Your password must meet all the requirements."
PASSWORDS_DO_NOT_MATCH = "Passwords do not match."
OLD_PASSWORD_INCORRECT = "Old password is incorrect"
NEW_PASSWORD_SAME_AS_OLD = "New password must be different from old password"
#: ChangePasswordResults as the web app words them.
PASSWORD_RESULTS = {
    users.OLD_PASSWORD_INCORRECT: OLD_PASSWORD_INCORRECT,
    users.NEW_PASSWORD_SAME_AS_OLD: NEW_PASSWORD_SAME_AS_OLD,
}

LOGIN_MIN_LENGTH = 3  # UserForm's MINIMUM_LOGIN_LENGTH (the server accepts 2)
LOGIN_INVALID_CHARACTERS = "Login should contain only letters, numbers, and .-_@"
LOGIN_ALREADY_USED = "This login is already in use. Please choose another one."
LOGIN_START = "Login should start with _ or alphanumeric."
EMAIL_INVALID = "Invalid email"
FIELD_REQUIRED = "This field is required"
# HTML's type="email" validity, which UserForm relies on.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$")

#: Token lifetimes offered by "Expires in" (TokenExpiration), in days; 0 = no expiration.
TOKEN_EXPIRATIONS = ((30, "30 days"), (90, "90 days"), (365, "1 year"), (0, "No expiration"))
DEFAULT_TOKEN_EXPIRATION = 30


def minimum_characters(count: int) -> str:
    """users.minimum_x_characters."""
    return f"Minimum {count} characters"


def password_problem(password: str, confirmation: str) -> str | None:
    """UserPasswordInput: the policy first, then the confirmation."""
    if not meets_policy(password):
        return PASSWORD_INVALID
    if password != confirmation:
        return PASSWORDS_DO_NOT_MATCH
    return None


def login_problem(db: Database, login: str) -> str | None:
    """UserForm's login checks, in their order (the "already used" one asks api/users)."""
    if not login:
        return FIELD_REQUIRED
    if not re.fullmatch(r"[a-zA-Z0-9._@-]+", login):
        return LOGIN_INVALID_CHARACTERS
    existing = users.get_user_by_login(db, login)
    if existing is not None and existing["active"]:
        return LOGIN_ALREADY_USED
    if not re.match(r"\w", login):
        return LOGIN_START
    if len(login) < LOGIN_MIN_LENGTH:
        return minimum_characters(LOGIN_MIN_LENGTH)
    return None


def name_problem(name: str) -> str | None:
    """UserForm: a name must not be blank."""
    return minimum_characters(1) if not name.strip() else None


def email_problem(email: str) -> str | None:
    """UserForm: an email, when given, must be valid for the browser."""
    return EMAIL_INVALID if email and not _EMAIL.match(email) else None


def saml_form_errors(
    values: dict[str, str | None], submitted: dict[str, str | None]
) -> dict[str, str]:
    """ConfigurationForm: "This field is required" for each mandatory field left empty.

    `submitted` maps a key to its new value; None means a secured value left as it is.
    """
    errors = {}
    for definition in FORM_FIELDS:
        if not definition.mandatory:
            continue
        new = submitted.get(definition.key)
        empty = not is_set(values[definition.key]) if new is None else not new.strip()
        if empty:
            errors[definition.key] = FIELD_REQUIRED
    return errors


def token_expiration(now: datetime, days: int) -> date | None:
    """computeTokenExpirationDate: today (UTC) plus the chosen days; None for no expiration."""
    return None if days == 0 else now.date() + timedelta(days=days)
