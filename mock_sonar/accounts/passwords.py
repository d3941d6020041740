"""Passwords: PBKDF2-SHA512 hashes (100,000 rounds, as SonarQube stores them) and the policy."""

import os
import re
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

from mock_sonar.errors import BadRequest

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


#: The password policy (§1): ChangePasswordAction's checks, in its order, with its messages.
MIN_LENGTH = 12
_POLICY = (
    (re.compile(r"[A-Z]"), "Password must contain at least one uppercase character"),
    (re.compile(r"[a-z]"), "Password must contain at least one lowercase character"),
    (re.compile(r"\d"), "Password must contain at least one digit"),
    (re.compile(r"[^a-zA-Z0-9]"), "Password must contain at least one special character"),
)


def check_password_format(password: str) -> None:
    """ChangePasswordAction.assertPasswordFormatIsValid: 400 with the first rule broken."""
    if len(password) < MIN_LENGTH:
        raise BadRequest(f"Password must be at least {MIN_LENGTH} characters long")
    for pattern, message in _POLICY:
        if not pattern.search(password):
            raise BadRequest(message)


def meets_policy(password: str) -> bool:
    """Whether the password passes every rule of the policy."""
    try:
        check_password_format(password)
    except BadRequest:
        return False
    return True
