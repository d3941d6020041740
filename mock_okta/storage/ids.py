"""Okta-style 20-character ids: a 3-character type prefix and 17 random alphanumerics."""

import secrets
import string

_ALPHABET = string.ascii_letters + string.digits

#: Prefixes seen in Okta's examples (reference/okta.md §5.1).
USER, GROUP, APP, GROUP_RULE, PUSH_MAPPING = "00u", "00g", "0oa", "0pr", "gPm"
API_TOKEN, EXTERNAL_KEY, ORG = "00T", "exk", "00o"


def new_id(prefix: str, length: int = 20) -> str:
    """A new id such as `00ub0oNGTSWTBKOLGLNR`."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length - len(prefix)))
