"""The OpenAPI documents of SonarQube's APIs the simulator serves: Web API v2 where SonarQube
serves its own (`/api/v2/api-docs`), Web API v1 and SCIM under `/_mock/openapi/`."""

import re

import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator

from tests.conftest import ADMIN

DOCUMENTS = {
    "/api/v2/api-docs": "",
    "/_mock/openapi/web-api-v1.json": "",
    "/_mock/openapi/scim.json": "/api/scim/v2",
}


def _document(sonar, url: str) -> dict:
    response = sonar.get(url, headers=ADMIN)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


@pytest.mark.parametrize("url", DOCUMENTS)
def test_each_document_is_valid_openapi_served_for_this_instance(sonar, url):
    document = _document(sonar, url)
    assert list(OpenAPIV30SpecValidator(document).iter_errors()) == []
    assert document["servers"] == [{"url": f"http://sonar.test{DOCUMENTS[url]}"}]


@pytest.mark.parametrize("url", DOCUMENTS)
def test_each_document_asks_for_credentials(sonar, url):
    response = sonar.get(url)
    assert response.status_code == 401
    assert response.get_data() == b""


def _template(path: str) -> str:
    return re.sub(r"\{[^}]+\}|<[^>]+>", "{}", path)


def test_every_route_of_the_apis_is_documented_once(sonar_app, sonar):
    documented = []
    for url, prefix in DOCUMENTS.items():
        for path, item in _document(sonar, url)["paths"].items():
            methods = set(item) - {"parameters"}
            documented += [(method.upper(), _template(prefix + path)) for method in methods]
    routed = set()
    for rule in sonar_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule == "/api/v2/api-docs":
            continue
        methods = rule.methods - {"HEAD", "OPTIONS"}
        if {"GET", "POST"} <= methods:  # v1 read actions also accept POST; documented as GET
            methods = {"GET"}
        routed |= {(method, _template(rule.rule)) for method in methods}
    assert len(documented) == len(set(documented))
    assert set(documented) == routed
