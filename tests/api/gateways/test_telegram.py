"""The Telegram bridge against a local fake Bot API: commands, buttons, locations, media, outbox, webhook."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from typing import Any

import pytest
from sqlalchemy import select
from telegram import Update
from telegram.ext import Application

from api.cases.models import CaseMessage
from api.core.config import PROJECT_ROOT
from api.gateways import telegram_handlers, telegram_keyboard, telegram_sending
from api.gateways.conversation import conversation_id_for, remember_identity
from api.nlg.render import render_response
from api.outbox.delivery import deliver_pending, enqueue_outbound, register_sender
from api.outbox.messages import BotReply, Button
from api.outbox.models import OutboundMessage
from tests.api.gateways.cases_for_tests import case_held_by_operator

CHAT_ID = 987654321
PERSON = {"id": CHAT_ID, "is_bot": False, "first_name": "Aminata", "language_code": "fr"}


def message(text: str | None = None, chat_type: str = "private", **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"message_id": 1, "date": int(time.time()), "from": PERSON,
                            "chat": {"id": CHAT_ID if chat_type == "private" else -100123, "type": chat_type},
                            **fields}
    if text is not None:
        body["text"] = text
        if text.startswith("/"):
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return {"message": body}


def button_press(data: str, keyboard: list[list[dict[str, str]]] | None = None) -> dict[str, Any]:
    bot_message = {"message_id": 7, "date": int(time.time()), "chat": {"id": CHAT_ID, "type": "private"},
                   "text": "Choisissez", "reply_markup": {"inline_keyboard": keyboard or []}}
    return {"callback_query": {"id": "cq-1", "from": PERSON, "chat_instance": "ci", "data": data,
                               "message": bot_message}}


async def feed(application: Application, update: dict[str, Any], update_id: int = 1) -> None:
    await application.process_update(Update.de_json({"update_id": update_id, **update}, application.bot))


async def test_a_message_received_by_long_polling_is_answered_with_inline_buttons(bridge, clouds) -> None:
    clouds.rasa.replies = [{"text": "Bonjour !", "buttons": [{"title": "Mes droits", "payload": "/rights_free_care"}]}]
    clouds.telegram.queue_update(message("salut"))
    await bridge.start()
    await bridge.updater.start_polling(poll_interval=0.0, timeout=0)
    try:
        for _ in range(200):
            if clouds.telegram.sent():
                break
            await asyncio.sleep(0.025)
    finally:
        await bridge.updater.stop()
        await bridge.stop()
    assert clouds.rasa.received[0]["message"] == "salut"
    assert clouds.rasa.received[0]["sender"] == conversation_id_for("tg", str(CHAT_ID))
    [sent] = clouds.telegram.sent()
    assert int(sent["chat_id"]) == CHAT_ID and sent["text"] == "Bonjour !"
    assert sent["reply_markup"] == {"inline_keyboard": [[{"text": "Mes droits", "callback_data": "/rights_free_care"}]]}
    assert "deleteWebhook" in [name for name, _ in clouds.telegram.calls]


async def test_a_pressed_button_is_acknowledged_and_sends_its_payload(bridge, clouds) -> None:
    await feed(bridge, button_press("/rights_free_care"))
    assert clouds.telegram.sent("answerCallbackQuery")[0]["callback_query_id"] == "cq-1"
    assert clouds.rasa.received[0]["message"] == "/rights_free_care"


async def test_a_payload_longer_than_64_bytes_travels_as_a_short_id(bridge, clouds) -> None:
    long_payload = '/inform_location{"city": "Oujda", "service_kind": "centre_de_sante_de_base_urbain"}'
    clouds.rasa.replies = [{"text": "Où ?", "buttons": [{"title": "Oujda", "payload": long_payload}]}]
    await feed(bridge, message("où aller"))
    callback_data = clouds.telegram.sent()[0]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    assert len(callback_data.encode()) <= 64 and callback_data != long_payload
    await feed(bridge, button_press(callback_data), update_id=2)
    assert clouds.rasa.received[-1]["message"] == long_payload


async def test_a_short_id_another_process_made_falls_back_to_the_button_title(bridge, clouds, monkeypatch) -> None:
    monkeypatch.setattr(telegram_keyboard, "_long_payloads", telegram_keyboard.OrderedDict())
    keyboard = [[{"text": "Centre de santé à Oujda", "callback_data": "#0123456789abcdef01234567"}]]
    await feed(bridge, button_press("#0123456789abcdef01234567", keyboard))
    assert clouds.rasa.received[-1]["message"] == "Centre de santé à Oujda"


async def test_a_shared_location_reaches_rasa_as_share_location(bridge, clouds) -> None:
    await feed(bridge, message(location={"latitude": 34.6814, "longitude": -1.9086}))
    # Rounded to about 1 km before Rasa (and any stored row) sees it.
    assert clouds.rasa.received[0]["message"] == '/share_location{"latitude": 34.68, "longitude": -1.91}'


async def test_a_voice_note_is_acknowledged_in_the_conversation_language(bridge, clouds) -> None:
    clouds.rasa.slots["language"] = "ar"
    await feed(bridge, message(voice={"file_id": "VOICE-1", "file_unique_id": "v1", "duration": 4}))
    assert clouds.rasa.received == []
    assert [m["text"] for m in clouds.telegram.sent()] == [render_response("channel.media_acknowledged", "ar", {}).text]


async def test_a_photo_during_a_held_case_is_attached_to_the_case(bridge, clouds, factory) -> None:
    with factory() as session:
        case = case_held_by_operator(session, conversation_id_for("tg", str(CHAT_ID)), "tg")
    photo = [{"file_id": "SMALL", "file_unique_id": "s", "width": 90, "height": 90},
             {"file_id": "LARGE", "file_unique_id": "l", "width": 1280, "height": 960}]
    await feed(bridge, message(photo=photo, caption="mon ordonnance"))
    with factory() as session:
        stored = session.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id)).all()
    assert [(m.text, m.media_url.rsplit("/", 1)[-1], m.media_type) for m in stored] == [
        ("mon ordonnance", "LARGE", "photo")]
    assert clouds.rasa.received == [] and clouds.telegram.sent() == []


async def test_start_with_a_language_sets_the_slot_then_greets(bridge, clouds) -> None:
    clouds.rasa.replies = [{"text": "مرحبا"}]
    await feed(bridge, message("/start ar"))
    conversation_id = conversation_id_for("tg", str(CHAT_ID))
    slot_event = (conversation_id, {"event": "slot", "name": "language", "value": "ar"})
    assert clouds.rasa.events and all(event == slot_event for event in clouds.rasa.events)
    assert clouds.rasa.received[0]["message"] == telegram_handlers.GREET_PAYLOAD
    assert clouds.telegram.sent()[0]["text"] == "مرحبا"


async def test_start_without_a_known_language_only_greets(bridge, clouds) -> None:
    await feed(bridge, message("/start xx"))
    assert clouds.rasa.events == []
    assert clouds.rasa.received[0]["message"] == telegram_handlers.GREET_PAYLOAD


@pytest.mark.parametrize(("command", "payload"), [("/language", "/change_language"), ("/human", "/request_human"),
                                                  ("/forget", "/forget_me")])
async def test_shortcut_commands_send_their_intent(bridge, clouds, command, payload) -> None:
    await feed(bridge, message(command))
    assert clouds.rasa.received[0]["message"] == payload


async def test_messages_in_group_chats_are_ignored(bridge, clouds) -> None:
    await feed(bridge, message("je suis malade", chat_type="group"))
    assert clouds.rasa.received == [] and clouds.telegram.sent() == []


async def test_a_reply_longer_than_telegram_allows_is_sent_in_parts_with_buttons_on_the_last(bridge, clouds) -> None:
    text = "\n".join(["ligne " + "y" * 90] * 90)  # about 8.6k characters
    clouds.rasa.replies = [{"text": text, "buttons": [{"title": "Merci", "payload": "/thank"}]}]
    await feed(bridge, message("détails"))
    sent = clouds.telegram.sent()
    assert len(sent) == 3 and all(len(m["text"]) <= 4096 for m in sent)
    assert [("reply_markup" in m) for m in sent] == [False, False, True]


async def test_an_operator_reply_in_the_outbox_reaches_the_telegram_chat(bridge, clouds, factory) -> None:
    register_sender("tg", telegram_sending.TelegramSender(bridge.bot))
    with factory() as session:
        conversation_id = remember_identity(session, "tg", str(CHAT_ID))
        enqueue_outbound(session, conversation_id, BotReply(text="Bonjour, ici l'opérateur.",
                                                            buttons=(Button("Oui", "/affirm"),)))
        session.commit()
    assert await deliver_pending(factory) == 1
    [sent] = clouds.telegram.sent()
    assert int(sent["chat_id"]) == CHAT_ID and sent["text"] == "Bonjour, ici l'opérateur."


async def test_no_chat_id_or_message_text_appears_in_the_logs(bridge, clouds, caplog) -> None:
    caplog.set_level("INFO")
    caplog.set_level("DEBUG", logger="api")
    clouds.rasa.replies = [{"text": "réponse confidentielle"}]
    await feed(bridge, message("je suis séropositif"))
    await feed(bridge, message(voice={"file_id": "VOICE-2", "file_unique_id": "v2", "duration": 1}), update_id=2)
    assert clouds.telegram.sent() and caplog.records
    for needle in (str(CHAT_ID), "je suis séropositif", "réponse confidentielle", "Aminata"):
        assert needle not in caplog.text


async def test_a_reply_telegram_fails_to_take_waits_in_the_outbox_and_goes_out_on_retry(bridge, clouds, factory) -> None:
    clouds.rasa.replies = [{"text": "Premier"}, {"text": "Second"}]
    clouds.telegram.fail_next_sends(1, status=502)
    await feed(bridge, message("bonjour"))
    assert clouds.telegram.sent() == []
    with factory() as session:
        pending = session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
    assert [(row.payload["text"], row.status) for row in pending] == [("Premier", "pending"), ("Second", "pending")]
    register_sender("tg", telegram_sending.TelegramSender(bridge.bot))
    assert await deliver_pending(factory) == 2
    assert [m["text"] for m in clouds.telegram.sent()] == ["Premier", "Second"]


async def test_telegram_asking_to_slow_down_is_obeyed_and_the_reply_still_arrives(bridge, clouds, factory) -> None:
    clouds.rasa.replies = [{"text": "Patience"}]
    clouds.telegram.fail_next_sends(1, status=429, retry_after=1)
    started = time.monotonic()
    await feed(bridge, message("bonjour"))
    assert time.monotonic() - started >= 1
    assert [m["text"] for m in clouds.telegram.sent()] == ["Patience"]
    with factory() as session:
        assert session.scalars(select(OutboundMessage)).all() == []


async def test_a_reply_telegram_refuses_as_malformed_is_not_queued_again(bridge, clouds, factory) -> None:
    clouds.rasa.replies = [{"text": "Réponse"}]
    clouds.telegram.fail_next_sends(1, status=400)
    await feed(bridge, message("bonjour"))
    with factory() as session:
        assert session.scalars(select(OutboundMessage)).all() == []


def test_in_webhook_mode_the_bridge_process_delivers_the_outbox_and_never_polls(clouds, factory) -> None:
    with factory() as session:
        enqueue_outbound(session, remember_identity(session, "tg", str(CHAT_ID)), BotReply(text="Votre réponse"))
        session.commit()
    env = dict(os.environ, TELEGRAM_USE_WEBHOOK="true")
    process = subprocess.Popen([sys.executable, "-m", "api.gateways.telegram"], env=env, cwd=PROJECT_ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not clouds.telegram.sent() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    assert [(int(m["chat_id"]), m["text"]) for m in clouds.telegram.sent()] == [(CHAT_ID, "Votre réponse")]
    called = {name for name, _ in clouds.telegram.calls}
    assert "getUpdates" not in called and "deleteWebhook" not in called
