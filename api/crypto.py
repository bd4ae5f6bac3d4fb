"""Encryption at rest for channel ids and phone numbers, and keyed hashing for pseudonymous ids."""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet

from api.core.config import get_settings


@lru_cache
def _fernet() -> Fernet:
    settings = get_settings()
    key = settings.encryption_key.encode() if settings.encryption_key else base64.urlsafe_b64encode(
        hashlib.sha256(b"encryption:" + settings.secret_key.encode()).digest()
    )
    return Fernet(key)


def encrypt(value: str) -> str:
    """Encrypt a phone number or channel id for storage."""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a value written by `encrypt`."""
    return _fernet().decrypt(token.encode()).decode()


def pseudonym(namespace: str, value: str, length: int = 20) -> str:
    """A stable, non-reversible id for `value` (the same person always gets the same one)."""
    digest = hmac.new(get_settings().secret_key.encode(), f"{namespace}:{value}".encode(), hashlib.sha256)
    return base64.b32encode(digest.digest()).decode().lower().rstrip("=")[:length]
