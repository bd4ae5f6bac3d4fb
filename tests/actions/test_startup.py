"""Restart recovery: the action server resumes delivering what an earlier run could not send."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sanic import Sanic

from actions.config import get_settings
from actions.outbox import ReferralOutbox, delivery_task
from actions.referrals import reference_for_key
from actions.startup import SDK_APP_NAME, register_with_action_server, resume_outbox_delivery
from tests.actions.conftest import FakeReferralBackend

KEY = "2f4e6a8c-0b1d-4e3f-9a5c-7d9e1f3a5b7c"


def test_outside_the_action_server_nothing_is_registered() -> None:
    assert register_with_action_server() is False


def test_inside_the_action_server_start_and_stop_listeners_are_registered(monkeypatch: Any) -> None:
    registered: list[tuple[str, str]] = []

    class ActionServerApp:
        def register_listener(self, listener: Any, event: str) -> None:
            registered.append((listener.__name__, event))

    def get_app(name: str) -> ActionServerApp:
        assert name == SDK_APP_NAME
        return ActionServerApp()

    monkeypatch.setattr(Sanic, "get_app", staticmethod(get_app))
    assert register_with_action_server() is True
    assert registered == [("resume_outbox_delivery", "after_server_start"),
                          ("stop_outbox_delivery", "before_server_stop")]


async def test_server_start_delivers_referrals_left_from_an_earlier_run(
        settings_env: Any, backend: FakeReferralBackend, tmp_path: Path) -> None:
    settings_env(backend.url)
    left = ReferralOutbox(get_settings().outbox_path)
    left.add(KEY, reference_for_key(KEY), {"conversation_id": "web-1a2b3c", "reference": reference_for_key(KEY)})
    await resume_outbox_delivery(None, None)
    task = delivery_task._task
    assert task is not None
    await task
    assert left.is_delivered(KEY) and list(backend.cases) == [KEY]
