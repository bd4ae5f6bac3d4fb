"""What the gateway keeps of a message: no number, document or email in Rasa or a row; the number for the case."""

from __future__ import annotations

import uuid

from sqlalchemy import inspect, select, text
from sqlalchemy.orm import Session

from api.auth.accounts import create_operator
from api.cases import workflow
from api.cases.intake import create_case_from_referral
from api.cases.models import Case, CaseMessage
from api.cases.schemas import ReferralIn
from api.crypto import decrypt
from api.gateways.conversation import conversation_id_for, handle_incoming
from api.outbox.messages import IncomingMessage
from api.privacy.models import CapturedContact

NUMBER = "06 12 34 56 78"
E164 = "+212612345678"


def every_stored_value(session: Session) -> str:
    """Every value of every table of the app database, as text (what someone reading the file would find)."""
    values = []
    for table in inspect(session.get_bind()).get_table_names():
        for row in session.execute(text(f'SELECT * FROM "{table}"')):
            values += [str(value) for value in row]
    return "\n".join(values)


def digits_of(number: str) -> str:
    return "".join(ch for ch in number if ch.isdigit())


async def test_a_typed_number_reaches_neither_rasa_nor_any_row_and_goes_encrypted_to_the_callback_case(
        factory, clouds) -> None:
    person = IncomingMessage(channel="web", user_key="t" * 24, text=f"appelez-moi au {NUMBER} svp")
    with factory() as session:
        await handle_incoming(session, person)
    [sent] = clouds.rasa.received
    assert sent["message"] == "appelez-moi au [☎] svp" and sent["metadata"]["contact_captured"] is True
    conversation_id = conversation_id_for("web", "t" * 24)
    with factory() as session:
        stored = every_stored_value(session)
        assert digits_of(NUMBER)[1:] not in stored.replace(" ", "")
        assert decrypt(session.get(CapturedContact, conversation_id).encrypted_number) == E164
        # The bot's referral says "callback" without the number; the backend attaches the kept one.
        case, _ = create_case_from_referral(session, ReferralIn(
            conversation_id=conversation_id, channel="web", consent=True, contact="callback"), str(uuid.uuid4()))
        assert decrypt(case.callback_number_encrypted) == E164
        assert session.get(CapturedContact, conversation_id) is None


async def test_documents_and_emails_are_replaced_before_rasa_and_the_inbound_row(factory, clouds) -> None:
    clouds.rasa.up = False  # the message waits in the inbound table: what is kept there?
    with factory() as session:
        await handle_incoming(session, IncomingMessage(channel="tg", user_key="77", text=(
            "ma carte AB123456 et mon mail awa@example.org")))
        stored = every_stored_value(session)
    assert "AB123456" not in stored and "awa@example.org" not in stored
    assert "ma carte [#] et mon mail [@]" in stored


async def test_a_typed_location_is_rounded_like_a_shared_one(factory, clouds) -> None:
    with factory() as session:
        await handle_incoming(session, IncomingMessage(
            channel="web", user_key="u" * 24, text='/share_location{"latitude": 34.681449, "longitude": -1.908612}'))
    assert clouds.rasa.received[0]["message"] == '/share_location{"latitude": 34.68, "longitude": -1.91}'


async def test_a_typed_location_off_the_globe_loses_its_numbers(factory, clouds) -> None:
    with factory() as session:
        for typed in ('/share_location{"latitude": 999, "longitude": 0}', '/share_location{"latitude": "x"}',
                      "/share_location{not json"):
            await handle_incoming(session, IncomingMessage(channel="web", user_key="v" * 24, text=typed))
    assert [m["message"] for m in clouds.rasa.received] == ["/share_location"] * 3


def held_case(session: Session, channel: str, user_key: str) -> Case:
    from api.gateways.conversation import remember_identity

    conversation_id = remember_identity(session, channel, user_key)
    case, _ = create_case_from_referral(session, ReferralIn(conversation_id=conversation_id, channel=channel,
                                                            consent=True), str(uuid.uuid4()))
    operator = create_operator(session, f"op-{uuid.uuid4().hex[:8]}@example.org", "a long enough password",
                               association_id=case.queue.association_id)
    session.commit()
    return workflow.claim_case(session, operator, case.id)


async def test_a_number_written_to_the_operator_is_redacted_in_the_case_and_kept_as_its_callback_number(
        factory, clouds) -> None:
    with factory() as session:
        case = held_case(session, "tg", "88")
        await handle_incoming(session, IncomingMessage(channel="tg", user_key="88", text=f"mon numéro {NUMBER}"))
        assert session.scalars(select(CaseMessage.text)).all() == ["mon numéro [☎]"]
        session.refresh(case)
        assert decrypt(case.callback_number_encrypted) == E164
    assert clouds.rasa.received == []


async def test_forget_while_an_operator_holds_the_case_goes_to_the_bot_with_its_confirmation(factory, clouds) -> None:
    with factory() as session:
        held_case(session, "tg", "99")
        await handle_incoming(session, IncomingMessage(channel="tg", user_key="99", text="/forget"))
        await handle_incoming(session, IncomingMessage(channel="tg", user_key="99", text="oui"))
        await handle_incoming(session, IncomingMessage(channel="tg", user_key="99", text="merci"))
        # The bot got the command and the answer to its question; the next message is the operator's again.
        assert [m["message"] for m in clouds.rasa.received] == ["/forget_me", "oui"]
        assert session.scalars(select(CaseMessage.text)).all() == ["merci"]
