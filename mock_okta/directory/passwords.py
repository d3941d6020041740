"""User passwords: salted PBKDF2 hashes (the clear text is never stored)."""

import os
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash


def hash_password(password: str) -> str:
    """A salted hash; the test suite lowers the rounds with MOCK_OKTA_PBKDF2_ROUNDS."""
    rounds = int(os.environ.get("MOCK_OKTA_PBKDF2_ROUNDS", "100000"))
    return generate_password_hash(password, method=f"pbkdf2:sha256:{rounds}")


@lru_cache(maxsize=512)
def check_password(stored_hash: str, password: str) -> bool:
    """Whether the password matches (cached: sign-ins repeat the same pair)."""
    return check_password_hash(stored_hash, password)
