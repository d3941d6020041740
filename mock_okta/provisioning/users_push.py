"""Pushing users: create or link, profile updates, deactivation (reference/okta.md §1, §3, §4).

Each handler does its HTTP first, then commits Okta's side and marks the event done in one
transaction; a crash in between re-runs the event, and the lookup before the create makes the
re-run link what the first run created.

Where the reference is silent or ambiguous, these are the choices (also noted where they act):

* Create Users off: Okta still looks the user up and links a match ("When the Create Users
  provisioning option is turned off, Okta will only attempt to verify if a user with the
  specified username exists", Okta KB "Matching user not found"); no match is the task error
  "Matching user not found.".
* Link: the filter lookup, then `GET /Users/{id}` and a full `PUT` built from that GET's
  answer. Okta's KB "Existing SCIM User Being Created at Assignment" gives this sequence
  (filter, "GET …/Users/{externalIdInOkta} followed by PUT …/Users/{externalIdInOkta} to sync
  the profile"), as does an AIW capture on Okta's developer forum (filter, GET, PUT with
  `active: true`); OBS1's summary lists only filter and PUT. The PUT is sent when Update User
  Attributes is on; an inactive match is activated (AIW: the PUT carries `active: true`; OIN:
  the PUT keeps the server's `active`, then a path-less PATCH `active: true`) only when
  Deactivate Users (which carries Okta's REACTIVATE_USERS) is on, else the task error "User
  account is inactive" (Okta KB on that error). Logged as `application.provision.user.sync`
  (+ `.reactivate`).
* STAGED users are not pushed on assignment: "the activation process triggers downstream
  provisioning" (§5.3); their app users wait as STAGED/SYNCING and the activation enqueues them
  (assignments.refresh_user_assignments). SUSPENDED users keep their assignments and are pushed
  like active ones (unsuspend sends nothing, §1.7, so nothing could push them later).
* A 404 on the deactivation's `GET /Users/{id}` (AIW) or PATCH (OIN): the user is gone from the
  app, so there is nothing left to deactivate; the event is done, with a
  `application.provision.user.verify_exists` FAILURE in the System Log and no task (§3.1 leaves
  the outcome open).
* Error texts: `Automatic provisioning of user <name> to app <label> failed: <step>: <remote>`
  (§3.1, H7) with the step "Error while creating user <name>" (S1); profile pushes use
  "Automatic profile push of user <name> to app <label> failed: Error while trying to push
  profile update for <userName>" (Okta KB texts); a 401 is H7's "The credentials used to connect
  to the API were invalid; please check your configuration". The lookup, activation and
  deprovisioning wordings are guesses in the same pattern.
* A USER_ASSIGNED event of an app user flagged as assigned before provisioning was enabled
  sends nothing (it may be delivered after the enabling): only Provision User pushes it (§4).
* After a create or link, the user is added to the app's ACTIVE pushed groups it belongs to
  (GROUP_MEMBERSHIP_CHANGED, unless one for the same group is already queued behind us):
  Okta pushes the memberships of provisioned users only.
* What is sent is the To App attribute mappings table (`attribute_mappings.TO_APP`): the
  create body carries every mapped attribute with a value; a profile push is sent only when a
  mapped attribute changed, and applies the changed ones to the server's representation. Both
  dialects push profile updates with GET + PUT: Okta's SCIM 2.0 reference says OIN
  integrations PATCH only to activate, deactivate and sync the password ("All other updates
  to User objects are handled through a PUT method request").
"""

import secrets
import string
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from sqlite_utils import Database

from mock_common.db import atomic, transactional
from mock_okta import outbox, system_log
from mock_okta.applications import apps, assignments, features, scim_connection
from mock_okta.applications.assignments import AppUser
from mock_okta.directory import memberships, users
from mock_okta.directory.users import User
from mock_okta.errors import ApiValidationFailed
from mock_okta.group_push import mappings as push_mappings
from mock_okta.outbox import EventKind
from mock_okta.provisioning import attribute_mappings
from mock_okta.provisioning.client import ScimError
from mock_okta.provisioning.engine import PushContext

T = TypeVar("T")

PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
OIN = "OIN"
#: Okta's task texts (reference/okta.md §1.3, §3.1; Okta KB articles).
CREDENTIALS_INVALID = (
    "The credentials used to connect to the API were invalid; please check your configuration"
)
MATCHING_USER_NOT_FOUND = "Matching user not found."
USER_INACTIVE = "User account is inactive"
EMPTY_USER = "Create new user returned empty user."
_PASSWORD_ALPHABET = string.ascii_lowercase + string.digits
#: System Log event types and display messages (Okta event type catalog, §3.4).
PUSH = ("application.provision.user.push", "Push new user to external application")
SYNC = ("application.provision.user.sync", "Sync user in external application")
PUSH_PROFILE = (
    "application.provision.user.push_profile",
    "Push user's profile to external application",
)
DEACTIVATE = (
    "application.provision.user.deactivate",
    "Push user deactivation to external application",
)
REACTIVATE = (
    "application.provision.user.reactivate",
    "Push user reactivation in external application",
)
VERIFY_EXISTS = (
    "application.provision.user.verify_exists",
    "Verify user exists in external application",
)
AUTHENTICATION_FAILURE = (
    "application.integration.authentication_failure",
    "Error authenticating to remote API",
)


# --- Provision User (console action) --------------------------------------------------------


@transactional
def provision_user(db: Database, now: datetime, app_id: str, user_id: str) -> int:
    """Assignments > Provision User: push an app user assigned before provisioning (§4)."""
    app = apps.require_app(db, app_id)
    if not scim_connection.provisioning_enabled(db, app["id"]):
        raise ApiValidationFailed("feature", ["Provisioning is not enabled for the app instance."])
    app_user = assignments.require_app_user(db, app["id"], user_id)
    if not app_user["provisioned_before_enabled"]:
        # Guess at the wording: the console offers the action only on the red "!" rows.
        raise ApiValidationFailed(
            "appUser",
            [
                "appUser: The user is already provisioned or was not assigned before "
                "provisioning was enabled"
            ],
        )
    return outbox.enqueue(db, now, app["id"], EventKind.PROVISION_USER, userId=app_user["user_id"])


# --- assignment: lookup, then create or link (§1.3, §1.6, §4) ---------------------------------


def run_provision(ctx: PushContext) -> None:
    """USER_ASSIGNED and PROVISION_USER."""
    user_id = ctx.payload["userId"]
    app_user = assignments.get_app_user(ctx.db, ctx.app["id"], user_id)
    user = users.get_user(ctx.db, user_id)
    if app_user is None or user is None or app_user["external_id"]:
        return _done(ctx)  # unassigned meanwhile, or already linked: nothing to push
    assigned_before = app_user["provisioned_before_enabled"]
    if ctx.event["kind"] == EventKind.USER_ASSIGNED and assigned_before:
        # Assigned before provisioning was enabled: only Provision User pushes it (§4).
        return _done(ctx)
    if user["status"] == users.UserStatus.STAGED:
        return _await_activation(ctx, user_id)
    found = _lookup(ctx, app_user)
    reactivated = False
    if found is not None:
        external_id, reactivated = _link(ctx, found, app_user, user)
        kind = SYNC
    elif _enabled(ctx, "create", "lifecycleCreate"):
        external_id, kind = _create(ctx, app_user, user), PUSH
    else:
        raise ScimError(MATCHING_USER_NOT_FOUND)
    _commit_provisioned(ctx, user, external_id, kind, reactivated)


def _lookup(ctx: PushContext, app_user: AppUser) -> dict | None:
    """`GET /Users?filter=userName eq "…"&startIndex=1&count=100`; None when not found."""
    user_name = app_user["user_name"]
    step = f"Error while searching for user {user_name}"  # guess at Okta's wording
    params = {"filter": f'userName eq "{user_name}"', "startIndex": 1, "count": 100}
    try:
        response = ctx.client.get("/Users", params)
    except ScimError as error:
        if error.status == 404:
            return None  # §1.3: a 404 SCIM error is also "not found"
        raise _reworded(step, error) from error
    body = response.body if isinstance(response.body, dict) else {}
    # Okta also took the lowercase keys of old servers (§1.1); counts must be integers.
    resources = body.get("Resources", body.get("resources"))
    total = body.get("totalResults", body.get("totalresults"))
    if not isinstance(total, int) or isinstance(total, bool) or not isinstance(resources, list):
        raise ScimError(f"{step}: The remote server did not return a SCIM ListResponse")
    if total == 0 or not resources:
        return None
    if not isinstance(resources[0], dict) or not resources[0].get("id"):
        raise ScimError(f"{step}: The remote server returned a user without an id")
    return resources[0]


def _create(ctx: PushContext, app_user: AppUser, user: User) -> str:
    """`POST /Users` with Okta's body; returns the new SCIM id."""
    name = _display_name(user)
    step = f"Error while creating user {name}"
    created = _call(step, ctx.client.post, "/Users", new_user_body(app_user, user)).body
    if not isinstance(created, dict) or not created.get("id"):
        raise ScimError(f"{step}: {EMPTY_USER}")
    return str(created["id"])


def _link(ctx: PushContext, found: dict, app_user: AppUser, user: User) -> tuple[str, bool]:
    """Adopt the matching SCIM user; returns its id and whether it had to be activated."""
    external_id = str(found["id"])
    inactive = found.get("active") is False
    if inactive and not _enabled(ctx, "update", "lifecycleDeactivate"):
        raise ScimError(USER_INACTIVE)
    custom_app = ctx.connection.dialect != OIN
    push_profile = _enabled(ctx, "update", "profile")
    if push_profile or (custom_app and inactive):
        step = f"Error while trying to push profile update for {app_user['user_name']}"
        # Okta KB "Existing SCIM User Being Created at Assignment": GET, then PUT.
        current = _call(step, _get_user, ctx, external_id)
        body = merged_user(current, app_user, user) if push_profile else current
        if custom_app:
            body["active"] = True  # the custom-app dialect activates through the PUT
        _call(step, ctx.client.put, f"/Users/{external_id}", body)
    if inactive and not custom_app:
        step = f"Error while activating user {_display_name(user)}"  # guess at the wording
        _call(step, ctx.client.patch, f"/Users/{external_id}", active_patch(True))
    return external_id, inactive


def _commit_provisioned(
    ctx: PushContext, user: User, external_id: str, kind: tuple[str, str], reactivated: bool
) -> None:
    db, app_id, user_id = ctx.db, ctx.app["id"], user["id"]
    with atomic(db):
        now = ctx.now()
        app_user = assignments.get_app_user(db, app_id, user_id)
        if app_user is None:
            # Unassigned while we were pushing: the removal carried no externalId, so
            # deactivate what we just created or linked.
            outbox.enqueue(
                db,
                now,
                app_id,
                EventKind.USER_UNASSIGNED,
                userId=user_id,
                externalId=external_id,
            )
        else:
            app_user = assignments.mark_provisioned(db, now, app_id, user_id, external_id)
            _log(ctx, now, kind, user, app_user)
            if reactivated:
                _log(ctx, now, REACTIVATE, user, app_user)
            _queue_group_memberships(ctx, now, user_id)
        ctx.finish()


def _queue_group_memberships(ctx: PushContext, now: datetime, user_id: str) -> None:
    """Okta pushes memberships of provisioned users only: add this one to its pushed groups."""
    group_ids = memberships.user_group_ids(ctx.db, user_id)
    for group_id in push_mappings.actively_pushed_groups_of(ctx.db, ctx.app["id"], group_ids):
        if outbox.membership_push_queued_after(
            ctx.db, ctx.event["id"], ctx.app["id"], group_id, user_id
        ):
            continue  # a membership change queued after us will push it anyway
        outbox.enqueue(
            ctx.db,
            now,
            ctx.app["id"],
            EventKind.GROUP_MEMBERSHIP_CHANGED,
            groupId=group_id,
            userId=user_id,
            added=True,
        )


def _await_activation(ctx: PushContext, user_id: str) -> None:
    """A STAGED user is pushed when activated (§5.3); the app user waits as STAGED/SYNCING."""
    with atomic(ctx.db):
        assignments.await_activation(ctx.db, ctx.now(), ctx.app["id"], user_id)
        ctx.finish()


def provision_failed(ctx: PushContext, summary: str) -> dict:
    """The task, the app user's error (the red "!") and the System Log FAILURE."""
    user_id = ctx.payload["userId"]
    user = users.get_user(ctx.db, user_id)
    text = (
        f"Automatic provisioning of user {_display_name(user, user_id)} to app "
        f"{ctx.app['label']} failed: {summary}"
    )
    kind = PUSH if summary.startswith("Error while creating user") else SYNC
    return _failed(ctx, user, user_id, text, kind, summary)


# --- profile push (§1.4) ----------------------------------------------------------------------


def run_profile(ctx: PushContext) -> None:
    """USER_PROFILE_CHANGED of a mapped attribute: GET then PUT of the merged resource.

    Both dialects: Okta's SCIM 2.0 reference keeps PATCH for (de)activation and passwords.
    """
    user_id = ctx.payload["userId"]
    app_user = assignments.get_app_user(ctx.db, ctx.app["id"], user_id)
    user = users.get_user(ctx.db, user_id)
    changed = frozenset(ctx.payload.get("changed") or [])
    if (
        not _enabled(ctx, "update", "profile")
        or not changed & attribute_mappings.pushed_sources()
        or app_user is None
        or user is None
        or not app_user["external_id"]
    ):
        return _done(ctx)
    external_id = app_user["external_id"]
    step = f"Error while trying to push profile update for {app_user['user_name']}"
    current = _call(step, _get_user, ctx, external_id)
    body = merged_user(current, app_user, user, changed)
    _call(step, ctx.client.put, f"/Users/{external_id}", body)
    with atomic(ctx.db):
        now = ctx.now()
        assignments.mark_synchronized(ctx.db, now, ctx.app["id"], user_id)
        _log(ctx, now, PUSH_PROFILE, user, app_user)
        ctx.finish()


def profile_failed(ctx: PushContext, summary: str) -> dict:
    """A failed profile push: task, app user in ERROR, System Log FAILURE."""
    user_id = ctx.payload["userId"]
    user = users.get_user(ctx.db, user_id)
    text = (
        f"Automatic profile push of user {_display_name(user, user_id)} to app "
        f"{ctx.app['label']} failed: {summary}"
    )
    return _failed(ctx, user, user_id, text, PUSH_PROFILE, summary)


# --- deactivation (§1.5) ----------------------------------------------------------------------


def run_deactivate(ctx: PushContext) -> None:
    """USER_UNASSIGNED and USER_DEACTIVATED: AIW GET + PUT active:false, OIN path-less PATCH."""
    external_id = ctx.payload.get("externalId")
    if not external_id or not _enabled(ctx, "update", "lifecycleDeactivate"):
        return _done(ctx)  # never pushed, or Deactivate Users off: Okta sends nothing
    user_id = ctx.payload["userId"]
    user = users.get_user(ctx.db, user_id)
    step = f"Error while deactivating user {_display_name(user, user_id)}"  # guess
    try:
        if ctx.connection.dialect == OIN:
            ctx.client.patch(f"/Users/{external_id}", active_patch(False))
        else:
            current = _get_user(ctx, external_id)
            ctx.client.put(f"/Users/{external_id}", {**current, "active": False})
    except ScimError as error:
        if error.status != 404:
            raise _reworded(step, error) from error
        return _gone(ctx, user, user_id, error)
    with atomic(ctx.db):
        _log(ctx, ctx.now(), DEACTIVATE, user, _removed_app_user(ctx, user, user_id))
        ctx.finish()


def _gone(ctx: PushContext, user: User | None, user_id: str, error: ScimError) -> None:
    # Decision: a user the app no longer has is as deactivated as it gets; no task (§3.1 [U]).
    with atomic(ctx.db):
        _log(
            ctx,
            ctx.now(),
            VERIFY_EXISTS,
            user,
            _removed_app_user(ctx, user, user_id),
            outcome="FAILURE",
            reason=error.summary,
        )
        ctx.finish()


def deactivate_failed(ctx: PushContext, summary: str) -> dict:
    """A failed deactivation: a deprovisioning task and a System Log FAILURE."""
    user_id = ctx.payload["userId"]
    user = users.get_user(ctx.db, user_id)
    # Guess at the wording, in the pattern of the provisioning error (H7).
    text = (
        f"Automatic deprovisioning of user {_display_name(user, user_id)} from app "
        f"{ctx.app['label']} failed: {summary}"
    )
    return _failed(ctx, user, user_id, text, DEACTIVATE, summary, app_user_error=False)


# --- SCIM bodies ------------------------------------------------------------------------------


def new_user_body(app_user: AppUser, user: User) -> dict:
    """Okta's `POST /Users` body (§1.3): the mapped attributes, then Okta's own fields."""
    body = attribute_mappings.scim_user(app_user["user_name"], users.profile_of(user))
    # Guess: where Okta puts the optional mapped attributes; the reference's body has none, and
    # ends with these four, in this order.
    body.update(
        {
            "externalId": user["id"],  # the Okta user id (§1.3)
            "groups": [],
            # "a placeholder for legacy provisioning platforms", always sent (§1.3)
            "password": "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(8)),
            "active": True,
        }
    )
    return body


def merged_user(
    current: dict, app_user: AppUser, user: User, changed: frozenset[str] | None = None
) -> dict:
    """The server's representation with Okta's mapped attributes applied (§1.4).

    `changed` is what changed in Okta (a profile push); None applies every mapped attribute
    (a link).
    """
    return attribute_mappings.apply_to(
        current, app_user["user_name"], users.profile_of(user), changed
    )


def active_patch(active: bool) -> dict:
    """The OIN dialect's path-less `replace` of `active` (§1.5, §1.6)."""
    return {"schemas": [PATCH_OP], "Operations": [{"op": "replace", "value": {"active": active}}]}


def _display_name(user: User | None, fallback: str = "") -> str:
    if user is None:
        return fallback
    profile = users.profile_of(user)
    given = " ".join(p for p in (profile.get("firstName"), profile.get("lastName")) if p)
    return profile.get("displayName") or given or profile.get("login") or fallback


# --- helpers ----------------------------------------------------------------------------------


def _enabled(ctx: PushContext, group: str, switch: str) -> bool:
    """A To App switch (features USER_PROVISIONING capabilities)."""
    capabilities = features.capabilities(ctx.db, ctx.app["id"])
    return capabilities.get(group, {}).get(switch, {}).get("status") == "ENABLED"


def _reworded(step: str, error: ScimError) -> ScimError:
    """`<step>: <remote summary>`; a 401 is Okta's credentials message (§3.1, H7)."""
    if error.status == 401:
        return ScimError(CREDENTIALS_INVALID, status=401)
    return ScimError(f"{step}: {error.summary}", status=error.status, retry_after=error.retry_after)


def _call(step: str, request: Callable[..., T], *args: object) -> T:
    """One step of a push; its failure is worded `<step>: <remote summary>`."""
    try:
        return request(*args)
    except ScimError as error:
        raise _reworded(step, error) from error


def _get_user(ctx: PushContext, external_id: str) -> dict:
    """`GET /Users/{id}`: the server's representation, the base of Okta's PUT."""
    response = ctx.client.get(f"/Users/{external_id}")
    if not isinstance(response.body, dict):
        raise ScimError("The remote server returned no user")  # guess at the wording
    return response.body


def _done(ctx: PushContext) -> None:
    with atomic(ctx.db):
        ctx.finish()


def _removed_app_user(ctx: PushContext, user: User | None, user_id: str) -> dict:
    """What the System Log names for an app user that is already gone."""
    login = users.profile_of(user).get("login") if user else None
    return {
        "app_id": ctx.app["id"],
        "user_id": user_id,
        "user_name": login or user_id,
        "external_id": ctx.payload.get("externalId"),
    }


def _failed(
    ctx: PushContext,
    user: User | None,
    user_id: str,
    text: str,
    kind: tuple[str, str],
    summary: str,
    *,
    app_user_error: bool = True,
) -> dict:
    """Runs inside the engine's transaction: app user in ERROR, System Log, the task."""
    now = ctx.now()
    app_user = assignments.get_app_user(ctx.db, ctx.app["id"], user_id)
    if app_user is not None and app_user_error:
        assignments.mark_sync_error(ctx.db, now, ctx.app["id"], user_id, text)
    target = app_user or _removed_app_user(ctx, user, user_id)
    _log(ctx, now, kind, user, target, outcome="FAILURE", reason=text)
    if summary == CREDENTIALS_INVALID:
        _log(ctx, now, AUTHENTICATION_FAILURE, user, target, outcome="FAILURE", reason=text)
    return {"userId": user_id, "errorSummary": text}


def _log(
    ctx: PushContext,
    now: datetime,
    kind: tuple[str, str],
    user: User | None,
    app_user: AppUser,
    *,
    outcome: str = "SUCCESS",
    reason: str | None = None,
) -> None:
    """An `application.provision.user.*` event: AppUser, AppInstance and User targets."""
    event_type, message = kind
    targets = [
        {
            "id": assignments.app_assignment_id(ctx.app["id"], app_user["user_id"]),
            "type": "AppUser",
            "alternateId": app_user["user_name"],
            "displayName": _display_name(user, app_user["user_id"]),
            "detailEntry": None,
        },
        system_log.app_target(ctx.app),
    ]
    if user is not None:
        targets.append(system_log.user_target(user))
    system_log.record(
        ctx.db,
        now,
        event_type,
        message,
        targets=targets,
        outcome=outcome,
        reason=reason,
        severity="INFO" if outcome == "SUCCESS" else "ERROR",
        debug_data={"appname": ctx.app["name"], "externalId": app_user.get("external_id")},
    )
