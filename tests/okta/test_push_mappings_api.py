"""Features (To App switches) and Group Push mappings through the official okta SDK.

reference/okta.md §5.6 (features) and §5.7 (Group Push Mappings API).
"""

import os

import pytest
from okta.models import (
    CreateGroupPushMappingRequest,
    UpdateFeatureForApplicationRequest,
    UpdateGroupPushMappingRequest,
)

os.environ.setdefault("MOCK_OKTA_PBKDF2_ROUNDS", "1000")

from tests.okta.api_helpers import (
    SSWS,
    create_app,
    create_group,
    enable_provisioning,
    error_of,
    events,
    log_types,
    ok,
    raw,
)

ALL_SWITCHES = {
    "create": {"lifecycleCreate": {"status": "ENABLED"}},
    "update": {
        "lifecycleDeactivate": {"status": "ENABLED"},
        "profile": {"status": "ENABLED"},
        "password": {"status": "ENABLED", "seed": "RANDOM", "change": "CHANGE"},
    },
}


@pytest.fixture
def sonar(sdk):
    """The SonarQube SAML app (provisioning not yet enabled)."""
    app, _ = create_app(sdk)
    return app


@pytest.fixture
def provisioned(sonar, okta_app):
    """The SonarQube app with SCIM provisioning and Push Groups enabled."""
    enable_provisioning(okta_app, sonar.id)
    return sonar


def push(sdk, app_id: str, **body):
    request = CreateGroupPushMappingRequest.from_dict(body)
    mapping, resp = ok(sdk(lambda c: c.create_group_push_mapping(app_id, request)))
    return mapping, raw(resp), resp


def set_status(sdk, app_id: str, mapping_id: str, status: str):
    request = UpdateGroupPushMappingRequest.from_dict({"status": status})
    mapping, _ = ok(sdk(lambda c: c.update_group_push_mapping(app_id, mapping_id, request)))
    return mapping


# --- features -----------------------------------------------------------------------------------


def test_features_need_provisioning(sdk, sonar):
    for call in (
        lambda c: c.list_features_for_application(sonar.id),
        lambda c: c.get_feature_for_application(sonar.id, "USER_PROVISIONING"),
    ):
        err = error_of(sdk(call))
        assert (err.status, err.error_code, err.error_summary) == (
            400,
            "E0000001",
            "Api validation failed: feature",
        )
        assert err.error_causes == [
            {"errorSummary": "Provisioning is not enabled for the app instance."}
        ]


def test_user_provisioning_starts_with_every_switch_off(sdk, provisioned, okta_url):
    features, resp = ok(sdk(lambda c: c.list_features_for_application(provisioned.id)))
    assert [f.name.value for f in features] == ["USER_PROVISIONING"]
    body = raw(resp)[0]
    assert body["status"] == "ENABLED"
    assert body["description"] == "User provisioning settings from Okta to a downstream application"
    assert body["capabilities"] == {
        "create": {"lifecycleCreate": {"status": "DISABLED"}},
        "update": {
            "profile": {"status": "DISABLED"},
            "lifecycleDeactivate": {"status": "DISABLED"},
            "password": {"status": "DISABLED", "seed": "RANDOM", "change": "KEEP_EXISTING"},
        },
    }
    assert body["_links"]["self"] == {
        "href": f"{okta_url}/api/v1/apps/{provisioned.id}/features/USER_PROVISIONING",
        "hints": {"allow": ["GET", "PUT"]},
    }


def test_to_app_switches(sdk, provisioned):
    request = UpdateFeatureForApplicationRequest.from_dict(ALL_SWITCHES)
    _feature, resp = ok(
        sdk(
            lambda c: c.update_feature_for_application(provisioned.id, "USER_PROVISIONING", request)
        )
    )
    assert raw(resp)["capabilities"]["update"]["password"] == {
        "status": "ENABLED",
        "seed": "RANDOM",
        "change": "CHANGE",
    }
    partial = UpdateFeatureForApplicationRequest.from_dict(
        {"update": {"profile": {"status": "DISABLED"}}}
    )
    _, resp = ok(
        sdk(
            lambda c: c.update_feature_for_application(provisioned.id, "USER_PROVISIONING", partial)
        )
    )
    capabilities = raw(resp)["capabilities"]
    assert capabilities["update"]["profile"] == {"status": "DISABLED"}
    assert capabilities["create"]["lifecycleCreate"] == {"status": "ENABLED"}
    _fetched, resp = ok(
        sdk(lambda c: c.get_feature_for_application(provisioned.id, "USER_PROVISIONING"))
    )
    assert raw(resp)["capabilities"] == capabilities
    app, _ = ok(sdk(lambda c: c.get_application(provisioned.id)))
    assert app.features == [
        "PUSH_NEW_USERS",
        "PUSH_USER_DEACTIVATION",
        "PUSH_PASSWORD_UPDATES",
        "REACTIVATE_USERS",
        "GROUP_PUSH",
    ]


def test_invalid_switch_value(okta, provisioned):
    response = okta.put(
        f"/api/v1/apps/{provisioned.id}/features/USER_PROVISIONING",
        headers=SSWS,
        json={"create": {"lifecycleCreate": {"status": "ON"}}},
    )
    assert (response.status_code, response.get_json()["errorCode"]) == (400, "E0000001")


# --- group push mappings ------------------------------------------------------------------------


def test_push_by_name_creates_an_app_group(sdk, provisioned, okta_url, okta_app):
    developers = create_group(sdk, "sonar-developers")
    mapping, body, resp = push(
        sdk,
        provisioned.id,
        sourceGroupId=developers.id,
        status="ACTIVE",
        targetGroupName="sonar-developers",
    )
    assert resp.status_code == 201
    assert mapping.id.startswith("gPm")
    assert len(mapping.id) == 20
    assert (mapping.status, mapping.source_group_id) == ("ACTIVE", developers.id)
    assert body["errorSummary"] == ""
    assert body["lastPush"] is None
    assert body["_links"] == {
        "app": {"href": f"{okta_url}/api/v1/apps/{provisioned.id}"},
        "sourceGroup": {"href": f"{okta_url}/api/v1/groups/{developers.id}"},
        "targetGroup": {"href": f"{okta_url}/api/v1/groups/{mapping.target_group_id}"},
    }
    target, resp = ok(sdk(lambda c: c.get_group(mapping.target_group_id)))
    assert target.type.value == "APP_GROUP"
    assert raw(resp)["profile"]["name"] == "sonar-developers"
    assert raw(resp)["source"] == {"id": provisioned.id}
    assert events(okta_app, provisioned.id) == [
        (
            "PUSH_MAPPING_CREATED",
            {
                "mappingId": mapping.id,
                "sourceGroupId": developers.id,
                "targetGroupId": mapping.target_group_id,
            },
        )
    ]
    assert "application.provision.group_push.mapping.created" in log_types(okta_app)


def test_push_by_id_links_an_existing_app_group(sdk, provisioned):
    developers, qa = create_group(sdk, "sonar-developers"), create_group(sdk, "sonar-qa")
    first, _, _ = push(
        sdk,
        provisioned.id,
        sourceGroupId=developers.id,
        targetGroupName="sonar-team",
        status="INACTIVE",
    )
    linked, _, _ = push(
        sdk, provisioned.id, sourceGroupId=qa.id, targetGroupId=first.target_group_id
    )
    assert linked.target_group_id == first.target_group_id
    assert linked.status == "ACTIVE"  # the default


def test_list_filters_and_paging(sdk, provisioned):
    names = ("sonar-a", "sonar-b", "sonar-c")
    groups = [create_group(sdk, name) for name in names]
    mappings = [
        push(sdk, provisioned.id, sourceGroupId=g.id, targetGroupName=name, status=status)[0]
        for g, name, status in zip(groups, names, ("ACTIVE", "INACTIVE", "ACTIVE"), strict=True)
    ]
    listed, _ = ok(sdk(lambda c: c.list_group_push_mappings(provisioned.id)))
    assert [m.id for m in listed] == [m.id for m in mappings]
    active, _ = ok(sdk(lambda c: c.list_group_push_mappings(provisioned.id, status="ACTIVE")))
    assert [m.id for m in active] == [mappings[0].id, mappings[2].id]
    by_source, _ = ok(
        sdk(lambda c: c.list_group_push_mappings(provisioned.id, source_group_id=groups[1].id))
    )
    assert [m.id for m in by_source] == [mappings[1].id]
    since, _ = ok(
        sdk(
            lambda c: c.list_group_push_mappings(
                provisioned.id, last_updated="2000-01-01T00:00:00Z"
            )
        )
    )
    assert len(since) == 3
    page, resp = ok(sdk(lambda c: c.list_group_push_mappings(provisioned.id, limit=2)))
    assert [m.id for m in page] == [mappings[0].id, mappings[1].id]
    assert f"after={mappings[1].id}" in resp.headers["Link"]
    got, _ = ok(sdk(lambda c: c.get_group_push_mapping(provisioned.id, mappings[2].id)))
    assert got.source_group_id == groups[2].id


def test_deactivate_activate_and_delete(sdk, provisioned, okta_app):
    developers = create_group(sdk, "sonar-developers")
    mapping, _, _ = push(
        sdk, provisioned.id, sourceGroupId=developers.id, targetGroupName="sonar-developers"
    )
    err = error_of(sdk(lambda c: c.delete_group_push_mapping(provisioned.id, mapping.id, True)))
    assert (err.status, err.error_code) == (403, "E0000006")

    assert set_status(sdk, provisioned.id, mapping.id, "INACTIVE").status == "INACTIVE"
    assert set_status(sdk, provisioned.id, mapping.id, "ACTIVE").status == "ACTIVE"
    set_status(sdk, provisioned.id, mapping.id, "INACTIVE")
    _, resp, err = sdk(lambda c: c.delete_group_push_mapping(provisioned.id, mapping.id, True))
    assert err is None
    assert resp.status_code == 204
    err = error_of(sdk(lambda c: c.get_group_push_mapping(provisioned.id, mapping.id)))
    assert (err.status, err.error_code) == (404, "E0000007")

    assert [kind for kind, _ in events(okta_app, provisioned.id)] == [
        "PUSH_MAPPING_CREATED",
        "PUSH_MAPPING_ACTIVATED",
        "PUSH_MAPPING_DELETED",
    ]
    _, deleted = events(okta_app, provisioned.id)[-1]
    assert deleted["deleteTargetGroup"] is True
    assert deleted["targetGroupId"] == mapping.target_group_id
    types = log_types(okta_app)
    assert types.count("application.provision.group_push.deactivate_mapping") == 2
    assert types.count("application.provision.group_push.activate_mapping") == 1


def test_delete_needs_delete_target_group(okta, sdk, provisioned):
    developers = create_group(sdk, "sonar-developers")
    mapping, _, _ = push(
        sdk,
        provisioned.id,
        sourceGroupId=developers.id,
        targetGroupName="sonar-developers",
        status="INACTIVE",
    )
    response = okta.delete(
        f"/api/v1/apps/{provisioned.id}/group-push/mappings/{mapping.id}", headers=SSWS
    )
    assert response.status_code == 400
    body = response.get_json()
    assert body["errorCode"] == "E0000028"
    assert body["errorSummary"] == (
        "The request is missing a required parameter: deleteTargetGroup"
    )


@pytest.mark.parametrize(
    ("body", "code", "summary"),
    [
        ({"targetGroupName": "x"}, "E0000001", "Api validation failed: sourceGroupId"),
        ({"sourceGroupId": "SOURCE"}, "E0000001", "Api validation failed: targetGroupId"),
        (
            {"sourceGroupId": "SOURCE", "targetGroupName": "x", "targetGroupId": "00g1"},
            "E0000001",
            "Api validation failed: targetGroupId",
        ),
        (
            {"sourceGroupId": "SOURCE", "targetGroupName": "x", "status": "ERROR"},
            "E0000001",
            "Api validation failed: status",
        ),
    ],
)
def test_create_validation(okta, sdk, provisioned, body, code, summary):
    source = create_group(sdk, "sonar-developers")
    if body.get("sourceGroupId") == "SOURCE":
        body = {**body, "sourceGroupId": source.id}
    response = okta.post(
        f"/api/v1/apps/{provisioned.id}/group-push/mappings", headers=SSWS, json=body
    )
    assert response.status_code == 400
    assert (response.get_json()["errorCode"], response.get_json()["errorSummary"]) == (
        code,
        summary,
    )


def test_a_group_is_pushed_once_and_only_okta_groups_are_pushed(okta, sdk, provisioned):
    developers = create_group(sdk, "sonar-developers")
    push(sdk, provisioned.id, sourceGroupId=developers.id, targetGroupName="sonar-developers")
    request = CreateGroupPushMappingRequest.from_dict(
        {"sourceGroupId": developers.id, "targetGroupName": "again"}
    )
    err = error_of(sdk(lambda c: c.create_group_push_mapping(provisioned.id, request)))
    assert (err.status, err.error_code) == (400, "E0000027")
    assert err.error_summary.startswith("Group push bad request : ")
    everyone = next(iter(ok(sdk(lambda c: c.list_groups(q="Everyone")))[0]))
    request = CreateGroupPushMappingRequest.from_dict(
        {"sourceGroupId": everyone.id, "targetGroupName": "everyone"}
    )
    err = error_of(sdk(lambda c: c.create_group_push_mapping(provisioned.id, request)))
    assert err.error_code == "E0000027"


def test_push_groups_needs_provisioning_with_push_groups(sdk, sonar, okta_app):
    developers = create_group(sdk, "sonar-developers")
    request = CreateGroupPushMappingRequest.from_dict(
        {"sourceGroupId": developers.id, "targetGroupName": "sonar-developers"}
    )
    err = error_of(sdk(lambda c: c.create_group_push_mapping(sonar.id, request)))
    assert (err.status, err.error_code) == (400, "E0000001")
    assert err.error_causes == [
        {"errorSummary": "Provisioning is not enabled for the app instance."}
    ]
    enable_provisioning(okta_app, sonar.id, actions=("PUSH_NEW_USERS",))
    err = error_of(sdk(lambda c: c.create_group_push_mapping(sonar.id, request)))
    assert (err.status, err.error_code) == (400, "E0000027")


def test_pushed_app_group_cannot_be_deleted(sdk, provisioned):
    developers = create_group(sdk, "sonar-developers")
    mapping, _, _ = push(
        sdk, provisioned.id, sourceGroupId=developers.id, targetGroupName="sonar-developers"
    )
    err = error_of(sdk(lambda c: c.delete_group(mapping.target_group_id)))
    assert err.status == 400
