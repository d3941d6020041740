"""Okta's `/api/v1` under generated requests, from the document it serves."""

import pytest
import schemathesis

import mock_okta
from tests.fuzz.conftest import CHECKS, KNOWN, SLOW_REQUEST, SSWS, configure, served_document

pytestmark = pytest.mark.fuzz

document = served_document(mock_okta.create_app, "/_mock/openapi/okta.json", SSWS)
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
