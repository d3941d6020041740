"""Generated requests against the apps' own OpenAPI documents (schemathesis, property-based).

Each app runs in process on a database seeded from fixtures/default.json; the tests are
parametrized by the operations of the document the app serves, schemathesis generates requests
from it and checks every response against it. The runs are bounded (the documents' examples,
then `MAX_EXAMPLES` generated requests per operation) and deterministic (derandomized, no
example database), so CI sends the same requests every time.

Random ids only ever find nothing, so path parameters and the fields that name a user or a
group are also drawn from the fixture's own (`KNOWN`): the requests then reach the code behind
the 404. The credential the run uses, its owner and the administrators' group are never among
them, so no generated request can lock the run out.
"""

import base64
import json
import os
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import hypothesis
import pytest
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

os.environ.setdefault("MOCK_OKTA_PBKDF2_ROUNDS", "1000")
os.environ.setdefault("MOCK_SONAR_PBKDF2_ROUNDS", "1000")

import mock_okta
import mock_sonar
from mock_common import clock
from mock_common.db import connect
from mock_okta import fixtures as okta_fixtures
from mock_okta.config import DEFAULT_API_TOKEN
from mock_sonar import fixtures as sonar_fixtures
from tests.conftest import fixture_variables

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "default.json"
SSWS = {"Authorization": f"SSWS {DEFAULT_API_TOKEN}"}
SONAR_ADMIN = {"Authorization": "Basic " + base64.b64encode(b"admin:admin").decode()}
#: What every response to a generated request must satisfy.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: Generated requests per operation, after the documents' own examples: sized so the whole
#: group takes well under 90 s on two cores; DEVENV_FUZZ_EXAMPLES=200 for a longer hunt.
MAX_EXAMPLES = int(os.environ.get("DEVENV_FUZZ_EXAMPLES", "10"))
#: A guard against a hang, not a speed test: a request in process takes milliseconds.
SLOW_REQUEST = hypothesis.settings(deadline=timedelta(seconds=5))

#: Values a generated field of that name is also drawn from. Okta's are the fixture's ids
#: (not the API token's owner, admin@example.com, nor any token id).
KNOWN: dict[str, list[str]] = {
    "id": ["00ualicemartin000001", "00ubobnguyen00000002", "00ukatenovak00000011"],
    "userId": ["00ualicemartin000001", "00ubobnguyen00000002", "00ukatenovak00000011"],
    "appId": ["0oasonarqubedevenv01"],
    "groupId": ["00gsonarqa0000000002", "00gsales000000000005", "00gsonardevelopers01"],
    "groupRuleId": ["0prengineeringdept01"],
    "featureName": ["USER_PROVISIONING"],
}
#: SonarQube's, found once its app is seeded (ids are made at seed time): logins, group
#: names and v2 ids (never `admin`'s nor `sonar-administrators`').
SONAR_KNOWN: dict[str, list[str]] = {}
#: The SCIM server's: the ids of the SCIM user and group made at start, names of the fixture's.
SCIM_KNOWN: dict[str, list[str]] = {}


def drawn_from_known(values: dict, known: dict[str, list[str]]) -> st.SearchStrategy:
    """Each generated value, or one of the known values of its name."""
    if not isinstance(values, dict):
        return st.just(values)
    return st.fixed_dictionaries(
        {key: st.sampled_from([value, *known.get(key, [])]) for key, value in values.items()}
    )


def served_document(create_app: Callable, url: str, headers: dict[str, str]) -> dict:
    """The document an app serves, fetched at collection time (the tests are parametrized by
    its operations) from a throwaway app: it does not depend on the app's data."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"DATABASE": os.path.join(folder, "db.sqlite3")})
        response = app.test_client().get(url, headers=headers)
    assert response.status_code == 200, response.get_data()
    return response.get_json()


def configure(schema, known: dict[str, list[str]], max_examples: int = MAX_EXAMPLES):
    """Bounded and deterministic; valid and invalid requests (by the document) alike; known
    values mixed into path parameters, query and body. The credential is the test's
    (`call_and_validate(headers=...)`), never a generated one."""
    schema.config.phases.update(phases=["examples", "fuzzing"])
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=max_examples,
        deterministic=True,
        no_shrink=True,
        database="none",
        with_security_parameters=False,
    )
    for part in ("path_parameters", "query", "body"):
        schema.hook(_known_values_hook(part, known))
    return schema


def _known_values_hook(part: str, known: dict[str, list[str]]) -> Callable:
    def flatmap(_context, values: object) -> st.SearchStrategy:
        return drawn_from_known(values, known)

    flatmap.__name__ = f"flatmap_{part}"
    return flatmap


def _seeded(create_app: Callable, seed: Callable, database: Path, devenv_keys: str):
    app = create_app({"DATABASE": str(database), "BASE_URL": "http://localhost"})
    db = connect(str(database))
    seed(db, clock.now(db), json.loads(FIXTURE.read_text()), fixture_variables(devenv_keys))
    db.conn.close()
    return app


@pytest.fixture(scope="module")
def okta_fuzz_app(tmp_path_factory, devenv_keys):
    """The org of fixtures/default.json, in process."""
    database = tmp_path_factory.mktemp("fuzz-okta") / "okta.sqlite3"
    return _seeded(mock_okta.create_app, okta_fixtures.seed, database, devenv_keys)


@pytest.fixture(scope="module")
def sonar_fuzz_app(tmp_path_factory, devenv_keys):
    """The SonarQube of fixtures/default.json (SCIM off), in process; what it knows in
    `SONAR_KNOWN`."""
    database = tmp_path_factory.mktemp("fuzz-sonar") / "sonar.sqlite3"
    app = _seeded(mock_sonar.create_app, sonar_fixtures.seed, database, devenv_keys)
    client = app.test_client()
    users = client.get("/api/v2/users-management/users", headers=SONAR_ADMIN).get_json()
    groups = client.get("/api/v2/authorizations/groups", headers=SONAR_ADMIN).get_json()
    others = [u for u in users["users"] if u["login"] != "admin"]
    local = [g for g in groups["groups"] if g["name"] != "sonar-administrators"]
    SONAR_KNOWN.update(
        id=[u["id"] for u in others] + [g["id"] for g in local],
        userId=[u["id"] for u in others],
        groupId=[g["id"] for g in local],
        login=[u["login"] for u in others],
        name=[g["name"] for g in local],
        currentName=[g["name"] for g in local],
    )
    return app


@pytest.fixture(scope="module")
def sonar_token(sonar_fuzz_app) -> dict[str, str]:
    """A user token of `admin` (a password change by a generated request leaves it alone)."""
    return _admin_token(sonar_fuzz_app)


@pytest.fixture(scope="module")
def scim_fuzz_app(tmp_path_factory, devenv_keys):
    """The SonarQube of fixtures/default.json with SCIM on, one SCIM user and one SCIM group."""
    database = tmp_path_factory.mktemp("fuzz-scim") / "sonar.sqlite3"
    app = _seeded(mock_sonar.create_app, sonar_fixtures.seed, database, devenv_keys)
    client = app.test_client()
    assert client.post("/api/scim_management/enable", headers=SONAR_ADMIN).status_code == 204
    scim = {**SONAR_ADMIN, "Content-Type": "application/scim+json"}
    user = client.post(
        "/api/scim/v2/Users",
        headers=scim,
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "alice.martin@example.com",
            "emails": [{"value": "alice.martin@example.com", "primary": True}],
        },
    ).get_json()
    group = client.post(
        "/api/scim/v2/Groups",
        headers=scim,
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "sonar-qa",
            "members": [{"value": user["id"]}],
        },
    ).get_json()
    SCIM_KNOWN.update(
        id=[user["id"], group["id"]],
        value=[user["id"]],
        userName=["alice.martin@example.com", "bob.nguyen@example.com"],
        displayName=["sonar-qa", "sonar-developers"],
    )
    return app


@pytest.fixture(scope="module")
def scim_token(scim_fuzz_app) -> dict[str, str]:
    """A user token of `admin`, the local administrator the guide recommends for SCIM."""
    return _admin_token(scim_fuzz_app)


def _admin_token(app) -> dict[str, str]:
    response = app.test_client().post(
        "/api/user_tokens/generate", data={"name": "fuzzing-run"}, headers=SONAR_ADMIN
    )
    assert response.status_code == 200, response.get_data()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}
