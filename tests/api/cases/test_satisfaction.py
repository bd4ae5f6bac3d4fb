"""After closing, one optional "did this help? 1-5"; the answer is stored anonymously and shown in the stats."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.cases.models import CaseSatisfaction
from api.cases.satisfaction import score_of
from api.gateways.conversation import conversation_id_for, handle_incoming, remember_identity
from api.nlg.render import render_response
from api.outbox.messages import IncomingMessage
from api.outbox.models import OutboundMessage
from tests.api.cases.fixtures import create_case, login


def close(client, **overrides) -> dict:  # type: ignore[no-untyped-def]
    created = create_case(client, **overrides)
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    assert client.post(f"/api/v1/cases/{created['case_id']}/close", json={"outcome": "informed"}).status_code == 200
    return created


def test_scores_are_read_from_buttons_and_typed_digits_only() -> None:
    assert [score_of(t) for t in ("4", " 1 ", "٥", '/csat_answer{"score": 3}', '/csat_answer{"score": 9}',
                                  "6", "0", "12", "merci", "4 stars", "")] == [4, 1, 5, 3, None, None, None, None,
                                                                              None, None, None]


# The gateway reads the pending question with the rest in one query (api/gateways/conversation.py
# `_known`): for a person who wrote before, and for a first message once its identity is stored.
@pytest.mark.parametrize("wrote_before", [True, False])
async def test_the_person_is_asked_after_closing_and_their_typed_score_is_kept_anonymously(
        client, factory, seeded, wrote_before: bool) -> None:
    login(client, "op.a@example.org")
    conversation_id = conversation_id_for("tg", "9001")
    if wrote_before:
        with factory() as session:
            remember_identity(session, "tg", "9001")
            session.commit()
    created = close(client, conversation_id=conversation_id, language="ar")
    with factory() as session:
        last = session.scalars(select(OutboundMessage).order_by(OutboundMessage.id.desc()).limit(1)).one()
        question = render_response("case.csat_question", "ar", {})
        assert last.payload["text"] == question.text
        assert [b["payload"] for b in last.payload["buttons"]] == [f'/csat_answer{{"score": {n}}}' for n in range(1, 6)]
        replies = await handle_incoming(session, IncomingMessage(channel="tg", user_key="9001", text="٤"))
        assert [r.text for r in replies] == [render_response("case.csat_thanks", "ar", {}).text]
        answer = session.scalars(select(CaseSatisfaction)).one()
        assert (answer.score, answer.language, answer.conversation_id, answer.case_id) == (
            4, "ar", None, created["case_id"])
        assert answer.operator_id == seeded.operator_a and answer.queue_id == seeded.queue_a

    login(client, "sup.a@example.org")
    page = client.get("/console/stats?lang=en").text
    assert "Asked: 1 · Answered: 1" in page
    assert "<td>Oujda</td><td>1</td><td>4.0</td>" in page and "<td>ar</td><td>1</td><td>4.0</td>" in page
    assert "<td>op.a@example.org</td><td>1</td><td>4.0</td>" in page


async def test_any_other_message_goes_to_the_bot_and_a_later_digit_is_not_a_score(client, factory, seeded) -> None:
    login(client, "op.a@example.org")
    close(client, conversation_id=conversation_id_for("tg", "9002"))
    with factory() as session:
        thanks = render_response("case.csat_thanks", "fr", {}).text
        first = await handle_incoming(session, IncomingMessage(channel="tg", user_key="9002", text="j'ai une question"))
        later = await handle_incoming(session, IncomingMessage(channel="tg", user_key="9002", text="2"))
        assert thanks not in [r.text for r in first + later]
        answer = session.scalars(select(CaseSatisfaction)).one()
        assert answer.score is None and answer.conversation_id is None


def test_a_phone_caller_is_not_asked_and_an_erasure_removes_the_answer_with_the_case(client, factory, seeded) -> None:
    login(client, "op.a@example.org")
    close(client, channel="voice", contact="callback", conversation_id="voice-caller-9")
    with factory() as session:
        assert session.scalars(select(CaseSatisfaction)).all() == []
    created = close(client, conversation_id="tg-erased-9")
    login(client, "sup.a@example.org")  # a closed case: a supervisor erases at the person's request
    assert client.post(f"/api/v1/cases/{created['case_id']}/erase-person").status_code == 200
    with factory() as session:
        assert session.scalars(select(CaseSatisfaction)).all() == []
