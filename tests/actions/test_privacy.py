"""The right to be forgotten: erasure at the backend, then a conversation that starts afresh."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import Restarted
from rasa_sdk.executor import CollectingDispatcher

from actions.privacy import ActionForgetMe
from tests.actions.conftest import FakeReferralBackend, make_tracker


async def test_forget_me_erases_at_the_backend_and_restarts(settings_env: Any, backend: FakeReferralBackend) -> None:
    settings_env(backend.url)
    dispatcher = CollectingDispatcher()
    events = await ActionForgetMe().run(dispatcher, make_tracker(sender_id="web-5e6f7a8b"), {})
    assert backend.erased == ["web-5e6f7a8b"]
    assert [m["response"] for m in dispatcher.messages] == ["utter_forget_done"]
    assert events == [Restarted()]


async def test_a_failed_erasure_is_not_reported_as_done(settings_env: Any, backend: FakeReferralBackend) -> None:
    settings_env(backend.url)
    backend.failing = True
    dispatcher = CollectingDispatcher()
    events = await ActionForgetMe().run(dispatcher, make_tracker(), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_forget_failed"]
    assert events == [Restarted()]
