"""Directory > People: the list, the person page's profile and its lifecycle buttons."""

from collections.abc import Callable
from datetime import datetime

from sqlite_utils import Database

from mock_common.db import transactional
from mock_okta import reactions
from mock_okta.applications import assignments
from mock_okta.directory import memberships, users
from mock_okta.directory.users import User, UserStatus
from mock_okta.errors import ApiValidationFailed, InvalidUserStatus

#: Okta's status names in the Admin Console (People list and person page).
STATUS_LABELS = {
    UserStatus.STAGED: "Staged",
    UserStatus.PROVISIONED: "Pending user action",
    UserStatus.ACTIVE: "Active",
    UserStatus.RECOVERY: "Password reset",
    UserStatus.PASSWORD_EXPIRED: "Password expired",
    UserStatus.LOCKED_OUT: "Locked out",
    UserStatus.SUSPENDED: "Suspended",
    UserStatus.DEPROVISIONED: "Deactivated",
}
#: People per page of the People list.
PAGE_SIZE = 200
#: The People list's status filter, in Okta's order.
STATUS_FILTERS = (
    UserStatus.STAGED,
    UserStatus.PROVISIONED,
    UserStatus.ACTIVE,
    UserStatus.SUSPENDED,
    UserStatus.LOCKED_OUT,
    UserStatus.DEPROVISIONED,
)

#: The person page's buttons per status: the main ones, then the More Actions menu.
#: Okta help: Staged -> Activate; Suspended -> Unsuspend; Deactivated -> Activate, Delete;
#: More Actions holds Suspend and Deactivate.
# Guess: Pending user action (and Password reset) offer Reactivate, the API's reactivate,
# which restarts activation.
LIFECYCLE = {
    UserStatus.STAGED: (["activate"], ["deactivate"]),
    UserStatus.PROVISIONED: (["reactivate"], ["deactivate"]),
    UserStatus.ACTIVE: ([], ["suspend", "deactivate"]),
    UserStatus.RECOVERY: (["reactivate"], ["suspend", "deactivate"]),
    UserStatus.PASSWORD_EXPIRED: ([], ["suspend", "deactivate"]),
    UserStatus.LOCKED_OUT: ([], ["deactivate"]),
    UserStatus.SUSPENDED: (["unsuspend"], ["deactivate"]),
    UserStatus.DEPROVISIONED: (["activate", "delete"], []),
}
ACTION_LABELS = {
    "activate": "Activate",
    "reactivate": "Reactivate",
    "suspend": "Suspend",
    "unsuspend": "Unsuspend",
    "deactivate": "Deactivate",
    "delete": "Delete",
}
_OPERATIONS: dict[str, Callable[..., object]] = {
    **reactions.LIFECYCLE,
    "delete": reactions.delete_user,
}
#: The person page's Profile form: attribute, label (Okta's default user profile).
PROFILE_FIELDS = (
    ("login", "Username"),
    ("firstName", "First name"),
    ("lastName", "Last name"),
    ("displayName", "Display name"),
    ("email", "Primary email"),
    ("title", "Title"),
    ("department", "Department"),
    ("organization", "Organization"),
    ("employeeNumber", "Employee number"),
    ("mobilePhone", "Mobile phone"),
)
_REQUIRED = set(users.REQUIRED)


def person_row(user: User) -> dict:
    """A user as the console lists it."""
    profile = users.profile_of(user)
    return {
        "id": user["id"],
        "name": " ".join(p for p in (profile.get("firstName"), profile.get("lastName")) if p),
        "login": profile.get("login"),
        "email": profile.get("email"),
        "title": profile.get("title"),
        "department": profile.get("department"),
        "status": user["status"],
        "statusLabel": STATUS_LABELS.get(user["status"], user["status"]),
        "profile": profile,
    }


def list_people(
    db: Database, *, q: str | None, status: str | None, after: str | None = None
) -> tuple[list[dict], str | None]:
    """A page of the People list (search on name/email/login prefix, optional status) and the
    next page's cursor."""
    expression = f'status eq "{status}"' if status in STATUS_LABELS else "status pr"
    rows, cursor = users.list_users(
        db, q=q or None, search=expression, after=after or None, limit=PAGE_SIZE
    )
    return [person_row(row) for row in rows], cursor


def lifecycle_actions(status: str) -> dict:
    """{"main": [(action, label)], "more": [(action, label)]} for a status."""
    main, more = LIFECYCLE.get(status, ([], ["deactivate"]))
    return {
        "main": [(a, ACTION_LABELS[a]) for a in main],
        "more": [(a, ACTION_LABELS[a]) for a in more],
    }


@transactional
def run_lifecycle(
    db: Database, now: datetime, user_id: str, action: str, *, actor: dict | None
) -> None:
    """One of the buttons the person page offers for the user's status (E0000038 otherwise).

    Guess: the console offers no lifecycle button on the signed-in admin's own page.
    """
    user = users.require_user(db, user_id)
    offered = lifecycle_actions(user["status"])
    if action not in {a for a, _ in offered["main"] + offered["more"]}:
        raise InvalidUserStatus()
    if actor and actor.get("id") == user["id"]:
        raise ApiValidationFailed(summary="You cannot change the status of your own account.")
    _OPERATIONS[action](db, now, user["id"], actor=actor)


def profile_update(form: dict) -> dict:
    """The Profile form as a partial update: blank optional fields are cleared."""
    profile = {}
    for name, _label in PROFILE_FIELDS:
        value = (form.get(name) or "").strip()
        profile[name] = value if value or name in _REQUIRED else None
    return {"profile": profile}


def new_person(form: dict) -> tuple[dict, bool]:
    """Add Person: the create body and whether to activate now."""
    profile = {
        "firstName": (form.get("firstName") or "").strip(),
        "lastName": (form.get("lastName") or "").strip(),
        "login": (form.get("login") or "").strip(),
        "email": (form.get("email") or "").strip(),
    }
    body: dict = {"profile": profile}
    if form.get("setPassword") == "on":
        body["credentials"] = {"password": {"value": form.get("password") or ""}}
    return body, form.get("activation", "now") == "now"


def person_groups(db: Database, user_id: str) -> list[dict]:
    """The person's groups."""
    rows = memberships.list_user_groups(db, user_id)
    return [{"id": g["id"], "name": g["name"], "type": g["type"]} for g in rows]


def person_apps(db: Database, user_id: str) -> list[dict]:
    """The person's app assignments with their scope and provisioning state."""
    return assignments.user_app_assignments(db, user_id)
