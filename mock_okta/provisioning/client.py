"""Okta's SCIM client on the wire: headers, timeout, the request log, error classification.

Every request carries what Okta's client sends (reference/okta.md §1.1) and is recorded in
`scim_requests` before it goes out, then completed with its response, so the console, the
System Log and tests see the exact traffic, a request still in flight included. Failures
become `ScimError`, worded as Okta words them (§3.1).
"""

import base64
import json
import os
import time
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import quote, urlencode, urlsplit

import requests
from sqlite_utils import Database

from mock_common import clock
from mock_okta.applications.scim_connection import ScimConnection
from mock_okta.provisioning import wire_log

USER_AGENT = "Okta SCIM Client 1.0.0"
SCIM_JSON = "application/scim+json"
#: "The timeout is 60 seconds if Okta doesn't receive anything from the socket" (§1.1).
TIMEOUT_SECONDS = 60
#: A shorter timeout for benchmarks and tests that make servers hang on purpose.
TIMEOUT_ENV = "MOCK_OKTA_SCIM_TIMEOUT_SECONDS"


def timeout_seconds() -> float:
    """Okta's SCIM timeout, or the `MOCK_OKTA_SCIM_TIMEOUT_SECONDS` set for a run."""
    return float(os.environ.get(TIMEOUT_ENV, TIMEOUT_SECONDS))


@dataclass
class ScimResponse:
    """A successful (2xx) answer."""

    status: int
    body: object


class ScimError(Exception):
    """A failed SCIM call: the HTTP status (None when nothing came back) and Okta's wording."""

    def __init__(self, summary: str, *, status: int | None = None, retry_after: int | None = None):
        super().__init__(summary)
        self.summary = summary
        self.status = status
        self.retry_after = retry_after

    @property
    def rate_limited(self) -> bool:
        """429: Okta pauses the task and retries it later (§3.2)."""
        return self.status == 429


def _as_configured(request: requests.PreparedRequest) -> requests.PreparedRequest:
    """The session's auth: the request keeps the Authorization header the connection set."""
    return request


class ScimSession(requests.Session):
    """A keep-alive session whose environment settings (proxies, CA bundle) are read once per
    target. requests reads them from the environment for every request, about a tenth of the
    push engine's own time per SCIM call; the environment does not change while Okta runs.

    Okta sends the credential configured for the app and nothing else. Left to itself,
    requests would also look up ~/.netrc (or $NETRC) for every request, and an entry for the
    SCIM server's host would replace the configured Authorization header; a session-wide
    auth that changes nothing turns that lookup off (the proxy environment still applies)."""

    def __init__(self) -> None:
        super().__init__()
        self.auth = _as_configured
        self._environment: dict[tuple, dict] = {}

    def merge_environment_settings(self, url, proxies, stream, verify, cert):
        """requests' own settings, computed once per scheme, host and arguments."""
        parts = urlsplit(url)
        key = (
            parts.scheme,
            parts.netloc,
            tuple(sorted((proxies or {}).items())),
            stream,
            verify,
            cert,
        )
        if key not in self._environment:
            self._environment[key] = super().merge_environment_settings(
                url, proxies, stream, verify, cert
            )
        return dict(self._environment[key])


class ScimClient:
    """Calls one app's SCIM base URL with the connection's credentials."""

    def __init__(
        self,
        db: Database,
        connection: ScimConnection,
        *,
        event_id: int | None = None,
        session: requests.Session | None = None,
    ):
        self.db = db
        self.connection = connection
        self.event_id = event_id
        self.session = session or ScimSession()

    def get(self, path: str, params: dict | None = None) -> ScimResponse:
        """GET; query parameters are encoded with %20 for spaces, as Okta's 2024 client does."""
        query = f"?{urlencode(params, quote_via=quote)}" if params else ""
        return self.send("GET", f"{path}{query}")

    def post(self, path: str, body: dict) -> ScimResponse:
        """POST a SCIM body."""
        return self.send("POST", path, body)

    def put(self, path: str, body: dict) -> ScimResponse:
        """PUT a SCIM body."""
        return self.send("PUT", path, body)

    def patch(self, path: str, body: dict) -> ScimResponse:
        """PATCH with a PatchOp body."""
        return self.send("PATCH", path, body)

    def delete(self, path: str) -> ScimResponse:
        """DELETE."""
        return self.send("DELETE", path)

    def headers(self, with_body: bool) -> dict[str, str]:
        """Okta's request headers; Content-Type only when a body is sent."""
        headers = {
            "Accept": SCIM_JSON,
            "Accept-Charset": "utf-8",
            "User-Agent": USER_AGENT,
            "Authorization": self._authorization(),
        }
        if with_body:
            headers["Content-Type"] = f"{SCIM_JSON}; charset=utf-8"
        return headers

    def _authorization(self) -> str:
        if self.connection.auth_mode == "BASIC":
            pair = f"{self.connection.username or ''}:{self.connection.password or ''}"
            return "Basic " + base64.b64encode(pair.encode()).decode()
        # HTTP Header mode: the admin pastes the raw token and Okta adds "Bearer " (§1.1).
        return f"Bearer {self.connection.token or ''}"

    def send(self, method: str, path: str, body: dict | None = None) -> ScimResponse:
        """One request, recorded; 2xx returns, anything else raises ScimError."""
        if getattr(self.db.conn, "atomic_depth", 0):
            # A transaction held across a request would hold every other lane's writes (and
            # hide the request's log entry) for up to the 60 s timeout.
            raise RuntimeError("SCIM requests are sent outside database transactions")
        url = f"{self.connection.base_url}{path}"
        headers = self.headers(body is not None)
        data = wire_json(body) if body is not None else None
        exchange = self._record_request(method, url, headers, data)
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                url,
                headers=headers,
                data=data.encode("utf-8") if data is not None else None,
                timeout=timeout_seconds(),
            )
        except requests.RequestException as error:
            self._record_response(exchange, started, None, error=str(error))
            raise ScimError(_transport_summary(error)) from error
        self._record_response(exchange, started, response)
        if 200 <= response.status_code < 300:
            return ScimResponse(response.status_code, _json_or_none(response))
        raise ScimError(
            _error_summary(response),
            status=response.status_code,
            retry_after=_retry_after(response),
        )

    def _record_request(self, method: str, url: str, headers: dict, data: str | None) -> int:
        """Log the request before it goes out, so a cut-off one is still seen."""
        redacted = {**headers, "Authorization": headers["Authorization"].split(" ")[0] + " ***"}
        return wire_log.record_request(
            self.db,
            clock.now(self.db),
            app_id=self.connection.app_id,
            event_id=self.event_id,
            method=method,
            url=url,
            request_headers=redacted,
            request_body=data,
        )

    def _record_response(
        self,
        exchange: int,
        started: float,
        response: requests.Response | None,
        error: str | None = None,
    ) -> None:
        wire_log.record_response(
            self.db,
            exchange,
            status=response.status_code if response is not None else None,
            response_headers=dict(response.headers) if response is not None else None,
            response_body=_body_text(response) if response is not None else None,
            duration_ms=int((time.monotonic() - started) * 1000),
            error=error,
        )


def wire_json(body: dict) -> str:
    """A body as Okta's client writes it: compact, non-ASCII as is (sent as UTF-8).

    Okta's SCIM client is Java and parses with Jackson (its errors quote Jackson's messages,
    §3.1); Jackson's writer, by default, puts no spaces (`{"a":1}`) and does not escape
    non-ASCII characters. The bytes are UTF-8, as the Content-Type's charset says.
    """
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def _body_text(response: requests.Response) -> str:
    """The body as text for the log. A body without a charset is read as UTF-8 (JSON's
    encoding, RFC 8259 §8.1) rather than guessed from its bytes, which costs more than the
    rest of the logging."""
    if response.encoding is None:
        return response.content.decode("utf-8", errors="replace")
    return response.text


def _json_or_none(response: requests.Response) -> object:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def _error_summary(response: requests.Response) -> str:
    """`<reason>. Errors reported by remote server: <SCIM detail or the parse error>` (§3.1)."""
    detail = _remote_detail(response)
    return f"{_reason(response.status_code)}. Errors reported by remote server: {detail}"


def _remote_detail(response: requests.Response) -> str:
    text = response.text.strip()
    if not text:
        return "(empty response)"
    try:
        body = response.json()
    except ValueError:
        # Okta parses the body with Jackson; a non-JSON body surfaces as its parse error.
        token = text.split()[0][:40]
        return (
            f"Invalid JSON: Unrecognized token '{token}': was expecting (JSON String, "
            "Number, Array, Object or token 'null', 'true' or 'false')"
        )
    if isinstance(body, dict):
        return str(body.get("detail") or body.get("message") or body)
    return str(body)


def _retry_after(response: requests.Response) -> int | None:
    """Retry-After in whole seconds; an HTTP-date or garbage means 'not given' (§3.2)."""
    raw = response.headers.get("Retry-After")
    if raw and raw.strip().isdigit():
        return int(raw.strip())
    return None


def _transport_summary(error: requests.RequestException) -> str:
    # Guess: Okta's wording for an unreachable or silent server is not public.
    if isinstance(error, requests.Timeout):
        return "Read timed out. The remote server did not answer within 60 seconds"
    return "Could not connect to the remote server: connection refused"
