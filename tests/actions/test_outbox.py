"""The referral outbox: a referral made while the backend is down is kept, then arrives exactly once."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.config import get_settings
from actions.escalation import ActionCreateReferral
from actions.outbox import DeliveryTask, ReferralOutbox, backoff_seconds, deliver_due, run_delivery
from actions.referrals import reference_for_key
from tests.actions.conftest import FakeReferralBackend, make_tracker

KEY = "9c7d1f2e-8b3a-4c5d-a6e7-f8091a2b3c4d"
SLOTS = {"escalation_consent": True, "escalation_key": KEY, "triage_emergency": True, "triage_pregnant": False,
         "triage_child": False, "triage_violence": False, "topic": "emergency", "escalation_city": "Berkane",
         "contact_mode": "callback", "callback_number": "[☎]", "language": "fr"}


async def escalate_while(backend: FakeReferralBackend, outbox: ReferralOutbox) -> dict[str, Any]:
    dispatcher = CollectingDispatcher()
    await ActionCreateReferral(outbox).run(dispatcher, make_tracker(slots=SLOTS, sender_id="wa-77aa88bb99"), {})
    return dispatcher.messages[0]


async def test_backend_down_queues_the_referral_and_tells_its_reference(
        settings_env: Any, backend: FakeReferralBackend, tmp_path: Path) -> None:
    settings_env(backend.url)
    backend.failing = True
    outbox = ReferralOutbox(tmp_path / "outbox.db")
    said = await escalate_while(backend, outbox)
    assert said == {"response": "utter_referral_queued", "reference": reference_for_key(KEY), "text": None,
                    "buttons": [], "elements": [], "custom": {}, "template": "utter_referral_queued",
                    "image": None, "attachment": None}
    assert not outbox.is_delivered(KEY)
    assert backend.cases == {}


async def test_when_the_backend_is_back_the_case_arrives_exactly_once(
        settings_env: Any, backend: FakeReferralBackend, tmp_path: Path) -> None:
    settings_env(backend.url)
    backend.failing = True
    outbox = ReferralOutbox(tmp_path / "outbox.db")
    await escalate_while(backend, outbox)
    settings = get_settings()
    await asyncio.sleep(settings.retry_initial_s)
    assert await deliver_due(outbox, settings) == 0  # still down: kept, retried later
    backend.failing = False
    await asyncio.wait_for(run_delivery(outbox, settings), timeout=5)
    assert outbox.is_delivered(KEY)
    assert list(backend.cases) == [KEY]
    case = backend.cases[KEY]
    assert case["reference"] == reference_for_key(KEY)
    # A callback, without the number: the gateway kept it for the backend, never the outbox.
    assert case["triage"]["emergency"] is True and case["contact"] == "callback"
    assert "callback_number" not in case and b"[\xe2\x98\x8e]" not in (tmp_path / "outbox.db").read_bytes()
    posts = backend.posts
    await run_delivery(outbox, settings)
    assert backend.posts == posts  # nothing left to send


async def test_the_background_task_delivers_without_further_messages(
        settings_env: Any, backend: FakeReferralBackend, tmp_path: Path) -> None:
    settings_env(backend.url)
    backend.failing = True
    outbox = ReferralOutbox(tmp_path / "outbox.db")
    await escalate_while(backend, outbox)  # starts the module's delivery task
    backend.failing = False
    for _ in range(100):
        if outbox.is_delivered(KEY):
            break
        await asyncio.sleep(0.05)
    assert outbox.is_delivered(KEY)
    assert len(backend.cases) == 1


async def test_a_queued_referral_survives_a_restart_of_the_action_server(
        settings_env: Any, backend: FakeReferralBackend, tmp_path: Path) -> None:
    settings_env(backend.url)
    backend.failing = True
    await escalate_while(backend, ReferralOutbox(tmp_path / "outbox.db"))
    backend.failing = False
    reopened = ReferralOutbox(tmp_path / "outbox.db")
    await asyncio.wait_for(DeliveryTask().ensure_running(reopened, get_settings()), timeout=5)
    assert reopened.is_delivered(KEY) and list(backend.cases) == [KEY]


async def test_an_unreachable_backend_also_queues(settings_env: Any, tmp_path: Path) -> None:
    settings_env("http://127.0.0.1:9")  # discard port: connection refused
    dispatcher = CollectingDispatcher()
    outbox = ReferralOutbox(tmp_path / "outbox.db")
    await ActionCreateReferral(outbox).run(dispatcher, make_tracker(slots=SLOTS), {})
    assert dispatcher.messages[0]["response"] == "utter_referral_queued"
    assert outbox.next_attempt_at() is not None


def test_a_delivered_referral_no_longer_holds_the_callback_number(tmp_path: Path) -> None:
    outbox = ReferralOutbox(tmp_path / "outbox.db")
    outbox.add(KEY, "MS-234679", {"callback_number": "+212612345678"})
    outbox.add(KEY, "MS-234679", {"callback_number": "changed"})  # a retried action adds nothing
    assert [p.body for p in outbox.due(now=1e12)] == [{"callback_number": "+212612345678"}]
    outbox.mark_delivered(KEY)
    assert outbox.due(now=1e12) == []
    assert b"+212612345678" not in (tmp_path / "outbox.db").read_bytes()


def test_retries_back_off_up_to_the_maximum(settings_env: Any) -> None:
    settings_env("http://127.0.0.1:9")
    settings = get_settings()
    delays = [backoff_seconds(n, settings) for n in range(6)]
    assert delays == sorted(delays)
    assert delays[0] == settings.retry_initial_s and delays[-1] == settings.retry_max_s
