"""WhatsApp through Twilio: signed webhooks only, replies through Twilio's REST API, numbered choices."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from api.cases.models import CaseMessage
from api.gateways import whatsapp
from api.gateways.conversation import conversation_id_for, remember_identity
from api.nlg.render import render_response
from api.outbox.delivery import deliver_pending, enqueue_outbound, register_sender
from api.outbox.messages import BotReply, Button
from api.outbox.models import ChannelIdentity, InboundMessage, OutboundMessage
from tests.api.gateways.cases_for_tests import case_held_by_operator
from tests.api.gateways.conftest import WHATSAPP_FROM
from tests.api.gateways.webhook_requests import signed_post

PHONE = "+212612345678"
PATH = "/webhooks/whatsapp"


def message(body: str = "", **fields: str) -> dict[str, str]:
    return {"From": f"whatsapp:{PHONE}", "To": WHATSAPP_FROM, "Body": body, "NumMedia": "0",
            "MessageSid": "SM" + "1" * 32, "AccountSid": "AC" + "0" * 32, **fields}


def test_a_signed_message_is_answered_through_twilio_with_an_empty_twiml_ack(whatsapp_client, clouds) -> None:
    clouds.rasa.replies = [{"text": "Bonjour, je peux vous aider."}]
    response = signed_post(whatsapp_client, PATH, message("salut"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert response.text.endswith("<Response />")
    assert clouds.rasa.received[0]["message"] == "salut"
    assert clouds.rasa.received[0]["sender"] == conversation_id_for("wa", PHONE)
    sent = clouds.twilio.messages
    assert [(m["From"], m["To"], m["Body"]) for m in sent] == [
        (WHATSAPP_FROM, f"whatsapp:{PHONE}", "Bonjour, je peux vous aider.")]


@pytest.mark.parametrize("signature", ["", "forged-signature", "use-a-wrong-token"])
def test_an_unsigned_or_forged_request_is_refused_and_nothing_is_stored_or_forwarded(
        whatsapp_client, clouds, factory, signature) -> None:
    if signature == "use-a-wrong-token":
        response = signed_post(whatsapp_client, PATH, message("salut"), token="not-our-token")
    else:
        response = signed_post(whatsapp_client, PATH, message("salut"), signature=signature)
    assert response.status_code == 403
    assert response.json()["code"] == "invalid_twilio_signature"
    assert clouds.rasa.received == [] and clouds.twilio.messages == []
    with factory() as session:
        for table in (ChannelIdentity, InboundMessage, OutboundMessage):
            assert session.scalar(select(func.count()).select_from(table)) == 0


def test_a_signature_for_other_fields_is_refused(whatsapp_client, clouds) -> None:
    from twilio.request_validator import RequestValidator

    from tests.api.gateways.conftest import PUBLIC_BASE_URL, TWILIO_TOKEN
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(PUBLIC_BASE_URL + PATH, message("salut"))
    response = signed_post(whatsapp_client, PATH, message("tampered"), signature=signature)
    assert response.status_code == 403
    assert clouds.rasa.received == []


def test_buttons_are_offered_as_numbered_choices_and_a_number_sends_the_payload(whatsapp_client, clouds) -> None:
    clouds.rasa.replies = [{"text": "Que voulez-vous savoir ?", "buttons": [
        {"title": "Mes droits", "payload": "/rights_free_care"},
        {"title": "Parler à quelqu'un", "payload": "/request_human"}]}]
    signed_post(whatsapp_client, PATH, message("menu"))
    assert clouds.twilio.bodies() == ["Que voulez-vous savoir ?\n\n1. Mes droits\n2. Parler à quelqu'un"]
    clouds.rasa.replies = [{"text": "D'accord"}]
    signed_post(whatsapp_client, PATH, message(" 2 "))
    assert clouds.rasa.received[-1]["message"] == "/request_human"


def test_a_number_without_offered_choices_is_sent_as_typed(whatsapp_client, clouds) -> None:
    signed_post(whatsapp_client, PATH, message("3"))
    assert clouds.rasa.received[-1]["message"] == "3"


def test_a_pressed_quick_reply_sends_its_payload(whatsapp_client, clouds) -> None:
    signed_post(whatsapp_client, PATH, message("Oui", ButtonPayload="/affirm", ButtonText="Oui"))
    assert clouds.rasa.received[-1]["message"] == "/affirm"


def test_a_shared_location_reaches_rasa_as_share_location(whatsapp_client, clouds) -> None:
    signed_post(whatsapp_client, PATH, message("", Latitude="34.6814", Longitude="-1.9086"))
    # Rounded to about 1 km before Rasa (and any stored row) sees it.
    assert clouds.rasa.received[-1]["message"] == '/share_location{"latitude": 34.68, "longitude": -1.91}'


def test_a_voice_note_is_acknowledged_in_the_conversation_language(whatsapp_client, clouds) -> None:
    clouds.rasa.slots["language"] = "en"
    signed_post(whatsapp_client, PATH, message("", NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME1",
                                      MediaContentType0="audio/ogg"))
    assert clouds.rasa.received == []
    assert clouds.twilio.bodies() == [render_response("channel.media_acknowledged", "en", {}).text]


def test_a_voice_note_during_a_held_case_is_attached_to_the_case(whatsapp_client, clouds, factory) -> None:
    with factory() as session:
        case = case_held_by_operator(session, conversation_id_for("wa", PHONE), "wa")
    signed_post(whatsapp_client, PATH, message("", NumMedia="1", MediaUrl0="https://api.twilio.com/media/ME2",
                                      MediaContentType0="audio/ogg"))
    with factory() as session:
        stored = session.scalars(select(CaseMessage).where(CaseMessage.case_id == case.id)).all()
    assert [(m.direction, m.media_url, m.media_type) for m in stored] == [
        ("in", "https://api.twilio.com/media/ME2", "audio/ogg")]
    assert clouds.rasa.received == []


def test_a_long_reply_is_split_at_1600_characters_on_line_boundaries(whatsapp_client, clouds) -> None:
    lines = [f"{n:02d} " + "x" * 96 for n in range(40)]  # 40 lines of 99 characters
    clouds.rasa.replies = [{"text": "\n".join(lines)}]
    signed_post(whatsapp_client, PATH, message("tout"))
    bodies = clouds.twilio.bodies()
    assert len(bodies) == 3 and all(len(b) <= 1600 for b in bodies)
    assert "\n".join(bodies).split("\n") == lines


def test_an_overlong_line_is_cut_between_words() -> None:
    parts = whatsapp.split_body(" ".join(["mot"] * 1000))
    assert all(len(p) <= 1600 for p in parts) and all(not p.startswith(" ") for p in parts)
    assert " ".join(parts).split() == ["mot"] * 1000


async def test_an_operator_reply_in_the_outbox_reaches_the_person_on_whatsapp(factory, clouds) -> None:
    register_sender("wa", whatsapp.send_whatsapp)
    with factory() as session:
        conversation_id = remember_identity(session, "wa", PHONE)
        enqueue_outbound(session, conversation_id, BotReply(text="Bonjour, ici l'opératrice."))
        session.commit()
    assert await deliver_pending(factory) == 1
    assert [(m["To"], m["Body"]) for m in clouds.twilio.messages] == [
        (f"whatsapp:{PHONE}", "Bonjour, ici l'opératrice.")]


async def test_a_twilio_failure_keeps_the_message_in_the_outbox_for_a_retry(factory, clouds) -> None:
    register_sender("wa", whatsapp.send_whatsapp)
    clouds.twilio.failures_to_serve = 1
    with factory() as session:
        enqueue_outbound(session, remember_identity(session, "wa", PHONE),
                         BotReply(text="Choisissez", buttons=(Button("Oui", "/affirm"),)))
        session.commit()
    assert await deliver_pending(factory) == 0
    with factory() as session:
        row = session.scalars(select(OutboundMessage)).one()
    assert (row.status, row.attempts) == ("pending", 1)
    assert clouds.twilio.messages == []


def test_no_phone_number_or_message_text_appears_in_the_logs(whatsapp_client, clouds, caplog) -> None:
    caplog.set_level("INFO")
    caplog.set_level("DEBUG", logger="api")
    clouds.rasa.replies = [{"text": "Réponse privée"}]
    signed_post(whatsapp_client, PATH, message("mon secret médical"))
    signed_post(whatsapp_client, PATH, message("x"), signature="forged")
    assert clouds.twilio.messages, "the reply went out"
    assert caplog.records
    for needle in (PHONE, PHONE[1:], "mon secret médical", "Réponse privée"):
        assert needle not in caplog.text
