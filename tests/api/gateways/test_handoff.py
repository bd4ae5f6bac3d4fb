"""Human handoff on the channels: the operator holding a case talks with the person, then hands them back."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth.accounts import create_operator
from api.cases import workflow
from api.cases.intake import create_case_from_referral
from api.cases.models import Case, CaseMessage, LiveEvent, Operator
from api.cases.schemas import ReferralIn
from api.core.config import get_settings
from api.gateways import telegram, telegram_sending
from api.gateways.conversation import remember_identity
from api.nlg.render import render_response
from api.outbox.delivery import deliver_pending, register_sender
from tests.api.gateways.conftest import WHATSAPP_FROM
from tests.api.gateways.webhook_requests import signed_post

PHONE = "+212611223344"
CHAT_ID = 55667788
PATH = "/webhooks/whatsapp"


def whatsapp_message(body: str) -> dict[str, str]:
    return {"From": f"whatsapp:{PHONE}", "To": WHATSAPP_FROM, "Body": body, "NumMedia": "0",
            "MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "0" * 32}


def claimed_case(session: Session, channel: str, user_key: str, language: str) -> tuple[Case, Operator]:
    """The person wrote, asked for a human (a referral) and an operator of the case's association claimed it."""
    conversation_id = remember_identity(session, channel, user_key)
    case, _ = create_case_from_referral(
        session, ReferralIn(conversation_id=conversation_id, channel=channel, language=language, consent=True),
        idempotency_key=str(uuid.uuid4()))
    operator = create_operator(session, f"op-{uuid.uuid4().hex[:8]}@example.org", "a long enough password",
                               association_id=case.queue.association_id, languages=[language])
    session.commit()
    return workflow.claim_case(session, operator, case.id), operator


def test_while_an_operator_holds_the_case_the_persons_messages_go_to_the_case_live(
        whatsapp_client, clouds, factory) -> None:
    with factory() as session:
        case, _ = claimed_case(session, "wa", PHONE, "fr")
        case_id = case.id
    signed_post(whatsapp_client, PATH, whatsapp_message("j'ai toujours de la fièvre"))
    with factory() as session:
        stored = session.scalars(select(CaseMessage).where(CaseMessage.case_id == case_id)).all()
        events = session.scalars(select(LiveEvent).where(LiveEvent.case_id == case_id)).all()
    assert [(m.direction, m.text) for m in stored] == [("in", "j'ai toujours de la fièvre")]
    assert "person_message" in [e.kind for e in events]
    assert clouds.rasa.received == [] and clouds.twilio.messages == []


async def test_the_person_is_told_an_operator_took_the_case_and_gets_their_reply_on_whatsapp(
        whatsapp_client, clouds, factory) -> None:
    with factory() as session:
        case, operator = claimed_case(session, "wa", PHONE, "fr")
        workflow.reply_to_person(session, operator, case.id, "Bonjour, je suis là pour vous aider.")
    await deliver_pending(factory)
    assert [(m["To"], m["Body"]) for m in clouds.twilio.messages] == [
        (f"whatsapp:{PHONE}", render_response("case.operator_connected", "fr", {}).text),
        (f"whatsapp:{PHONE}", "Bonjour, je suis là pour vous aider.")]


async def test_closing_the_case_tells_the_person_in_their_language_and_gives_them_back_to_the_bot(
        whatsapp_client, clouds, factory) -> None:
    with factory() as session:
        case, operator = claimed_case(session, "wa", PHONE, "en")
        reference = case.reference
        workflow.close_case(session, operator, case.id, "informed")
    await deliver_pending(factory)
    notices = [render_response("case.operator_connected", "en", {}).text,
               render_response("case.closed_notice", "en", {"reference": reference}).text]
    # Then the optional "did this help? 1-5" (api/cases/satisfaction.py), its choices numbered.
    assert clouds.twilio.bodies()[:2] == notices
    assert clouds.twilio.bodies()[2].startswith(render_response("case.csat_question", "en", {}).text)
    clouds.rasa.replies = [{"text": "Hello again"}]
    signed_post(whatsapp_client, PATH, whatsapp_message("hello"))
    assert [m["message"] for m in clouds.rasa.received] == ["hello"]
    assert clouds.twilio.bodies()[-1] == "Hello again"


async def test_the_operator_notices_and_reply_reach_the_telegram_chat_in_the_persons_language(clouds, factory) -> None:
    application = telegram.build_application(get_settings(), factory)
    await application.initialize()
    try:
        register_sender("tg", telegram_sending.TelegramSender(application.bot))
        with factory() as session:
            case, operator = claimed_case(session, "tg", str(CHAT_ID), "ar")
            workflow.reply_to_person(session, operator, case.id, "مرحبا، أنا هنا")
            workflow.close_case(session, operator, case.id, "informed")
            reference = case.reference
        assert await deliver_pending(factory) == 4
    finally:
        await application.shutdown()
    sent = clouds.telegram.sent()
    assert [int(m["chat_id"]) for m in sent] == [CHAT_ID] * 4
    assert [m["text"] for m in sent] == [
        render_response("case.operator_connected", "ar", {}).text, "مرحبا، أنا هنا",
        render_response("case.closed_notice", "ar", {"reference": reference}).text,
        render_response("case.csat_question", "ar", {}).text]


def test_a_message_to_the_operator_holds_no_database_lock_while_the_emergency_check_waits(factory) -> None:
    """The held-case path commits before it awaits Rasa: another writer is never kept waiting for the lock."""
    from sqlalchemy import text

    from api.gateways.conversation import _route, conversation_id_for
    from api.outbox.messages import IncomingMessage
    from tests.api.gateways.cases_for_tests import case_held_by_operator

    with factory() as session:
        case_held_by_operator(session, conversation_id_for("web", "held-lock"), "web")
        routed = _route(session, IncomingMessage(channel="web", user_key="held-lock", text="bonjour"))
        assert routed.case is not None  # the message goes to the operator, after the emergency check
        assert not session.in_transaction()
        with factory() as other:  # a job round writing meanwhile
            if other.get_bind().dialect.name == "sqlite":
                other.execute(text("PRAGMA busy_timeout = 0"))
            other.execute(text("UPDATE channel_identity SET last_seen_at = last_seen_at"))
            other.commit()
