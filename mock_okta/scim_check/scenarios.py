"""The steps of a run, in order: Okta's SCIM test plan and what Okta's push really sends.

Each step makes one change in the org through the domain layer (or sends one probe of the
checker's own), runs the push engine's queue, and judges the exchanges it produced. Users:
`a` is created by Okta, `b` already exists in the target and is linked.
"""

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from mock_okta import reactions
from mock_okta.applications import assignments
from mock_okta.scim_check.judging import (
    StepSkipped,
    answered,
    body_of,
    expect,
    expect_status,
    find,
    list_resources,
    require_one,
)
from mock_okta.scim_check.org import CheckOrg

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
OIN = "OIN"
#: `a` is created by Okta; `b` exists in the target before Okta links it.
ROLES = ("a", "b")
RENAMED = "-renamed"


@dataclass
class Run:
    """What the steps share: the org, the names of this run, what was made downstream."""

    org: CheckOrg
    base_url: str
    tag: str = field(default_factory=lambda: secrets.token_hex(4))
    okta_ids: dict[str, str] = field(default_factory=dict)  # role -> Okta user id
    scim_ids: dict[str, str] = field(default_factory=dict)  # role -> SCIM id Okta holds
    created_users: list[str] = field(default_factory=list)
    created_groups: list[str] = field(default_factory=list)
    group_id: str | None = None
    mapping_id: str | None = None
    group_scim_id: str | None = None
    create_exchanges: list[dict] = field(default_factory=list)
    step_exchanges: list[dict] = field(default_factory=list)
    task_errors: list[str] = field(default_factory=list)  # tasks the last change opened

    def login(self, role: str) -> str:
        """A recognisable, unique userName per run."""
        return f"scimcheck-{self.tag}-{role}@example.com"

    def logins(self) -> list[str]:
        """The userNames this run uses."""
        return [self.login(role) for role in ROLES]

    def group_names(self) -> list[str]:
        """The group names this run uses."""
        return [self.group_name(), self.group_name(RENAMED)]

    def group_name(self, suffix: str = "") -> str:
        """The pushed group's name in this run."""
        return f"scimcheck-{self.tag}-group{suffix}"

    @property
    def oin(self) -> bool:
        return self.org.connection().dialect == OIN

    def act(self, change: Callable[[], object]) -> list[dict]:
        """Make a change in Okta, deliver what it enqueued; the exchanges it produced."""
        mark, seq = self.org.mark(), self.org.task_seq()
        change()
        self.org.deliver()
        exchanges = self.org.exchanges_since(mark)
        self.step_exchanges.extend(exchanges)
        self.task_errors = self.org.open_task_errors(seq)
        return exchanges

    def probe(self, method: str, path: str, body: dict | None = None) -> dict:
        """A checker request (Okta's headers), kept with the step's exchanges."""
        exchange = self.org.probe(method, path, body)
        self.step_exchanges.append(exchange)
        return exchange

    def expect_no_task(self) -> None:
        """The engine opened no task: Okta saw the push succeed."""
        errors = self.task_errors
        expect(not errors, "no provisioning task (Okta saw the push succeed)", "; ".join(errors))

    def need(self, *keys: str) -> None:
        """Skip the step when an earlier one did not leave what it needs."""
        for key in keys:
            if key not in self.scim_ids:
                raise StepSkipped(f"no SCIM id of user {key!r}: an earlier step failed")

    def external_id(self, role: str) -> str | None:
        """The SCIM id Okta holds for the user's app user (what it sends as a member)."""
        app_user = assignments.get_app_user(self.org.db, self.org.app["id"], self.okta_ids[role])
        return app_user["external_id"] if app_user else None

    def sent(self, exchanges: list[dict], method: str, path: str) -> dict:
        """Okta's first `method path` among the exchanges; a failure when it sent none."""
        return require_one(
            exchanges, self.base_url, method, lambda p: p == path, f"{method} {path}"
        )


# --- users --------------------------------------------------------------------------------


def connector_test(run: Run) -> dict:
    """Test Connector Configuration: `GET /Users?startIndex=1&count=2` answers a ListResponse."""
    mark = run.org.mark()
    result = run.org.test_connector()
    (exchange,) = run.org.exchanges_since(mark)
    run.step_exchanges.append(exchange)
    expect_status(exchange, 200)
    list_resources(exchange, complete=False)
    expect(result["ok"], "Okta's connector test to pass", result["message"], exchange)
    return exchange


def _profile(run: Run, role: str, first: str = "Scim") -> dict:
    login = run.login(role)
    return {"login": login, "email": login, "firstName": first, "lastName": f"Check {role.upper()}"}


def _assign(run: Run, role: str) -> list[dict]:
    """Create the Okta user (once) and assign it to the app: Okta's provisioning push."""
    db, app_id = run.org.db, run.org.app["id"]
    if role not in run.okta_ids:
        user = reactions.create_user(db, run.org.now(), {"profile": _profile(run, role)})
        run.okta_ids[role] = user["id"]
    body = {"id": run.okta_ids[role], "scope": "USER"}
    return run.act(lambda: assignments.assign_user_to_application(db, run.org.now(), app_id, body))


def _user_lookup(run: Run, exchanges: list[dict]) -> dict:
    """Okta's `GET /Users?filter=userName eq "…"&startIndex=1&count=100`."""
    return require_one(
        exchanges,
        run.base_url,
        "GET",
        lambda p: p.startswith("/Users?filter=userName eq"),
        'GET /Users?filter=userName eq "…"',
    )


def lookup_before_create(run: Run) -> dict:
    """Assignment: Okta first looks the userName up; a new user must match nothing."""
    exchanges = run.create_exchanges = _assign(run, "a")
    for post in find(exchanges, run.base_url, "POST", lambda p: p == "/Users"):
        body = post["responseBody"]
        if isinstance(body, dict) and body.get("id"):
            run.created_users.append(str(body["id"]))
    lookup = _user_lookup(run, exchanges)
    expect_status(lookup, 200)
    resources = list_resources(lookup)
    expect(resources == [], "no user for a userName that does not exist yet", resources, lookup)
    return lookup


def create_user(run: Run) -> dict:
    """`POST /Users` answers 201 Created with the new user's id (RFC 7644 §3.3)."""
    post = run.sent(run.create_exchanges, "POST", "/Users")
    external = run.external_id("a")
    if external:
        run.scim_ids["a"] = external  # Okta linked it: later steps can run, whatever this judges
    expect_status(post, 201, why="RFC 7644 §3.3")
    body = body_of(post)
    expect(bool(body.get("id")), "the new user's id in the response", body, post)
    expect(
        str(body.get("userName", "")).lower() == run.login("a"),
        f"userName {run.login('a')}",
        body.get("userName"),
        post,
    )
    run.expect_no_task()
    expect(external == str(body["id"]), f"Okta to link the user to {body['id']}", external, post)
    return post


def read_back_user(run: Run) -> dict:
    """Checker: `GET /Users/{id}` returns the user Okta created, active."""
    run.need("a")
    exchange = run.probe("GET", f"/Users/{run.scim_ids['a']}")
    expect_status(exchange, 200)
    body = body_of(exchange)
    expect(body.get("id") == run.scim_ids["a"], f"id {run.scim_ids['a']}", body.get("id"), exchange)
    expect(body.get("active") is True, "active: true", body.get("active"), exchange)
    return exchange


def duplicate_refused(run: Run) -> dict:
    """Checker (Okta's test plan): creating the same userName again answers 409 (RFC 7644 §3.3)."""
    sent = find(run.create_exchanges, run.base_url, "POST", lambda p: p == "/Users")
    if not sent or not isinstance(sent[0]["requestBody"], dict):
        raise StepSkipped("Okta sent no POST /Users to repeat")
    body = {**sent[0]["requestBody"], "password": secrets.token_hex(4)}
    exchange = run.probe("POST", "/Users", body)
    created = exchange["responseBody"]
    if exchange["status"] in (200, 201) and isinstance(created, dict) and created.get("id"):
        run.created_users.append(str(created["id"]))
    expect_status(exchange, 409, why="uniqueness, RFC 7644 §3.3")
    return exchange


def link_existing_user(run: Run) -> dict:
    """A user already in the target: Okta's lookup finds it, Okta links it (GET + PUT, no POST)."""
    setup = run.probe("POST", "/Users", _scim_user(run, "b"))
    created = setup["responseBody"]
    if not (
        isinstance(created, dict) and created.get("id") and 200 <= (setup["status"] or 0) < 300
    ):
        # The defect is the create's, and "create user" reports it; this step cannot start.
        raise StepSkipped(
            f"the checker's POST /Users of the existing user answered {answered(setup)} "
            "without an id"
        )
    existing = str(created["id"])
    run.created_users.append(existing)
    exchanges = _assign(run, "b")
    if run.external_id("b") == existing:
        # Linked to the right user: later steps can use it, whatever this step judges. A user
        # linked to another id would make their results follow from this defect: they skip.
        run.scim_ids["b"] = existing
    lookup = _user_lookup(run, exchanges)
    expect_status(lookup, 200)
    resources = list_resources(lookup)
    ids = [str(r.get("id")) for r in resources if isinstance(r, dict)]
    expect(ids == [existing], f"exactly the existing user {existing}", f"ids {ids}", lookup)
    posts = find(exchanges, run.base_url, "POST", lambda p: p == "/Users")
    expect(not posts, "no POST /Users (the user is linked)", f"{len(posts)} POST /Users", lookup)
    put = run.sent(exchanges, "PUT", f"/Users/{existing}")
    expect_status(put, 200)
    run.expect_no_task()
    return put


def _scim_user(run: Run, role: str) -> dict:
    """A user as another source than Okta would have made it in the target."""
    login = run.login(role)
    return {
        "schemas": [CORE_USER],
        "userName": login,
        "name": {"givenName": "Scim", "familyName": f"Check {role.upper()}"},
        "emails": [{"primary": True, "value": login, "type": "work"}],
        "displayName": f"Scim Check {role.upper()}",
        "active": True,
    }


def lookup_ignores_case(run: Run) -> dict:
    """Checker (Okta's test plan): a userName filter in other case finds the user (RFC 7643
    §4.1.1: userName is caseExact false)."""
    run.need("a")
    swapped = run.login("a").upper()
    query = f'filter=userName eq "{swapped}"&startIndex=1&count=100'
    exchange = run.probe("GET", f"/Users?{query}")
    expect_status(exchange, 200)
    ids = [str(r.get("id")) for r in list_resources(exchange) if isinstance(r, dict)]
    expect(
        ids == [run.scim_ids["a"]],
        f"exactly user {run.scim_ids['a']} (userName has caseExact false)",
        f"ids {ids}",
        exchange,
    )
    return exchange


def unknown_user_404(run: Run) -> dict:
    """Checker (Okta's test plan): `GET /Users/{unknown id}` answers 404 (RFC 7644 §3.12)."""
    exchange = run.probe("GET", f"/Users/{uuid.uuid4()}")
    expect_status(exchange, 404)
    return exchange


def update_profile(run: Run) -> dict:
    """A profile change in Okta: GET + PUT of the merged user; the change is stored."""
    run.need("a")
    db, user_id, scim_id = run.org.db, run.okta_ids["a"], run.scim_ids["a"]
    body = {"profile": {"firstName": "Updated", "title": "SCIM checker"}}
    exchanges = run.act(
        lambda: reactions.update_user(db, run.org.now(), user_id, body, partial=True)
    )
    put = require_one(
        exchanges, run.base_url, "PUT", lambda p: p == f"/Users/{scim_id}", f"PUT /Users/{scim_id}"
    )
    expect_status(put, 200)
    run.expect_no_task()
    check = run.probe("GET", f"/Users/{scim_id}")
    expect_status(check, 200)
    given = (body_of(check).get("name") or {}).get("givenName")
    expect(given == "Updated", "name.givenName 'Updated'", given, check)
    return put


def _active_change(run: Run, exchanges: list[dict], scim_id: str) -> dict:
    """The request that sets `active`: the custom app's PUT, the OIN dialect's PATCH."""
    method = "PATCH" if run.oin else "PUT"
    return require_one(
        exchanges,
        run.base_url,
        method,
        lambda p: p == f"/Users/{scim_id}",
        f"{method} /Users/{scim_id}",
    )


def _expect_active(run: Run, scim_id: str, active: bool) -> dict:
    check = run.probe("GET", f"/Users/{scim_id}")
    expect_status(check, 200)
    got = body_of(check).get("active")
    expect(got is active, f"active: {str(active).lower()}", got, check)
    return check


def deactivate_user(run: Run) -> dict:
    """Unassignment: custom app GET + PUT active:false, OIN PATCH active:false; it sticks."""
    run.need("a")
    db, app_id, user_id, scim_id = (
        run.org.db,
        run.org.app["id"],
        run.okta_ids["a"],
        run.scim_ids["a"],
    )
    exchanges = run.act(
        lambda: assignments.unassign_user_from_application(db, run.org.now(), app_id, user_id)
    )
    change = _active_change(run, exchanges, scim_id)
    expect_status(change, 200, 204) if run.oin else expect_status(change, 200)
    run.expect_no_task()
    _expect_active(run, scim_id, False)
    return change


def reactivate_user(run: Run) -> dict:
    """Reassignment: the lookup finds the deactivated user, Okta activates it again."""
    run.need("a")
    scim_id = run.scim_ids["a"]
    exchanges = _assign(run, "a")
    lookup = _user_lookup(run, exchanges)
    expect_status(lookup, 200)
    ids = [str(r.get("id")) for r in list_resources(lookup) if isinstance(r, dict)]
    expect(ids == [scim_id], f"exactly the deactivated user {scim_id}", f"ids {ids}", lookup)
    change = _active_change(run, exchanges, scim_id)
    expect_status(change, 200, 204) if run.oin else expect_status(change, 200)
    run.expect_no_task()
    _expect_active(run, scim_id, True)
    return change
