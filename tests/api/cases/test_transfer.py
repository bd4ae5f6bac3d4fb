"""Handing a case over: to a colleague or back to the queue, with a note; the person is told in their language."""

from __future__ import annotations

from sqlalchemy import select

from api.cases.models import AuditEvent, CaseNote
from api.nlg.render import render_response
from api.outbox.models import OutboundMessage
from tests.api.cases.fixtures import add_operator, create_case, login


def outbox(factory) -> list[str]:  # type: ignore[no-untyped-def]
    with factory() as session:
        return [row.payload["text"] for row in session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))]


def test_a_case_handed_to_a_colleague_keeps_the_note_tells_the_person_and_is_in_the_history(
        client, factory, seeded) -> None:
    login(client, "op.a@example.org")
    created = create_case(client, language="ary")
    case_url = f"/api/v1/cases/{created['case_id']}"
    client.post(f"{case_url}/claim")
    colleagues = [c["email"] for c in client.get("/api/v1/colleagues").json()]
    assert "op.a2@example.org" in colleagues and "op.a@example.org" not in colleagues
    assert "op.b@example.org" not in colleagues

    moved = client.post(f"{case_url}/transfer", json={"operator_id": seeded.operator_a2,
                                                      "note": "Parle darija, rappeler après 18h"})
    assert moved.status_code == 200 and moved.json()["assigned_operator_id"] == seeded.operator_a2
    assert outbox(factory)[-1] == render_response("case.transferred_notice", "ary",
                                                  {"reference": created["reference"]}).text
    with factory() as session:
        note = session.scalars(select(CaseNote).where(CaseNote.case_id == created["case_id"])).one()
        transfer = session.scalars(select(AuditEvent).where(AuditEvent.action == "case_transferred")).one()
    assert note.text == "Parle darija, rappeler après 18h" and note.author_operator_id == seeded.operator_a
    assert transfer.details == {"operator_id": seeded.operator_a2, "note_id": note.id}

    login(client, "op.a2@example.org")
    page = client.get(f"/console/cases/{created['case_id']}").text
    assert "Parle darija, rappeler après 18h" in page
    assert 'data-action="case_transferred"' in page and "→ op.a2@example.org" in page
    # The first operator no longer holds it.
    login(client, "op.a@example.org")
    assert client.post(f"{case_url}/reply", json={"text": "x"}).status_code == 403


def test_back_to_the_queue_the_case_waits_again_and_the_person_is_told(client, factory, seeded) -> None:
    login(client, "op.a@example.org")
    created = create_case(client, language="en")
    case_url = f"/api/v1/cases/{created['case_id']}"
    client.post(f"{case_url}/claim")
    moved = client.post(f"{case_url}/transfer", json={"queue_id": seeded.queue_a, "note": "Needs an Arabic speaker"})
    assert moved.json()["status"] == "queued" and moved.json()["assigned_operator_id"] is None
    assert outbox(factory)[-1] == render_response("case.returned_to_queue_notice", "en",
                                                  {"reference": created["reference"]}).text


def test_a_case_cannot_go_to_an_editor_another_association_or_its_own_holder(client, factory, seeded) -> None:
    with factory() as session:
        editor = add_operator(session, "editor.a@example.org", seeded.assoc_a, "editor")
        session.commit()
        editor_id = editor.id
    login(client, "op.a@example.org")
    created = create_case(client)
    case_url = f"/api/v1/cases/{created['case_id']}"
    client.post(f"{case_url}/claim")
    assert client.post(f"{case_url}/transfer", json={"operator_id": editor_id}).status_code == 404
    assert client.post(f"{case_url}/transfer", json={"operator_id": seeded.operator_b}).status_code == 404
    assert client.post(f"{case_url}/transfer", json={"operator_id": seeded.operator_a}).json()["code"] == \
        "already_holding_case"
    assert "editor.a@example.org" not in [c["email"] for c in client.get("/api/v1/colleagues").json()]
