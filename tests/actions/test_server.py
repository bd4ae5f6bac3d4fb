"""The action server as the Procfile starts it: only Rasa's bearer token opens it, 127.0.0.1, weak secrets refused."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from actions.server import bearer_matches
from tests.actions.conftest import ROOT, FakeReferralBackend
from tests.support.ports import free_port

TOKEN = secrets.token_urlsafe(32)
SERVICE = secrets.token_urlsafe(32)
VICTIM = "web-victim0000000000000000"


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ACTION_SERVER_TOKEN", "SERVICE_TOKEN", "APP_ENV")}
    return env | {"APP_ENV": "production", "RASA_TELEMETRY_ENABLED": "false"} | extra


def forget_me_call(sender_id: str) -> dict[str, Any]:
    """What anyone could post to rasa_sdk's /webhook: a made-up tracker whose next action erases the person."""
    tracker = {"sender_id": sender_id, "slots": {}, "latest_message": {"intent": {}, "entities": [], "text": ""},
               "events": [], "paused": False, "followup_action": None, "active_loop": {},
               "latest_action_name": "action_listen"}
    return {"next_action": "action_forget_me", "sender_id": sender_id, "tracker": tracker, "domain": {},
            "version": "3.6.21"}


@pytest.fixture
async def action_server(backend: FakeReferralBackend, tmp_path: Path) -> AsyncIterator[str]:
    backend.token = SERVICE
    port = free_port()
    env = base_env(ACTION_SERVER_TOKEN=TOKEN, SERVICE_TOKEN=SERVICE, API_URL=backend.url,
                   OUTBOX_PATH=str(tmp_path / "outbox.db"))
    log = open(tmp_path / "actions.log", "wb")
    process = subprocess.Popen([sys.executable, "-m", "actions.server", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient() as client:
            for _ in range(600):
                assert process.poll() is None, (tmp_path / "actions.log").read_text()
                try:
                    if (await client.get(f"{url}/health", headers={"Authorization": f"Bearer {TOKEN}"})).status_code \
                            == 200:
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(0.1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
        log.close()


async def test_a_forget_me_without_the_secret_erases_nobody(action_server: str, backend: FakeReferralBackend) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            refused = await client.post(f"{action_server}/webhook", json=forget_me_call(VICTIM), headers=headers)
            assert refused.status_code == 401 and refused.json() == {"error": "unauthorized"}
        for path in ("/health", "/actions"):
            assert (await client.get(f"{action_server}{path}")).status_code == 401
        assert backend.erased == []
        done = await client.post(f"{action_server}/webhook", json=forget_me_call(VICTIM),
                                 headers={"Authorization": f"Bearer {TOKEN}"})
        assert done.status_code == 200, done.text
    assert backend.erased == [VICTIM]


async def test_the_action_server_listens_on_127_0_0_1_and_keeps_its_outbox_owner_only(
        action_server: str, tmp_path: Path) -> None:
    port = int(action_server.rsplit(":", 1)[1])
    listening = {line.split()[1].split(":")[0] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                 if line.split()[3] == "0A" and int(line.split()[1].split(":")[1], 16) == port}
    assert listening == {"0100007F"}
    outbox = tmp_path / "outbox.db"
    assert outbox.exists() and stat.S_IMODE(os.stat(outbox).st_mode) == 0o600


def test_start_is_refused_with_the_default_secrets_outside_development(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "actions.server"], cwd=tmp_path, env=base_env(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "The action server refuses to start" in result.stderr, result.stderr[-2000:]
    assert "ACTION_SERVER_TOKEN" in result.stderr and "SERVICE_TOKEN" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_bearer_check_is_exact() -> None:
    assert bearer_matches(f"Bearer {TOKEN}", TOKEN) and bearer_matches(f"bearer {TOKEN}", TOKEN)
    assert not any(bearer_matches(value, TOKEN) for value in ("", TOKEN, f"Bearer {TOKEN}x", "Bearer ", f"Basic {TOKEN}"))
