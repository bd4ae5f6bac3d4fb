"""Weak secrets are refused outside development; encryption keys rotate with MultiFernet; .env is generated strong."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy.orm import Session, sessionmaker

from api import cli, crypto
from api.core.config import DEV_SECRET_KEY, PROJECT_ROOT, Settings
from api.core.secrets import InsecureSecrets, require_strong_secrets, weak_secrets
from api.outbox.models import ChannelIdentity
from tests.support.secrets import strong_secrets

NAMES = {"SECRET_KEY", "SERVICE_TOKEN", "RASA_AUTH_TOKEN", "NLG_TOKEN", "ACTION_SERVER_TOKEN", "ENCRYPTION_KEYS"}


def settings_from(env: dict[str, str]) -> Settings:
    """Settings from exactly these values (no .env, which `make run` may have written)."""
    return Settings(_env_file=None, **{key.lower(): value for key, value in env.items()})  # type: ignore[call-arg]


def test_every_default_is_weak_and_named() -> None:
    assert set(weak_secrets(settings_from({"APP_ENV": "production"}))) == NAMES


def test_short_or_published_values_are_weak_and_strong_ones_pass() -> None:
    strong = strong_secrets()
    assert weak_secrets(settings_from(strong)) == []
    assert weak_secrets(settings_from(strong | {"SERVICE_TOKEN": "short-token"})) == ["SERVICE_TOKEN"]
    assert weak_secrets(settings_from(strong | {"SECRET_KEY": DEV_SECRET_KEY})) == ["SECRET_KEY"]
    assert weak_secrets(settings_from(strong | {"ENCRYPTION_KEYS": "not-a-fernet-key-" * 3})) == ["ENCRYPTION_KEYS"]


def test_outside_development_the_process_stops_saying_what_to_set() -> None:
    with pytest.raises(InsecureSecrets) as refused:
        require_strong_secrets(settings_from({"APP_ENV": "production"}), "The API")
    message = str(refused.value.code)
    assert "The API refuses to start" in message and "SECRET_KEY" in message and "make run" in message
    require_strong_secrets(settings_from({"APP_ENV": "development"}), "The API")  # a laptop may use the defaults


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Point the settings at given ENCRYPTION_KEYS (and forget the cached keys) for one test."""
    def use(keys: str, app_env: str = "production") -> None:
        monkeypatch.setenv("ENCRYPTION_KEYS", keys)
        monkeypatch.setenv("APP_ENV", app_env)
        from api.core.config import get_settings
        get_settings.cache_clear()
        crypto._fernet.cache_clear()
    yield use
    from api.core.config import get_settings
    monkeypatch.undo()
    get_settings.cache_clear()
    crypto._fernet.cache_clear()


def test_the_first_key_encrypts_every_key_decrypts_and_rotation_leaves_no_old_ciphertext(
        keyed, factory: sessionmaker[Session]) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keyed(old)
    with factory() as session:
        session.add(ChannelIdentity(conversation_id="tg-rotate", channel="tg", encrypted_address=crypto.encrypt("42")))
        session.commit()
    keyed(f"{new},{old}")  # step 1: the new key first, the old one still decrypts
    with factory() as session:
        assert crypto.decrypt(session.get(ChannelIdentity, "tg-rotate").encrypted_address) == "42"
    assert cli.main(["rotate-encryption"]) == 0  # step 2: re-encrypt with the new key
    keyed(new)  # step 3: drop the old key
    with factory() as session:
        token = session.get(ChannelIdentity, "tg-rotate").encrypted_address
        assert crypto.decrypt(token) == "42"
        with pytest.raises(InvalidToken):
            Fernet(old.encode()).decrypt(token.encode())


def test_the_default_secret_key_no_longer_decrypts_stored_numbers(keyed) -> None:
    keyed(Fernet.generate_key().decode())
    stored = crypto.encrypt("+212612345678")
    derived = crypto.derived_development_key(DEV_SECRET_KEY)
    with pytest.raises(InvalidToken):
        Fernet(derived.encode()).decrypt(stored.encode())
    keyed("")  # production without ENCRYPTION_KEYS has no key at all, rather than the published one
    with pytest.raises(RuntimeError):
        crypto.encrypt("x")


def test_make_env_writes_strong_owner_only_secrets_once_and_keeps_them(tmp_path: Path) -> None:
    script = tmp_path / "scripts" / "make_env.py"
    script.parent.mkdir()
    script.write_text((PROJECT_ROOT / "scripts" / "make_env.py").read_text())
    subprocess.run([sys.executable, str(script)], check=True, capture_output=True)
    env_file = tmp_path / ".env"
    first = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if line and line[0] != "#")
    assert stat.S_IMODE(os.stat(env_file).st_mode) == 0o600
    assert first["APP_ENV"] == "development" and weak_secrets(settings_from(first | {"APP_ENV": "production"})) == []
    env_file.write_text("\n".join(f"{k}={v}" for k, v in first.items() if k != "NLG_TOKEN") + "\n")
    subprocess.run([sys.executable, str(script)], check=True, capture_output=True)
    second = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if line and line[0] != "#")
    assert {k: v for k, v in second.items() if k != "NLG_TOKEN"} == {k: v for k, v in first.items() if k != "NLG_TOKEN"}
    assert len(second["NLG_TOKEN"]) >= 32


def test_in_development_older_laptop_data_still_decrypts_but_never_in_production(keyed) -> None:
    from api.core.config import get_settings

    key = Fernet.generate_key().decode()
    keyed(key, app_env="development")
    older = Fernet(crypto.derived_development_key(get_settings().secret_key).encode()).encrypt(b"42").decode()
    assert crypto.decrypt(older) == "42"
    assert Fernet(key.encode()).decrypt(crypto.encrypt("43").encode()) == b"43"  # new data: the configured key
    keyed(key, app_env="production")
    with pytest.raises(InvalidToken):
        crypto.decrypt(older)
