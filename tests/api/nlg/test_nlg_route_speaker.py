"""`POST /nlg` on the event loop: the database only when the render asks who is on duty, and off the loop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.core.config import Settings, get_settings, settings_on_the_loop
from api.gateways import responses
from api.routes import nlg

LOCALES = Path(__file__).resolve().parents[3] / "locales"


@pytest.fixture
def on_duty(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Who is on duty, as the route's database check would say, and how it was asked."""
    state: dict[str, Any] = {"speaks": set(), "asked": [], "on_a_loop": []}

    def speaker_on_duty(_session: object, language: str) -> bool:
        state["asked"].append(language)
        try:
            asyncio.get_running_loop()
            state["on_a_loop"].append(True)
        except RuntimeError:
            state["on_a_loop"].append(False)
        return language in state["speaks"]

    monkeypatch.setattr(responses, "speaker_on_duty", speaker_on_duty)
    return state


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    app = FastAPI()
    app.include_router(nlg.router)
    settings = Settings(locales_dir=LOCALES, public_base_url="https://hotline.example.org",
                        database_url=f"sqlite:///{tmp_path / 'unused.db'}")
    app.dependency_overrides[get_settings] = lambda: settings
    app.dependency_overrides[settings_on_the_loop] = lambda: settings
    with TestClient(app, headers={"Authorization": f"Bearer {settings.nlg_token}"}) as test_client:
        yield test_client


def ask(client: TestClient, response: str, language: str, active_loop: str | None = None) -> dict[str, Any]:
    tracker = {"sender_id": "web-abc", "slots": {"language": language}, "latest_message": {}, "events": [],
               "active_loop": {"name": active_loop} if active_loop else {}}
    answer = client.post("/nlg", json={"response": response, "arguments": {}, "tracker": tracker,
                                       "channel": {"name": "rest"}})
    assert answer.status_code == 200, answer.text
    return answer.json()


def titles(body: dict[str, Any]) -> list[str]:
    return [button["title"] for button in body.get("buttons") or []]


def test_a_message_in_the_persons_language_asks_nobody(client: TestClient, on_duty: dict[str, Any]) -> None:
    ask(client, "utter_rights_free_care", "fr")
    assert on_duty["asked"] == []


def test_a_wolof_speaker_on_duty_is_offered_and_the_database_is_asked_off_the_loop(
        client: TestClient, on_duty: dict[str, Any]) -> None:
    on_duty["speaks"] = {"wo"}
    offered = ask(client, "utter_rights_free_care", "wo")
    assert "Wax ci wolof" in titles(offered)
    assert on_duty["asked"] == ["wo"] and on_duty["on_a_loop"] == [False]


def test_nobody_on_duty_speaking_it_means_no_offer(client: TestClient, on_duty: dict[str, Any]) -> None:
    body = ask(client, "utter_rights_free_care", "wo")
    assert "Wax ci wolof" not in titles(body) and on_duty["asked"] == ["wo"]


def test_inside_the_escalation_form_nobody_is_asked(client: TestClient, on_duty: dict[str, Any]) -> None:
    on_duty["speaks"] = {"wo"}
    body = ask(client, "utter_rights_free_care", "wo", active_loop="escalation_form")
    assert "Wax ci wolof" not in titles(body) and on_duty["asked"] == []
