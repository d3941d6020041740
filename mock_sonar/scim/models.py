"""The SCIM resource models this server accepts, from scim2-models.

SonarQube checks only an email's length, while pydantic's EmailStr refuses special-use
domains such as the `test.user@okta.local` of Okta's own SCIM examples; the User model here
takes any string as an email value. Okta's enterprise-extension attributes are accepted (and
ignored).
"""

from typing import Annotated

from pydantic import Field
from scim2_models import Email, EnterpriseUser, Manager, Reference, ScimPolicy, User


class LenientEmail(Email):
    """An email whose value is any string."""

    value: str | None = None


class LenientManager(Manager):
    """A manager without `$ref`: Okta's enterprise mapping sends `value` and `displayName`."""

    ref: Annotated[Reference[User] | None, Field(alias="$ref")] = None


class LenientEnterpriseUser(EnterpriseUser):
    """The enterprise extension as IdPs send it."""

    manager: LenientManager | None = None


class ScimUser(User[LenientEnterpriseUser]):
    """A User with lenient emails and the enterprise extension."""

    emails: list[LenientEmail] | None = None


#: What the server tolerates from IdPs: unknown attributes are ignored (SonarQube keeps only
#: what it maps), Entra's `remove` with a value list removes those members, and Entra's
#: `emails[type eq "work"].value` replace on a user without such an email creates it.
IDP_TOLERANT = ScimPolicy(
    unknown=ScimPolicy.Unknown.ignore,
    remove_value_as_filter=ScimPolicy.RemoveValue.apply,
    unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
)
