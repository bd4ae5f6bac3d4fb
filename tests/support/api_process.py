"""Runs the API as production does (`python -m api.server`) on a free port, for tests that need a real server."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.app_db import migrate
from tests.support.ports import free_port
from tests.support.secrets import strong_secrets


@dataclass
class ApiProcess:
    """A running API and what it was started with."""

    url: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def api_environment(workdir: Path, **overrides: str) -> dict[str, str]:
    """Strong secrets (production mode), a SQLite file in `workdir`, and a Rasa address nobody answers."""
    return {**os.environ, **strong_secrets(), "DATABASE_URL": f"sqlite:///{workdir / 'app.db'}",
            "RASA_URL": f"http://127.0.0.1:{free_port()}", "ACTION_SERVER_URL": f"http://127.0.0.1:{free_port()}",
            "WEBCHAT_ENABLED": "true", "TELEGRAM_BOT_TOKEN": "", "TWILIO_AUTH_TOKEN": "",
            "TWILIO_ACCOUNT_SID": "", "PUBLIC_BASE_URL": "http://127.0.0.1", **overrides}


def create_operator(workdir: Path, env: dict[str, str], email: str, password: str, role: str = "admin",
                    association: str = "Association test", languages: str = "fr,en") -> None:
    """The admin CLI, as a deployment creates its first accounts (on the migrated database)."""
    migrate(env["DATABASE_URL"])
    subprocess.run([sys.executable, "-m", "api.cli", "create-operator", "--email", email, "--role", role,
                    "--association", association, "--languages", languages, "--password-stdin"],
                   input=password + "\n", text=True, env=env, cwd=workdir, check=True,
                   capture_output=True)


@contextmanager
def running_api(workdir: Path, env: dict[str, str], timeout: float = 60.0,
                port: int | None = None) -> Iterator[ApiProcess]:
    """Migrate, start `python -m api.server` (on `port`, or a free one), wait for /healthz, stop it afterwards."""
    migrate(env["DATABASE_URL"])
    port = port or free_port()
    log = workdir / f"api-{port}.log"
    with open(log, "wb") as output:
        # Run from the work directory: a developer's .env (read from the current directory) stays out of it.
        process = subprocess.Popen([sys.executable, "-m", "api.server", "--port", str(port)], env=env, cwd=workdir,
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    running = ApiProcess(f"http://127.0.0.1:{port}", env, log, process)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the API exited with {process.returncode}:\n{running.log_text()}")
            try:
                if httpx.get(f"{running.url}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the API did not answer in {timeout:.0f} s:\n{running.log_text()}")
            time.sleep(0.2)
        yield running
    finally:
        stop_group(process, timeout=15)


def stop_group(process: subprocess.Popen, timeout: float) -> None:
    """SIGTERM the process and its children (a session of their own), SIGKILL them if they outlive `timeout`."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
