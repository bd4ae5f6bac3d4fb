"""POST /api/v1/referrals: authentication, idempotency (also under concurrency), routing, encryption, alerts."""

from __future__ import annotations

import re
import threading
import uuid

from sqlalchemy import func, select

from api.cases.intake import create_case_from_referral
from api.cases.models import AuditEvent, Case, LiveEvent
from api.cases.schemas import ReferralIn
from api.crypto import decrypt
from api.outbox.models import InboundMessage, OutboundMessage
from api.privacy.models import CaseStatistic, PersonErasure
from tests.api.cases.fixtures import SERVICE_TOKEN, referral_body, service_headers


def test_a_referral_creates_a_queued_case_with_a_short_unambiguous_reference(client, seeded) -> None:
    response = client.post("/api/v1/referrals", json=referral_body(triage={"violence": True}),
                           headers=service_headers())
    assert response.status_code == 201
    data = response.json()
    assert re.fullmatch(r"MS-[234679ACDEFGHJKMNPQRTUVWXYZ]{6}", data["reference"])
    assert data["status"] == "queued" and data["triage_level"] == "violence" and data["priority"] == 120


def test_the_same_idempotency_key_twice_returns_the_same_case_with_200(client, factory, seeded) -> None:
    headers = service_headers("key-replayed")
    first = client.post("/api/v1/referrals", json=referral_body(), headers=headers)
    second = client.post("/api/v1/referrals", json=referral_body(), headers=headers)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_concurrent_referrals_with_one_key_create_exactly_one_case(factory, seeded) -> None:
    body = ReferralIn(**referral_body())
    results: list[tuple[int, bool]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(10)

    def send() -> None:
        try:
            with factory() as session:
                barrier.wait()
                case, created = create_case_from_referral(session, body, "same-key-from-ten-threads")
                results.append((case.id, created))
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len({case_id for case_id, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_a_referral_without_the_service_token_is_refused_with_a_code(client, seeded) -> None:
    response = client.post("/api/v1/referrals", json=referral_body(),
                           headers={"Authorization": "Bearer wrong", "Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_service_token"


def test_a_referral_without_an_idempotency_key_is_refused(client, seeded) -> None:
    response = client.post("/api/v1/referrals", json=referral_body(),
                           headers={"Authorization": f"Bearer {SERVICE_TOKEN}"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]


def test_the_callback_number_is_stored_only_encrypted(client, factory, seeded) -> None:
    data = client.post("/api/v1/referrals", headers=service_headers(),
                       json=referral_body(contact="callback", callback_number="+212612345678")).json()
    with factory() as session:
        case = session.get(Case, data["case_id"])
        assert "612345678" not in case.callback_number_encrypted
        assert decrypt(case.callback_number_encrypted) == "+212612345678"


def test_a_case_lands_in_the_queue_serving_its_town_else_the_default_queue(client, factory, seeded) -> None:
    rabat = client.post("/api/v1/referrals", json=referral_body(city="Rabat"), headers=service_headers()).json()
    elsewhere = client.post("/api/v1/referrals", json=referral_body(city="Dakhla"), headers=service_headers()).json()
    with factory() as session:
        assert session.get(Case, rabat["case_id"]).queue_id == seeded.queue_b
        assert session.get(Case, elsewhere["case_id"]).queue_id == seeded.queue_a


def test_an_emergency_raises_a_live_alert_for_its_association_and_is_audited(client, factory, seeded) -> None:
    data = client.post("/api/v1/referrals", json=referral_body(triage={"emergency": True}),
                       headers=service_headers()).json()
    with factory() as session:
        event = session.scalars(select(LiveEvent).where(LiveEvent.case_id == data["case_id"])).one()
        audit = session.scalars(select(AuditEvent).where(AuditEvent.case_id == data["case_id"])).one()
    assert event.kind == "case_created" and event.payload["emergency"] is True
    assert event.association_id == seeded.assoc_a
    assert audit.action == "case_created" and audit.actor == "service"


def test_an_unknown_language_code_falls_back_to_french(client, factory, seeded) -> None:
    data = client.post("/api/v1/referrals", json=referral_body(language="xx"), headers=service_headers()).json()
    with factory() as session:
        assert session.get(Case, data["case_id"]).language == "fr"


def test_the_reference_the_bot_already_told_the_person_is_kept(client, seeded) -> None:
    told = client.post("/api/v1/referrals", json=referral_body(reference="MS-7K3Q9P"), headers=service_headers())
    assert told.status_code == 201 and told.json()["reference"] == "MS-7K3Q9P"


def test_a_malformed_or_already_used_bot_reference_is_replaced_by_a_fresh_one(client, seeded) -> None:
    first = client.post("/api/v1/referrals", json=referral_body(reference="MS-7K3Q9P"), headers=service_headers())
    clash = client.post("/api/v1/referrals", json=referral_body(reference="MS-7K3Q9P"), headers=service_headers())
    odd = client.post("/api/v1/referrals", json=referral_body(reference="<b>x</b>"), headers=service_headers())
    references = [first.json()["reference"], clash.json()["reference"], odd.json()["reference"]]
    assert references[0] == "MS-7K3Q9P" and len(set(references)) == 3
    assert all(re.fullmatch(r"MS-[234679ACDEFGHJKMNPQRTUVWXYZ]{6}", ref) for ref in references)


def test_the_bot_erases_a_person_with_its_service_token_only(client, factory, seeded) -> None:
    created = client.post("/api/v1/referrals", headers=service_headers(),
                          json=referral_body(conversation_id="tg-forgetme", contact="callback",
                                             callback_number="+212612345678", summary="my story")).json()
    refused = client.post("/api/v1/persons/tg-forgetme/erase", headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 401
    erased = client.post("/api/v1/persons/tg-forgetme/erase", headers=service_headers())
    assert erased.status_code == 200 and erased.json() == {"erased_cases": 1}
    with factory() as session:
        assert session.get(Case, created["case_id"]) is None
        assert session.scalar(select(CaseStatistic.cases)) == 1
    again = client.post("/api/v1/persons/tg-forgetme/erase", headers=service_headers())
    assert again.json() == {"erased_cases": 0}


def test_erasure_also_drops_the_texts_the_gateway_kept(client, factory, seeded) -> None:
    with factory() as session:
        session.add_all([
            InboundMessage(conversation_id="tg-forgetme2", channel="tg", status="pending", text="my story"),
            InboundMessage(conversation_id="tg-forgetme2", channel="tg", status="processing", text="yes, forget me"),
            InboundMessage(conversation_id="tg-someone", channel="tg", status="done", text="other story"),
            OutboundMessage(conversation_id="tg-forgetme2", channel="tg", status="sent", payload={"text": "answer"}),
            OutboundMessage(conversation_id="tg-forgetme2", channel="tg", status="pending", payload={"text": "still to send"}),
        ])
        session.commit()
    assert client.post("/api/v1/persons/tg-forgetme2/erase", headers=service_headers()).status_code == 200
    with factory() as session:
        inbound = {row.conversation_id: row.text for row in session.scalars(select(InboundMessage))}
        outbound = [row.payload["text"] for row in session.scalars(select(OutboundMessage))]
    # The message of the turn in progress goes once Rasa has answered it (api/forgetting/erasure.py).
    assert inbound == {"tg-forgetme2": "yes, forget me", "tg-someone": "other story"}
    assert outbound == []
    with factory() as session:  # and the bot's copy goes once Rasa has finished the turn
        request = session.get(PersonErasure, "tg-forgetme2")
        assert request is not None and request.tracker_done_at is None
