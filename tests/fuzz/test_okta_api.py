"""Okta's `/api/v1` under generated requests, from the document it serves."""

import pytest
import schemathesis

import mock_okta
from tests.fuzz.conftest import CHECKS, KNOWN, SLOW_REQUEST, SSWS, configure, served_document

pytestmark = pytest.mark.fuzz

document = served_document(mock_okta.create_app, "/_mock/openapi/okta.json", SSWS)
# Okta's two examples for updating an app user fail their own schema (the body is a oneOf of
# two payloads the profile example matches both of, or neither). schemathesis then tries to
# complete each by drawing a whole body, ~7 s apiece at collection in every worker, and still
# finds none valid: they are left out. The generated requests still cover the operation.
APP_USER_UPDATE = document["paths"]["/api/v1/apps/{appId}/users/{userId}"]["post"]
APP_USER_UPDATE["requestBody"]["content"]["application/json"].pop("examples")
# The path parameters' own examples start a third such example (a body is still needed): the
# operation gets copies of them without one.
APP_USER_UPDATE["parameters"] = [
    {**parameter, "schema": {"type": "string"}}
    for parameter in (
        document["components"]["parameters"][reference["$ref"].rsplit("/", 1)[-1]]
        for reference in document["paths"]["/api/v1/apps/{appId}/users/{userId}"]["parameters"]
    )
]
schema = configure(schemathesis.openapi.from_dict(document), KNOWN).exclude(
    # Revokes the token the run is authenticated with: every later request would be a 401.
    # tests/contract/test_okta_openapi.py calls it, once, last.
    method="DELETE",
    path="/api/v1/api-tokens/current",
)


@schema.parametrize()
@SLOW_REQUEST
def test_okta_api(case, okta_fuzz_app):
    case.call_and_validate(app=okta_fuzz_app, headers=SSWS, checks=CHECKS)
