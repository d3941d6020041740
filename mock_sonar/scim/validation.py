"""What the SCIM server refuses in a request before SonarQube's own rules run.

RFC 7644 §3.12: a value the server cannot accept is 400 `invalidValue`; a PATCH path that names
no attribute of the resource is 400 `invalidPath` (§3.5.2), never an operation silently dropped.
"""

import unicodedata

from scim2_models import (
    Group,
    InvalidPathException,
    InvalidValueException,
    PatchOp,
    Path,
    Resource,
    User,
)

from mock_sonar.accounts import users
from mock_sonar.errors import SonarError


def check_text(attribute: str, value: str | None) -> None:
    """A name the IdP sends is not blank and holds no control character (NUL, newline, ...).

    Guess: SonarQube's SCIM server is not public; its core refuses blank group names ("Group
    name cannot be empty") and the Web API refuses such logins, so the SCIM server does too.
    """
    if value is None:
        return
    if not value.strip():
        raise InvalidValueException(detail=f"{attribute} must not be blank")
    if any(unicodedata.category(character) == "Cc" for character in value):
        raise InvalidValueException(detail=f"{attribute} must not contain control characters")


def check_user(user: User) -> None:
    """userName and displayName are real text; every email is a valid address (the Web API's
    EmailValidator rule, "Email 'x' is not valid")."""
    check_text("userName", user.user_name)
    check_text("displayName", user.display_name)
    for email in user.emails or []:
        try:
            users.check_email(email.value)
        except SonarError as error:
            raise InvalidValueException(detail=" ".join(error.messages)) from error


def check_group(group: Group) -> None:
    """displayName is real text."""
    check_text("displayName", group.display_name)


def check_patch_paths(model: type[Resource], patch: PatchOp) -> None:
    """Every operation's path names an attribute of the resource (RFC 7644 §3.5.2: invalidPath).

    The server's lenient policy ignores attributes it does not know in a request body; a
    PATCH path is different, as an operation on nothing would answer 200 and change nothing.
    Guess: SonarQube's handling is not public; this is what the RFC asks.
    """
    for operation in patch.operations or []:
        if not operation.path:
            continue
        path = Path.__class_getitem__(model)(operation.path)
        if path.model is None and path.resolve() is None:
            raise InvalidPathException(
                detail=f"'{operation.path}' is not an attribute of the schema"
            )
