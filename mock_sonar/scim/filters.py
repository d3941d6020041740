"""The only filters SonarQube understands: `userName eq "x"` and `displayName eq "x"` (§3.4).

ScimUserQuery / ScimGroupQuery match the whole filter against one regular expression;
anything else (`and`, `co`, `sw`, other attributes) is refused with SonarQube's message.
"""

import re

from scim2_models import InvalidFilterException

_USER_FILTER = re.compile(r'^userName\s+eq\s+"([^"]*?)"$', re.IGNORECASE)
_GROUP_FILTER = re.compile(r'^displayName\s+eq\s+"([^"]*?)"$', re.IGNORECASE)


def parse_user_filter(text: str | None) -> str | None:
    """The userName a Users filter asks for, None without a filter."""
    if text is None:
        return None
    match = _USER_FILTER.match(text.strip())
    if not match:
        raise InvalidFilterException(
            detail=f"Unsupported filter value: {text}. Format should be 'userName eq \"username\"'"
        )
    return match.group(1)


def parse_group_filter(text: str | None) -> str | None:
    """The displayName a Groups filter asks for, None without a filter."""
    if text is None:
        return None
    match = _GROUP_FILTER.match(text.strip())
    if not match:
        raise InvalidFilterException(
            detail=f"Unsupported filter or value: {text}. The only supported filter and "
            'operator is \'displayName eq "displayName"'
        )
    return match.group(1)
