"""Running the checks: every step in order, each judged on its own, then the clean-up."""

from collections.abc import Callable
from dataclasses import dataclass, field

from mock_okta.scim_check import group_scenarios as groups
from mock_okta.scim_check import scenarios as users
from mock_okta.scim_check.judging import Outcome, StepFailed, StepResult, StepSkipped, answered
from mock_okta.scim_check.org import OKTA, check_org
from mock_okta.scim_check.scenarios import Run

#: (name, function): the order of a real integration's life, users then groups.
STEPS: list[tuple[str, Callable[[Run], dict]]] = [
    ("connector test", users.connector_test),
    ("lookup by userName (no match)", users.lookup_before_create),
    ("create user", users.create_user),
    ("read back created user", users.read_back_user),
    ("duplicate userName refused", users.duplicate_refused),
    ("link existing user", users.link_existing_user),
    ("userName lookup ignores case", users.lookup_ignores_case),
    ("unknown user id is 404", users.unknown_user_404),
    ("profile update", users.update_profile),
    ("deactivate user", users.deactivate_user),
    ("reactivate user", users.reactivate_user),
    ("push group by name", groups.push_group),
    ("rename group", groups.rename_group),
    ("add group member", groups.add_member),
    ("remove group member", groups.remove_member),
    ("push now", groups.push_now),
    ("unlink and delete group", groups.unlink_and_delete),
]


@dataclass
class CheckReport:
    """The results of a run, and what the clean-up did."""

    base_url: str
    dialect: str
    results: list[StepResult] = field(default_factory=list)
    cleanup: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        """How many steps ended so."""
        return sum(1 for result in self.results if result.outcome == outcome)

    @property
    def passed(self) -> bool:
        """No step failed (skipped steps follow a failure, so they cannot occur alone)."""
        return self.count(Outcome.FAIL) == 0


def run_check(base_url: str, token: str, dialect: str = "custom") -> CheckReport:
    """Run every step against the SCIM server at `base_url`, then remove what it created."""
    base_url = base_url.rstrip("/")
    report = CheckReport(base_url, dialect)
    with check_org(base_url, token, dialect) as org:
        run = Run(org, base_url)
        try:
            for name, step in STEPS:
                if report.results and report.results[0].outcome == Outcome.FAIL:
                    # Okta's admin stops at a failed Test Connector: the rest would be noise.
                    reason = "the connector test failed"
                    report.results.append(StepResult(name, "", Outcome.SKIP, reason=reason))
                    continue
                report.results.append(_run_step(run, name, step))
        finally:
            _clean_up(run, report)
    return report


def _run_step(run: Run, name: str, step: Callable[[Run], dict]) -> StepResult:
    run.step_exchanges = []
    description = (step.__doc__ or "").split("\n\n")[0].strip()
    try:
        deciding = step(run)
    except StepSkipped as skipped:
        return StepResult(name, description, Outcome.SKIP, reason=str(skipped))
    except StepFailed as failure:
        deciding = failure.exchange or _last_okta_exchange(run.step_exchanges)
        return StepResult(
            name,
            description,
            Outcome.FAIL,
            reason=str(failure),
            expected=failure.expected,
            got=failure.got,
            deciding=deciding,
            exchanges=run.step_exchanges,
        )
    return StepResult(
        name, description, Outcome.PASS, deciding=deciding, exchanges=run.step_exchanges
    )


def _last_okta_exchange(exchanges: list[dict]) -> dict | None:
    sent = [e for e in exchanges if e["by"] == OKTA]
    return sent[-1] if sent else None


def _clean_up(run: Run, report: CheckReport) -> None:
    """DELETE what the run created (users Okta never deletes, the group if still there),
    found by id and by this run's names (a create answered without an id leaves no id)."""
    users = [*run.created_users, *_named(run, "Users", "userName", run.logins())]
    groups = [*run.created_groups, *_named(run, "Groups", "displayName", run.group_names())]
    doomed = [("Users", i) for i in dict.fromkeys(users)]
    doomed += [("Groups", i) for i in dict.fromkeys(groups)]
    for kind, scim_id in doomed:
        path = f"/{kind}/{scim_id}"
        exchange = run.org.probe("DELETE", path)
        line = f"DELETE {path} → {answered(exchange)}"
        if exchange["status"] == 404:
            report.cleanup.append(line)
            continue
        after = run.org.probe("GET", path)
        if after["status"] == 404:
            report.cleanup.append(line)
        else:
            # RFC 7644 §3.6: a deleted resource answers 404 from then on.
            report.leftovers.append(f"{line}, then GET {path} → {answered(after)}")


def _named(run: Run, kind: str, attribute: str, names: list[str]) -> list[str]:
    """Ids of this run's resources by name; only exact matches (a filter may be ignored)."""
    found = []
    for name in names:
        exchange = run.org.probe("GET", f'/{kind}?filter={attribute} eq "{name}"')
        body = exchange["responseBody"] if exchange["status"] == 200 else None
        resources = body.get("Resources") if isinstance(body, dict) else None
        for resource in resources if isinstance(resources, list) else []:
            if (
                isinstance(resource, dict)
                and resource.get("id")
                and str(resource.get(attribute, "")).lower() == name.lower()
            ):
                found.append(str(resource["id"]))
    return found
