"""Password hashing with Argon2 (pwdlib)."""

from __future__ import annotations

from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_PASSWORD_LENGTH = 10


@lru_cache
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    """An Argon2 hash of the password, safe to store."""
    return _hasher().hash(password)


def verify_password(password: str, hashed: str) -> bool:
    """Whether the password matches the stored hash."""
    return _hasher().verify(password, hashed)


# Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
DUMMY_HASH = hash_password("not-a-real-password-just-for-timing")
