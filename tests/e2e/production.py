"""Starts the production profile (deploy/profile.py) on free ports, in its own PostgreSQL schema and Redis prefix."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import text

from api.db import make_engine
from tests.e2e.stack import APP_BIN, MODEL, ROOT, SERVICE_TOKEN
from tests.support.ports import free_port_block
from tests.support.secrets import strong_secrets

SECRET_KEY = "e2e-production-profile-secret-key-0123456789abcdef"
OPERATOR_EMAIL, OPERATOR_PASSWORD = "operator@example.org", "correct horse battery staple"
TURN_LOG = re.compile(r"turn sender=(\S+) server=(\S+) status=(\d+)")


@dataclass
class ProductionStack:
    """The profile's supervisord and what the tests need to reach each instance."""

    workdir: Path
    database_url: str
    redis_url: str
    instances: int = 2
    base: int = field(default_factory=lambda: free_port_block(12))
    schema: str = field(default_factory=lambda: f"e2e_prod_{uuid.uuid4().hex[:10]}")
    process: subprocess.Popen | None = None
    # Outside development mode, as production runs: every process checks these at start.
    secrets: dict[str, str] = field(default_factory=lambda: {**strong_secrets(), "SERVICE_TOKEN": SERVICE_TOKEN,
                                                             "SECRET_KEY": SECRET_KEY})

    @property
    def api_port(self) -> int:
        return self.base + 1

    @property
    def api_url(self) -> str:
        """The load balancer's API frontend (what channels and the web chat reach)."""
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.base + 2}"

    def instance_url(self, group: str, number: int) -> str:
        """One instance behind the load balancer (`api`, `rasa`, `actions`; numbered from 1)."""
        offset = {"api": 3, "rasa": 6, "actions": 9}[group]
        return f"http://127.0.0.1:{self.base + offset + number - 1}"

    @property
    def schema_url(self) -> str:
        separator = "&" if "?" in self.database_url else "?"
        return f"{self.database_url}{separator}options=-csearch_path%3D{self.schema}"

    def env(self) -> dict[str, str]:
        return dict(
            os.environ, DATABASE_URL=self.schema_url, REDIS_URL=self.redis_url,
            RASA_LOCK_KEY_PREFIX=self.schema.replace("_", ""), **self.secrets,
            API_PORT=str(self.api_port), RASA_PORT=str(self.base + 2), ACTIONS_PORT=str(self.base + 12),
            API_BASE_PORT=str(self.base + 2), RASA_BASE_PORT=str(self.base + 5),
            ACTIONS_BASE_PORT=str(self.base + 8),
            RASA_INSTANCES=str(self.instances), API_WORKERS=str(self.instances), ACTION_SERVERS=str(self.instances),
            RUN_DIR=str(self.workdir / "run"), LOG_DIR=str(self.workdir / "log"),
            OUTBOX_PATH=str(self.workdir / "actions-outbox.db"), MODEL=str(MODEL), LB_LOG_CONVERSATIONS="true",
            TELEGRAM_BOT_TOKEN="", ADMIN_PASSWORD=OPERATOR_PASSWORD,
        )

    def start(self, timeout: float = 420) -> None:
        """Create the schema, migrate it, add an operator, start supervisord and wait for every instance."""
        engine = make_engine(self.database_url)
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        engine.dispose()
        env = self.env()
        subprocess.run([str(APP_BIN / "alembic"), "upgrade", "head"], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([str(APP_BIN / "python"), "-m", "api.cli", "create-admin", "--email", OPERATOR_EMAIL],
                       cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        log = open(self.workdir / "supervisord.out", "ab")
        self.process = subprocess.Popen([str(APP_BIN / "python"), "deploy/profile.py", "production"], cwd=ROOT,
                                        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        for number in range(1, self.instances + 1):
            self.wait_answering(f"{self.instance_url('rasa', number)}/status", deadline, "rasa")
            self.wait_answering(f"{self.instance_url('api', number)}/healthz", deadline)
            self.wait_answering(f"{self.instance_url('actions', number)}/health", deadline, "actions")
        self.wait_answering(f"{self.api_url}/readyz", deadline)
        self.wait_balanced(deadline)

    def wait_balanced(self, deadline: float) -> None:
        """Until the load balancer's own health checks count every instance up: before that it sends every
        request to the instances it already counts, and the first conversations all run on one Rasa."""
        servers = [f"{group}/{group}-{n}" for group in ("api", "rasa", "actions") for n in range(1, self.instances + 1)]
        path = self.workdir / "log" / "haproxy.log"
        while time.monotonic() < deadline:
            log = path.read_text(errors="replace") if path.exists() else ""
            # A server starts counted up; a failed check logs "is DOWN", a passed one after that "is UP".
            if all(log.rfind(f"Server {server} is DOWN") < log.rfind(f"Server {server} is UP")
                   or f"Server {server} is DOWN" not in log for server in servers):
                return
            time.sleep(0.5)
        raise RuntimeError(f"the load balancer does not count every instance up:\n{self.tail('haproxy')}")

    def credentials(self, group: str) -> dict[str, dict[str, str]]:
        """What a request to one instance carries: Rasa's API token, the action server's bearer token."""
        if group == "rasa":
            return {"params": {"token": self.secrets["RASA_AUTH_TOKEN"]},
                    "headers": {"Authorization": f"Bearer {self.secrets['RASA_AUTH_TOKEN']}"}}
        if group == "actions":
            return {"headers": {"Authorization": f"Bearer {self.secrets['ACTION_SERVER_TOKEN']}"}}
        return {}

    def answers(self, group: str, url: str) -> bool:
        """Whether an instance's health URL answers 200 (with that instance's credentials)."""
        try:
            return httpx.get(url, timeout=3, **self.credentials(group)).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_answering(self, url: str, deadline: float, group: str = "api") -> None:
        """Poll `url` until it answers 200, failing with the logs if the profile died or time ran out."""
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"supervisord exited with {self.process.returncode}:\n{self.tail('supervisord')}")
            if self.answers(group, url):
                return
            time.sleep(0.5)
        raise TimeoutError(f"{url} did not answer:\n" + "\n".join(
            self.tail(name) for name in ("supervisord", "rasa-1", "rasa-2", "api-1", "haproxy")))

    def supervisorctl(self, *args: str) -> str:
        return subprocess.run([str(APP_BIN / "supervisorctl"), "-c", str(self.workdir / "run" / "supervisord.conf"),
                               *args], capture_output=True, text=True).stdout

    def pid(self, program: str) -> int:
        """The pid supervisord reports for a program (`rasa:rasa-1`), 0 while it is not running."""
        out = self.supervisorctl("pid", program).strip()
        return int(out) if out.isdigit() else 0

    def kill9(self, program: str) -> int:
        """SIGKILL a program's process (as the kernel's OOM killer would); returns the killed pid."""
        pid = self.pid(program)
        assert pid, f"{program} is not running: {self.supervisorctl('status')}"
        os.kill(pid, signal.SIGKILL)
        return pid

    def turns_served(self) -> dict[str, list[str]]:
        """Per conversation, the Rasa instance that served each of its turns, from the load balancer's log."""
        served: dict[str, list[str]] = {}
        path = self.workdir / "log" / "haproxy.log"
        for match in TURN_LOG.finditer(path.read_text(errors="replace") if path.exists() else ""):
            served.setdefault(match.group(1), []).append(match.group(2))
        return served

    def count(self, sql: str, **params: object) -> int:
        engine = make_engine(self.schema_url)
        try:
            with engine.connect() as connection:
                return int(connection.scalar(text(sql), params) or 0)
        finally:
            engine.dispose()

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.workdir / ("supervisord.out" if name == "supervisord" else f"log/{name}.log")
        content = path.read_text(errors="replace").splitlines() if path.exists() else []
        return f"--- {name}\n" + "\n".join(content[-lines:])

    def stop(self) -> None:
        """Stop supervisord (it stops every process), then drop the schema and the Redis keys."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        engine = make_engine(self.database_url)
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE'))
        engine.dispose()
