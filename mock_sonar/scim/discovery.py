"""Discovery endpoints (RFC 7644 §4): ServiceProviderConfig, ResourceTypes, Schemas.

Nothing public says whether SonarQube serves them (§3.2 [U]); the simulator serves minimal,
truthful documents, switchable with SCIM_DISCOVERY. Okta does not call them.
"""

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Context,
    ETag,
    Filter,
    Group,
    Meta,
    Patch,
    ResourceType,
    ServiceProviderConfig,
    Sort,
    User,
)

RESOURCES = {"User": User, "Group": Group}


def service_provider_config(base_url: str, max_results: int) -> dict:
    """What this server supports: PATCH and the two `eq` filters; no bulk, sort, etag."""
    config = ServiceProviderConfig(
        documentation_uri="https://docs.sonarsource.com/sonarqube-server/latest/"
        "instance-administration/authentication/saml/scim/overview",
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=max_results),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[
            AuthenticationScheme(
                type="oauthbearertoken",
                name="OAuth Bearer Token",
                description="A SonarQube user token of a user with 'Administer System'",
                primary=True,
            )
        ],
        meta=Meta(
            resource_type="ServiceProviderConfig",
            location=f"{base_url}/api/scim/v2/ServiceProviderConfig",
        ),
    )
    return config.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE)


def resource_types(base_url: str) -> list[dict]:
    """The User and Group resource types."""
    result = []
    for name, model in RESOURCES.items():
        resource_type = ResourceType.from_resource(model)
        resource_type.meta = Meta(
            resource_type="ResourceType", location=f"{base_url}/api/scim/v2/ResourceTypes/{name}"
        )
        result.append(resource_type.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    return result


def schemas(base_url: str) -> list[dict]:
    """The core User and Group schemas."""
    result = []
    for model in RESOURCES.values():
        schema = model.to_schema()
        schema.meta = Meta(
            resource_type="Schema", location=f"{base_url}/api/scim/v2/Schemas/{schema.id}"
        )
        result.append(schema.model_dump(scim_ctx=Context.RESOURCE_QUERY_RESPONSE))
    return result
