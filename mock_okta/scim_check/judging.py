"""How a step is judged: outcomes, the failure that carries expected vs got, and checks on
recorded exchanges (method, path, status, bodies)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import unquote, urlsplit

LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


class Outcome(StrEnum):
    """A step's result."""

    PASS = "PASS"
    FAIL = "FAIL"
    SKIP = "SKIP"


class StepFailed(Exception):
    """The server's answer is not what Okta (or Okta's test plan) expects."""

    def __init__(self, expected: str, got: str, exchange: dict | None = None):
        super().__init__(f"expected {expected}, got {got}")
        self.expected, self.got, self.exchange = expected, got, exchange


class StepSkipped(Exception):
    """The step cannot run: an earlier step did not leave what it needs."""


@dataclass
class StepResult:
    """One step of the run: its outcome, why, and the exchanges it produced."""

    name: str
    description: str
    outcome: Outcome
    reason: str = ""
    expected: str = ""
    got: str = ""
    deciding: dict | None = None
    exchanges: list[dict] = field(default_factory=list)


def path_of(exchange: dict, base_url: str) -> str:
    """The exchange's path below the base URL, query decoded (`/Users?filter=...`)."""
    url = exchange["url"]
    rest = url[len(base_url) :] if url.startswith(base_url) else urlsplit(url).path
    return unquote(rest.replace("+", " "))


def find(
    exchanges: list[dict], base_url: str, method: str, test: Callable[[str], bool]
) -> list[dict]:
    """The exchanges of `method` whose path passes `test`."""
    return [e for e in exchanges if e["method"] == method and test(path_of(e, base_url))]


def require_one(
    exchanges: list[dict], base_url: str, method: str, test: Callable[[str], bool], what: str
) -> dict:
    """The first matching exchange; a failure saying it was never sent."""
    found = find(exchanges, base_url, method, test)
    if not found:
        sent = ", ".join(f"{e['method']} {path_of(e, base_url)}" for e in exchanges) or "nothing"
        raise StepFailed(f"Okta to send {what}", f"Okta sent {sent}")
    return found[0]


def answered(exchange: dict) -> str:
    """`201`, or the transport error when no answer came."""
    if exchange["status"] is None:
        return exchange["error"] or "no answer"
    return str(exchange["status"])


def expect_status(exchange: dict, *allowed: int, why: str = "") -> None:
    """The answer's status is one of `allowed`."""
    if exchange["status"] not in allowed:
        wanted = " or ".join(str(status) for status in allowed)
        raise StepFailed(f"{wanted}{f' ({why})' if why else ''}", answered(exchange), exchange)


def body_of(exchange: dict) -> dict:
    """The answer's JSON object; a failure when it has none."""
    body = exchange["responseBody"]
    if not isinstance(body, dict):
        raise StepFailed("a JSON object in the response", _short(body), exchange)
    return body


def list_resources(exchange: dict, *, complete: bool = True) -> list[dict]:
    """The Resources of a ListResponse (RFC 7644 §3.4.2); a failure when it is not one.
    `complete`: the page holds every match (totalResults counts the Resources)."""
    body = body_of(exchange)
    total, resources = body.get("totalResults"), body.get("Resources", [])
    if not isinstance(total, int) or isinstance(total, bool) or not isinstance(resources, list):
        raise StepFailed(
            "a ListResponse with an integer totalResults and a Resources list",
            _short(body),
            exchange,
        )
    if complete and total != len(resources):
        # Okta pages with count=100; every lookup here matches at most two resources.
        raise StepFailed(
            f"totalResults equal to the {len(resources)} Resources returned",
            f"totalResults {total}",
            exchange,
        )
    return resources


def expect(condition: bool, expected: str, got: object, exchange: dict | None = None) -> None:
    """A check on a value; `got` is shown as the server gave it."""
    if not condition:
        raise StepFailed(expected, got if isinstance(got, str) else _short(got), exchange)


def _short(value: object, limit: int = 300) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[:limit] + "…"
