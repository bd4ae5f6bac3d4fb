"""Starts the real assistant (Rasa, action server, API) on free ports for end-to-end tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.api_process import free_port, stop_group  # noqa: F401  (free_port: for the e2e tests)
from tests.support.secrets import strong_secrets

ROOT = Path(__file__).resolve().parents[2]
BOT_BIN = ROOT / ".venv-bot" / "bin"
APP_BIN = ROOT / ".venv-app" / "bin"
MODEL = ROOT / "bot" / "models" / "current.tar.gz"
# Every stack runs outside development mode with strong secrets, as production does; the service token
# is fixed so tests can call the referral API as the action server does.
SERVICE_TOKEN = "e2e-service-token-" + "0123456789abcdef" * 2
# The channels talk to local fakes of Telegram's Bot API and Twilio's REST API (tests/fakes) on these credentials.
TELEGRAM_TOKEN = "424242:e2e-token-for-the-fake-bot-api"
TELEGRAM_WEBHOOK_SECRET = "e2e-telegram-webhook-secret"
TWILIO_SID = "AC" + "e2e0" * 8
TWILIO_TOKEN = "e2e-twilio-auth-token"
WHATSAPP_FROM = "whatsapp:+14155238886"
# bot/endpoints.yml takes its stores from the environment: the development ones (SQLite, in-memory lock).
DEVELOPMENT_STORES = dict(RASA_TRACKER_DIALECT="sqlite", RASA_TRACKER_URL="", RASA_LOCK_STORE="in_memory",
                          REDIS_HOST="", REDIS_PORT="6379", REDIS_DB="0", RASA_LOCK_KEY_PREFIX="")
# Rasa names each response and the gateway renders it (bot/endpoints.yml), as `make run` does.
DEFERRED_RENDER = "botserver.deferred_render.DeferredRender"


def actions_call(action: str, sender_id: str) -> dict:
    """A minimal rasa_sdk webhook call: run `action` for `sender_id` on an empty tracker."""
    tracker = {"sender_id": sender_id, "slots": {}, "latest_message": {"intent": {}, "entities": [], "text": ""},
               "events": [], "paused": False, "followup_action": None, "active_loop": {},
               "latest_action_name": "action_listen"}
    return {"next_action": action, "sender_id": sender_id, "tracker": tracker, "domain": {}, "version": "3.6.21"}


def ensure_model() -> Path:
    """The trained model for the current inputs (trains it if the cache lacks it)."""
    subprocess.run([str(APP_BIN / "python"), str(ROOT / "scripts" / "train_model.py")], check=True,
                   stdout=sys.stderr)
    return MODEL


@dataclass
class Stack:
    """The running processes and how to reach them."""

    workdir: Path
    api_port: int = field(default_factory=free_port)
    rasa_port: int = field(default_factory=free_port)
    actions_port: int = field(default_factory=free_port)
    fake_telegram_port: int = field(default_factory=free_port)
    fake_twilio_port: int = field(default_factory=free_port)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    secrets: dict[str, str] = field(default_factory=lambda: strong_secrets() | {"SERVICE_TOKEN": SERVICE_TOKEN})

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    @property
    def actions_url(self) -> str:
        return f"http://127.0.0.1:{self.actions_port}"

    @property
    def rasa_params(self) -> dict[str, str]:
        """Query parameters a call to Rasa's HTTP API needs (its --auth-token)."""
        return {"token": self.secrets["RASA_AUTH_TOKEN"]}

    @property
    def actions_headers(self) -> dict[str, str]:
        """Headers a call to the action server needs (what Rasa sends)."""
        return {"Authorization": f"Bearer {self.secrets['ACTION_SERVER_TOKEN']}"}

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.workdir / 'app.db'}"

    def env(self) -> dict[str, str]:
        """The environment every process of this stack gets."""
        return dict(
            os.environ,
            RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1",
            DATABASE_URL=self.database_url, **self.secrets,
            RASA_URL=self.rasa_url, ACTION_SERVER_URL=self.actions_url,
            ACTION_ENDPOINT_URL=f"{self.actions_url}/webhook", API_URL=self.api_url,
            NLG_URL=f"{self.api_url}/nlg", PUBLIC_BASE_URL=self.api_url, RASA_NLG_TYPE=DEFERRED_RENDER,
            RASA_TRACKER_DB=str(self.workdir / "tracker.db"), LOCALES_DIR=str(self.locales_dir),
            AUDIO_DIR=str(self.workdir / "audio"),
            **DEVELOPMENT_STORES,
            OUTBOX_PATH=str(self.workdir / "actions-outbox.db"),
            **self.channel_env(),
        )

    def channel_env(self) -> dict[str, str]:
        """Telegram and Twilio pointed at the local fakes (tests/fakes) the channel tests serve on these ports."""
        telegram = f"http://127.0.0.1:{self.fake_telegram_port}"
        return dict(
            TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN, TELEGRAM_WEBHOOK_SECRET=TELEGRAM_WEBHOOK_SECRET,
            TELEGRAM_API_BASE_URL=f"{telegram}/bot", TELEGRAM_API_FILE_URL=f"{telegram}/file/bot",
            TWILIO_ACCOUNT_SID=TWILIO_SID, TWILIO_AUTH_TOKEN=TWILIO_TOKEN, TWILIO_WHATSAPP_FROM=WHATSAPP_FROM,
            TWILIO_API_BASE=f"http://127.0.0.1:{self.fake_twilio_port}", HOTLINE_HOURS="",
        )

    def commands(self) -> dict[str, list[str]]:
        return {
            # The same entry points as deploy/profile.py: each checks its secrets and binds 127.0.0.1.
            "api": [str(APP_BIN / "python"), "-m", "api.server", "--port", str(self.api_port)],
            "actions": [str(BOT_BIN / "python"), "-m", "actions.server", "--port", str(self.actions_port)],
            "rasa": [str(BOT_BIN / "python"), "-m", "botserver", "--port", str(self.rasa_port), "--model", str(MODEL),
                     "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
            # Started by the channel tests once the fake Bot API listens (tests/e2e/test_channels.py).
            "telegram": [str(APP_BIN / "python"), "-m", "api.gateways.telegram"],
        }

    def migrate(self) -> None:
        subprocess.run([str(APP_BIN / "alembic"), "upgrade", "head"], cwd=ROOT, env=self.env(), check=True,
                       stdout=subprocess.DEVNULL)

    def start(self, name: str) -> None:
        """Start one process (its output goes to <workdir>/<name>.log)."""
        log = open(self.workdir / f"{name}.log", "ab")
        cwd = ROOT / "bot" if name == "rasa" else ROOT
        self.processes[name] = subprocess.Popen(self.commands()[name], cwd=cwd, env=self.env(), stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self, name: str) -> None:
        """Stop one process and wait for it."""
        process = self.processes.pop(name, None)
        if process is not None and process.poll() is None:
            stop_group(process, timeout=20)

    def wait_until(self, url: str, timeout: float, headers: dict[str, str] | None = None) -> None:
        """Wait until `url` answers 200, failing with the logs' tails if it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {process.returncode}:\n{self.tail(name)}")
            try:
                if httpx.get(url, timeout=3, headers=headers).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(1)
        raise TimeoutError(f"{url} did not answer in {timeout:.0f} s:\n" +
                           "\n".join(self.tail(n) for n in self.processes))

    def wait_ready(self, timeout: float = 300) -> None:
        self.wait_until(f"{self.api_url}/readyz", timeout)

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.workdir / f"{name}.log"
        text = path.read_text(errors="replace").splitlines() if path.exists() else []
        return f"--- {name}\n" + "\n".join(text[-lines:])

    @property
    def locales_dir(self) -> Path:
        """The stack's own copy of the catalogs, so a test can edit a text as an editor would."""
        return self.workdir / "locales"

    def import_directory(self) -> None:
        """Import the tests' own small OpenStreetMap extract (tests/support/osm_fixture.py) before start."""
        from tests.support.osm_fixture import write_extract

        extract = write_extract(self.workdir / "health-facilities.geojson")
        subprocess.run([str(APP_BIN / "python"), "-m", "api.directory.importer", str(extract)], cwd=ROOT,
                       env=self.env(), check=True, stdout=subprocess.DEVNULL)

    def start_all(self) -> None:
        shutil.copytree(ROOT / "locales", self.locales_dir, dirs_exist_ok=True)
        self.migrate()
        self.import_directory()
        for name in ("api", "actions", "rasa"):
            self.start(name)
        self.wait_ready()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)
