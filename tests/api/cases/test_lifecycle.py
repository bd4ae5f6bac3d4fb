"""A case's life through the operator API: claim, wait for the person, reply, note, refer, transfer, close."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.cases.access import ALLOWED_TRANSITIONS, can_transition
from api.cases.handoff import record_person_message
from api.cases.models import AuditEvent, Case, CaseMessage, LiveEvent, Operator
from api.nlg.render import render_response
from api.outbox.models import OutboundMessage
from tests.api.cases.fixtures import create_case, login


def test_a_case_goes_from_queued_to_claimed_to_waiting_and_back_to_resolved(client, factory, seeded) -> None:
    created = create_case(client, language="en", triage={"pregnant": True})
    login(client, "op.a@example.org")
    claimed = client.post("/api/v1/cases/claim-next")
    assert claimed.status_code == 200 and claimed.json()["id"] == created["case_id"]
    assert claimed.json()["status"] == "claimed" and claimed.json()["assigned_to_me"] is True
    case_id = created["case_id"]

    assert client.post(f"/api/v1/cases/{case_id}/waiting-person").json()["status"] == "waiting_person"
    with factory() as session:
        case = session.get(Case, case_id)
        record_person_message(session, case, "I am still here")
        session.commit()
    assert client.get(f"/api/v1/cases/{case_id}").json()["status"] == "claimed"

    reply = client.post(f"/api/v1/cases/{case_id}/reply", json={"text": "Go to the health centre tomorrow"})
    assert reply.status_code == 201
    assert client.post(f"/api/v1/cases/{case_id}/notes", json={"text": "first call"}).status_code == 201
    referral = client.post(f"/api/v1/cases/{case_id}/referrals",
                           json={"service_name": "Centre de santé urbain", "service_kind": "health_centre",
                                 "city": "Oujda"})
    assert referral.status_code == 201
    closed = client.post(f"/api/v1/cases/{case_id}/close", json={"outcome": "informed", "note": "done"})
    assert closed.status_code == 200
    detail = closed.json()
    assert detail["status"] == "resolved" and detail["outcome"] == "informed" and detail["closed_at"]
    assert [m["direction"] for m in detail["messages"]] == ["in", "out"]
    assert [n["text"] for n in detail["notes"]] == ["first call", "done"]
    assert detail["referrals"][0]["service_name"] == "Centre de santé urbain"

    with factory() as session:
        conversation = session.get(Case, case_id).conversation_id
        outbox = [row.payload["text"] for row in session.scalars(
            select(OutboundMessage).where(OutboundMessage.conversation_id == conversation)
            .order_by(OutboundMessage.id))]
        actions = [a.action for a in session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id)
                                                      .order_by(AuditEvent.id))]
    connected = render_response("case.operator_connected", "en", {}).text
    notice = render_response("case.closed_notice", "en", {"reference": created["reference"]}).text
    question = render_response("case.csat_question", "en", {}).text  # the optional "did this help?"
    assert outbox == [connected, "Go to the health centre tomorrow", notice, question]
    assert actions == ["case_created", "case_claimed", "waiting_person", "reply_sent", "note_added", "referred",
                       "case_closed"]
    again = client.post(f"/api/v1/cases/{case_id}/reply", json={"text": "hello?"})
    assert again.status_code == 409 and again.json()["code"] == "case_not_open"


def test_closing_with_referred_to_service_ends_in_the_referred_status(client, seeded) -> None:
    created = create_case(client)
    login(client, "op.a@example.org")
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    closed = client.post(f"/api/v1/cases/{created['case_id']}/close", json={"outcome": "referred_to_service"})
    assert closed.json()["status"] == "referred"


def test_final_statuses_allow_no_further_transition() -> None:
    for status in ("referred", "resolved", "closed"):
        assert ALLOWED_TRANSITIONS[status] == frozenset()
    assert can_transition("queued", "claimed") and not can_transition("queued", "waiting_person")
    assert not can_transition("resolved", "claimed")


def test_a_waiting_case_cannot_be_closed_before_someone_claims_it(client, seeded) -> None:
    created = create_case(client)
    login(client, "op.a@example.org")
    response = client.post(f"/api/v1/cases/{created['case_id']}/close", json={"outcome": "other"})
    assert response.status_code == 409 and response.json()["code"] == "case_not_open"


def test_a_claimed_case_cannot_be_claimed_again(client, seeded) -> None:
    created = create_case(client)
    login(client, "op.a@example.org")
    assert client.post(f"/api/v1/cases/{created['case_id']}/claim").status_code == 200
    other = login(TestClient(client.app), "op.a2@example.org")
    second = other.post(f"/api/v1/cases/{created['case_id']}/claim")
    assert second.status_code == 409 and second.json()["code"] == "case_not_queued"


def test_claim_next_audits_the_claim_and_tells_the_association_consoles(client, factory, seeded) -> None:
    created = create_case(client)
    login(client, "op.a@example.org")
    case_id = client.post("/api/v1/cases/claim-next").json()["id"]
    with factory() as session:
        operator = session.scalars(select(Operator).where(Operator.email == "op.a@example.org")).one()
        claim = session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                         AuditEvent.action == "case_claimed")).one()
        event = session.scalars(select(LiveEvent).where(LiveEvent.case_id == case_id,
                                                        LiveEvent.kind == "case_updated")).one()
    assert (claim.actor, claim.actor_operator_id, claim.details) == ("operator", operator.id, {"via": "next"})
    assert claim.at is not None and event.created_at is not None
    assert event.association_id == operator.association_id
    assert event.payload == {"case_id": case_id, "reference": created["reference"], "status": "claimed",
                             "triage_level": "other"}


def test_claim_next_answers_204_when_nothing_waits(client, seeded) -> None:
    login(client, "op.a@example.org")
    assert client.post("/api/v1/cases/claim-next").status_code == 204


def test_transfer_to_another_queue_puts_the_case_back_in_waiting_there(client, factory, seeded) -> None:
    created = create_case(client)
    login(client, "op.a@example.org")
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    moved = client.post(f"/api/v1/cases/{created['case_id']}/transfer", json={"queue_id": seeded.queue_b})
    assert moved.status_code == 200
    with factory() as session:
        case = session.get(Case, created["case_id"])
        assert (case.status, case.queue_id, case.assigned_operator_id) == ("queued", seeded.queue_b, None)
    assert client.get(f"/api/v1/cases/{created['case_id']}").status_code == 404


def test_transfer_to_a_colleague_hands_them_the_case(client, factory, seeded) -> None:
    created = create_case(client)
    login(client, "op.a@example.org")
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    refused = client.post(f"/api/v1/cases/{created['case_id']}/transfer", json={"operator_id": seeded.operator_b})
    assert refused.status_code == 404 and refused.json()["code"] == "operator_not_found"
    moved = client.post(f"/api/v1/cases/{created['case_id']}/transfer", json={"operator_id": seeded.operator_a2})
    assert moved.status_code == 200 and moved.json()["assigned_operator_id"] == seeded.operator_a2
    after = client.post(f"/api/v1/cases/{created['case_id']}/notes", json={"text": "still mine?"})
    assert after.status_code == 403 and after.json()["code"] == "case_held_by_another_operator"


@pytest.mark.parametrize("outcome", ["unknown", ""])
def test_an_unknown_outcome_is_rejected(client, seeded, outcome: str) -> None:
    created = create_case(client)
    login(client, "op.a@example.org")
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    assert client.post(f"/api/v1/cases/{created['case_id']}/close", json={"outcome": outcome}).status_code == 422


def test_new_person_messages_are_listed_after_the_last_one_seen(client, factory, seeded) -> None:
    created = create_case(client)
    login(client, "op.a@example.org")
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    with factory() as session:
        case = session.get(Case, created["case_id"])
        first = record_person_message(session, case, "one")
        record_person_message(session, case, "two", media_url="https://example.org/voice.ogg")
        session.commit()
        first_id = first.id
        assert session.scalar(select(CaseMessage.text).where(CaseMessage.id == first_id)) == "one"
    newer = client.get(f"/api/v1/cases/{created['case_id']}/messages", params={"after": first_id}).json()
    assert [(m["text"], m["media_url"]) for m in newer] == [("two", "https://example.org/voice.ogg")]


def test_a_phone_caller_gets_a_call_back_not_a_chat_message(client, factory, seeded) -> None:
    created = create_case(client, channel="voice", contact="callback", callback_number="+212612345678")
    login(client, "op.a@example.org")
    assert client.post("/api/v1/cases/claim-next").json()["id"] == created["case_id"]
    reply = client.post(f"/api/v1/cases/{created['case_id']}/reply", json={"text": "hello"})
    assert reply.status_code == 409 and reply.json()["code"] == "no_chat_channel"
    page = client.get(f"/console/cases/{created['case_id']}")
    # The number to call is one click away (revealed and audited), never in the page itself.
    assert 'id="reply-form"' not in page.text and 'id="reveal-number"' in page.text
    assert "+212612345678" not in page.text
    assert client.post(f"/api/v1/cases/{created['case_id']}/callback-number").json()["callback_number"] == "+212612345678"
    with factory() as session:  # nothing waits forever in an outbox no channel delivers
        assert session.scalars(select(OutboundMessage)).all() == []
