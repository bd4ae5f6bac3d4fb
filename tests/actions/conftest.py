"""Shared fixtures for the action tests: trackers, the domain, settings and a fake referral backend."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, AsyncIterator

import pytest
import yaml
from aiohttp import web
from rasa_sdk import Tracker

from actions.config import get_settings
from actions.outbox import delivery_task
from actions.places import town_gazetteer
from tests.support.local_http import serving

ROOT = Path(__file__).resolve().parents[2]
SERVICE_TOKEN = "test-service-token"


def user_event(intent: str, text: str = "", entities: list[dict[str, Any]] | None = None,
               language: dict[str, Any] | None = None) -> dict[str, Any]:
    """A `user` event as the action server receives it."""
    parse_data: dict[str, Any] = {"intent": {"name": intent, "confidence": 1.0}, "entities": entities or [],
                                  "text": text}
    if language is not None:
        parse_data["language"] = language
    return {"event": "user", "text": text, "parse_data": parse_data}


def make_tracker(slots: dict[str, Any] | None = None, history: list[dict[str, Any]] | None = None,
                 latest: dict[str, Any] | None = None, sender_id: str = "tg-3f9a0c1d2e",
                 active_loop: str | None = None) -> Tracker:
    """A tracker whose events are `history` and whose latest message is the last user event in it
    (`active_loop`: the form in progress)."""
    events = list(history or [])
    users = [e for e in events if e.get("event") == "user"]
    latest_message = latest or (users[-1]["parse_data"] if users else {"intent": {}, "entities": [], "text": ""})
    loop = {"name": active_loop} if active_loop else {}
    return Tracker(sender_id, dict(slots or {}), latest_message, events, False, None, loop, "action_listen")


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The assistant's domain as the action server receives it."""
    return yaml.safe_load((ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))


@dataclass
class FakeReferralBackend:
    """The referral backend's contract (docs/architecture.md): idempotent by key, can be made to fail."""

    failing: bool = False
    cases: dict[str, dict[str, Any]] = field(default_factory=dict)
    posts: int = 0
    erased: list[str] = field(default_factory=list)
    url: str = ""
    token: str = SERVICE_TOKEN
    # Languages an operator on duty speaks; None: the answer does not say (an older backend).
    spoken: frozenset[str] | None = None

    async def referrals(self, request: web.Request) -> web.Response:
        self.posts += 1
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return web.json_response({"code": "invalid_service_token"}, status=401)
        if self.failing:
            return web.json_response({"code": "unavailable"}, status=503)
        key = request.headers["Idempotency-Key"]
        body = await request.json()
        created = key not in self.cases
        case = self.cases.setdefault(key, body)
        answer = {"reference": case["reference"], "case_id": list(self.cases).index(key) + 1,
                  "priority": 1, "triage_level": "normal", "status": "queued"}
        if self.spoken is not None:
            answer["language_spoken_on_duty"] = case["language"] in self.spoken
        return web.json_response(answer, status=201 if created else 200)

    async def erase(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}" or self.failing:
            return web.json_response({"code": "unavailable"}, status=503)
        self.erased.append(request.match_info["conversation_id"])
        return web.json_response({"erased": True})


@pytest.fixture
async def backend() -> AsyncIterator[FakeReferralBackend]:
    """The fake backend listening on a free local port."""
    fake = FakeReferralBackend()
    app = web.Application()
    app.router.add_post("/api/v1/referrals", fake.referrals)
    app.router.add_post("/api/v1/persons/{conversation_id}/erase", fake.erase)
    async with serving(app) as url:
        fake.url = url
        yield fake


@pytest.fixture(autouse=True)
async def no_delivery_task_left() -> AsyncIterator[None]:
    """Each test ends with the action server's background delivery task stopped."""
    yield
    await delivery_task.stop()


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """Point the action server at a backend URL and a fresh outbox; returns a function taking the URL."""
    def configure(api_url: str) -> None:
        monkeypatch.setenv("API_URL", api_url)
        monkeypatch.setenv("SERVICE_TOKEN", SERVICE_TOKEN)
        monkeypatch.setenv("OUTBOX_PATH", str(tmp_path / "outbox.db"))
        monkeypatch.setenv("OUTBOX_RETRY_INITIAL_S", "0.05")
        monkeypatch.setenv("OUTBOX_RETRY_MAX_S", "0.2")
        monkeypatch.setenv("REFERRAL_TIMEOUT_S", "2")
        get_settings.cache_clear()
        town_gazetteer.cache_clear()
    yield configure
    get_settings.cache_clear()
    town_gazetteer.cache_clear()
