"""The SCIM server's own errors: scim2-models' SCIMException family, rendered as RFC 7644 §3.12
error bodies (the SCIM server does not speak the Web API's error format)."""

from scim2_models import SCIMException


class ScimBadRequest(SCIMException):
    """400 with no scimType: a SonarQube rule refused the change (e.g. last administrator)."""

    status = 400


class ScimDisabled(SCIMException):
    """SCIM is switched off in SonarQube; status configurable (§3.5 [U], default 404)."""

    status = 404
    _default_detail = "SCIM is not enabled"
