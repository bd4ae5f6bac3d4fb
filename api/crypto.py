"""Encryption at rest for channel ids and phone numbers, and keyed hashing for pseudonymous ids.

Encryption uses ENCRYPTION_KEYS, a list of Fernet keys (`MultiFernet`): the first encrypts, all
decrypt, so a key is rotated by putting a new one first, re-encrypting (`python -m api.cli
rotate-encryption`) and then removing the old one. Pseudonyms use SECRET_KEY, which stays stable.
Only in development mode is a key derived from SECRET_KEY: the one key without ENCRYPTION_KEYS, and a
last, decrypt-only key with them (so a laptop's older data stays readable).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet

from api.core.config import get_settings
from api.core.secrets import encryption_keys, is_development


def derived_development_key(secret_key: str) -> str:
    """The key a development setup without ENCRYPTION_KEYS uses (and every setup used before them)."""
    return base64.urlsafe_b64encode(hashlib.sha256(b"encryption:" + secret_key.encode()).digest()).decode()


@lru_cache
def _fernet() -> MultiFernet:
    settings = get_settings()
    keys = encryption_keys(settings)
    if is_development(settings):
        # A laptop database written before `make run` created ENCRYPTION_KEYS still decrypts (never encrypts).
        keys = list(dict.fromkeys([*keys, derived_development_key(settings.secret_key)]))
    elif not keys:
        raise RuntimeError("ENCRYPTION_KEYS is not set (python -m api.cli new-encryption-key makes one).")
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(value: str) -> str:
    """Encrypt a phone number or channel id for storage (with the first key)."""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """Decrypt a value written by `encrypt` with any of the configured keys."""
    return _fernet().decrypt(token.encode()).decode()


def reencrypt(token: str) -> str:
    """The same value encrypted with the first key (rotation); raises if no key decrypts it."""
    return _fernet().rotate(token.encode()).decode()


def pseudonym(namespace: str, value: str, length: int = 20) -> str:
    """A stable, non-reversible id for `value` (the same person always gets the same one)."""
    digest = hmac.new(get_settings().secret_key.encode(), f"{namespace}:{value}".encode(), hashlib.sha256)
    return base64.b32encode(digest.digest()).decode().lower().rstrip("=")[:length]
