"""The real processes: start refused with weak secrets, 127.0.0.1 only, no trusted proxy by default, owner-only files."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.api_process import api_environment, create_operator, running_api
from tests.support.secrets import strong_secrets

SECRET_NAMES = tuple(strong_secrets())
EMAIL, PASSWORD = "proxy.test@example.org", "a long proxy-test password"


def production_env_without_secrets(**extra: str) -> dict[str, str]:
    """The environment with every secret removed and APP_ENV=production (the published defaults apply)."""
    env = {k: v for k, v in os.environ.items() if k not in SECRET_NAMES and k != "ENCRYPTION_KEY"}
    return env | {"APP_ENV": "production"} | extra


@pytest.mark.parametrize("command, name", [
    (["-m", "api.server"], "The API"),
    (["-m", "api.gateways.telegram"], "The Telegram bridge"),
])
def test_start_is_refused_with_the_default_secrets_outside_development(tmp_path: Path, command: list[str],
                                                                        name: str) -> None:
    # Run outside the repository so a developer's .env cannot lend its secrets.
    env = production_env_without_secrets(DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}",
                                         TELEGRAM_BOT_TOKEN="424242:refused-before-any-network-call")
    result = subprocess.run([sys.executable, *command], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0
    assert f"{name} refuses to start" in result.stderr
    for secret in ("SECRET_KEY", "SERVICE_TOKEN", "ENCRYPTION_KEYS", "RASA_AUTH_TOKEN", "NLG_TOKEN"):
        assert secret in result.stderr
    assert "Traceback" not in result.stderr


def test_one_short_secret_is_enough_to_refuse(tmp_path: Path) -> None:
    env = production_env_without_secrets(**(strong_secrets() | {"SERVICE_TOKEN": "too-short"}))
    result = subprocess.run([sys.executable, "-m", "api.server"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0 and "SERVICE_TOKEN is missing" in result.stderr and "SECRET_KEY" not in \
        result.stderr.split("refuses to start:")[1].split("\n")[0]


def test_in_development_mode_the_laptop_defaults_start(tmp_path: Path) -> None:
    env = production_env_without_secrets(**api_environment(tmp_path)) | {"APP_ENV": "development"}
    for name in SECRET_NAMES:
        if name != "APP_ENV":
            env.pop(name, None)
    with running_api(tmp_path, env) as api:
        assert httpx.get(f"{api.url}/healthz").json() == {"status": "ok"}


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on `port`, from /proc/net/tcp (state 0A = LISTEN)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_the_api_listens_on_127_0_0_1_and_its_database_is_owner_only(tmp_path: Path) -> None:
    env = api_environment(tmp_path)
    with running_api(tmp_path, env) as api:
        assert httpx.get(f"{api.url}/readyz").status_code == 503  # touches the database
        assert listening_addresses(int(api.url.rsplit(":", 1)[1])) == {"0100007F"}
        for name in ("app.db", "app.db-wal"):
            assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600, name
        assert "status=" in api.log_text() and "route=/readyz" in api.log_text()


def login_codes(url: str, forwarded: list[str]) -> list[int]:
    return [httpx.post(f"{url}/api/v1/auth/login", json={"email": EMAIL, "password": "wrong"},
                       headers={"X-Forwarded-For": address}).status_code for address in forwarded]


def test_x_forwarded_for_is_not_believed_unless_the_proxy_is_configured(tmp_path: Path) -> None:
    addresses = [f"203.0.113.{n}" for n in range(4)]
    env = api_environment(tmp_path, LOGIN_RATE_LIMIT="3/minute")
    create_operator(tmp_path, env, EMAIL, PASSWORD)
    with running_api(tmp_path, env) as api:
        assert login_codes(api.url, addresses) == [401, 401, 401, 429]
    # Behind a configured proxy (here: this host) the forwarded address is the client, as it should be.
    with running_api(tmp_path, env | {"FORWARDED_ALLOW_IPS": "127.0.0.1"}) as api:
        assert login_codes(api.url, addresses) == [401, 401, 401, 401]
