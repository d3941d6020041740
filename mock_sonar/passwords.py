"""Password hashing: PBKDF2-SHA512, 100,000 rounds, as SonarQube stores local passwords."""

import os
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

#: SonarQube's rounds. The test suite lowers them (MOCK_SONAR_PBKDF2_ROUNDS) to stay fast;
#: the rounds are stored in each hash, so hashes made with other rounds still verify.
_ROUNDS_DEFAULT = 100_000


def hash_password(password: str) -> str:
    """A salted hash of the password; the clear text is never stored."""
    rounds = int(os.environ.get("MOCK_SONAR_PBKDF2_ROUNDS", _ROUNDS_DEFAULT))
    return generate_password_hash(password, method=f"pbkdf2:sha512:{rounds}")


@lru_cache(maxsize=512)
def check_password(stored_hash: str, password: str) -> bool:
    """Whether the password matches the stored hash.

    Cached per (hash, password) pair: Basic authentication checks the same pair on every
    request and PBKDF2 is deliberately slow. A changed password has a new salted hash.
    """
    return check_password_hash(stored_hash, password)
