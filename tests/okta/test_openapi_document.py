"""The OpenAPI document of `/api/v1` the org serves at `/_mock/openapi/okta.json`."""

import re

import pytest
from openapi_spec_validator import OpenAPIV30SpecValidator

from mock_okta import openapi
from tests.okta.api_helpers import SSWS

DOCUMENT = "/_mock/openapi/okta.json"


@pytest.fixture
def document(okta_app) -> dict:
    response = okta_app.test_client().get(DOCUMENT, headers=SSWS)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_the_document_asks_for_the_api_token(okta_app):
    response = okta_app.test_client().get(DOCUMENT)
    assert response.status_code == 401
    assert response.get_json()["errorCode"] == "E0000011"


def test_the_document_is_valid_openapi(document):
    assert list(OpenAPIV30SpecValidator(document).iter_errors()) == []


def test_the_document_is_served_for_the_org_with_ssws_only(document):
    assert document["servers"] == [{"url": "http://okta.test"}]
    assert document["components"]["securitySchemes"] == {
        "apiToken": openapi.published_description()["components"]["securitySchemes"]["apiToken"]
    }
    securities = {
        str(operation["security"])
        for item in document["paths"].values()
        for method, operation in item.items()
        if method != "parameters"
    }
    assert securities == {"[{'apiToken': []}]"}


def test_every_route_of_the_api_is_a_documented_operation(okta_app, document):
    adapter = okta_app.url_map.bind("localhost")
    documented = {
        (method.upper(), adapter.match(re.sub(r"\{[^}]+\}", "x0", path), method=method.upper())[0])
        for path, item in document["paths"].items()
        for method in item
        if method != "parameters"
    }
    routed = {
        (method, rule.endpoint)
        for rule in okta_app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    # Okta's description has no path of its own for `me`: it is `/api/v1/users/{id}`.
    assert routed - documented == {("GET", "api_users.get_current_user")}
    assert documented <= routed


def test_only_the_operations_the_org_implements_are_kept(document):
    assert "/api/v1/users/{id}/lifecycle/reset_factors" in openapi.published_description()["paths"]
    assert "/api/v1/users/{id}/lifecycle/reset_factors" not in document["paths"]
    assert set(document["paths"]["/api/v1/users/{id}/lifecycle/suspend"]) == {"parameters", "post"}


def test_every_kept_component_is_referenced(document):
    text = str({key: value for key, value in document.items() if key != "components"})
    text += str(document["components"])
    for kind, components in document["components"].items():
        if kind == "securitySchemes":
            continue
        for name in components:
            assert f"#/components/{kind}/{name}'" in text, (kind, name)


def test_known_defects_are_patched_in_what_is_served(document):
    schemas = document["components"]["schemas"]
    assert schemas["AppUser"]["properties"]["externalId"]["nullable"] is True
    assert "pattern" not in schemas["TimeDuration"]
    suspend = document["paths"]["/api/v1/users/{id}/lifecycle/suspend"]["post"]
    assert suspend["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "object",
        "maxProperties": 0,
    }
    assert {"400", "401", "403", "404", "429"} <= set(suspend["responses"])
