"""SonarQube's Web API v1 and v2 and its SCIM server under generated requests, from the
documents it serves."""

import pytest
import schemathesis

import mock_sonar
from tests.fuzz.conftest import (
    CHECKS,
    MAX_EXAMPLES,
    SCIM_KNOWN,
    SLOW_REQUEST,
    SONAR_ADMIN,
    SONAR_KNOWN,
    configure,
    served_document,
)

pytestmark = pytest.mark.fuzz


def _schema(url: str, known: dict):
    document = served_document(mock_sonar.create_app, url, SONAR_ADMIN)
    # Half as many again as Okta's: SonarQube's documents are small, its requests cheap.
    return configure(schemathesis.openapi.from_dict(document), known, 3 * MAX_EXAMPLES // 2)


web_api_v1 = _schema("/_mock/openapi/web-api-v1.json", SONAR_KNOWN)
web_api_v2 = _schema("/api/v2/api-docs", SONAR_KNOWN)
scim = _schema("/_mock/openapi/scim.json", SCIM_KNOWN)


@web_api_v1.parametrize()
@SLOW_REQUEST
def test_web_api_v1(case, sonar_fuzz_app, sonar_token):
    case.call_and_validate(app=sonar_fuzz_app, headers=sonar_token, checks=CHECKS)


@web_api_v2.parametrize()
@SLOW_REQUEST
def test_web_api_v2(case, sonar_fuzz_app, sonar_token):
    case.call_and_validate(app=sonar_fuzz_app, headers=sonar_token, checks=CHECKS)


@scim.parametrize()
@SLOW_REQUEST
def test_scim(case, scim_fuzz_app, scim_token):
    case.call_and_validate(app=scim_fuzz_app, headers=scim_token, checks=CHECKS)
