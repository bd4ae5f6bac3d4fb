"""Approved replies: read in the console's language, sent in the person's, filled with the case's values."""

from __future__ import annotations

from sqlalchemy import select

from api.nlg.render import render_response
from api.outbox.models import OutboundMessage
from tests.api.cases.fixtures import create_case, login


def test_an_operator_reading_french_sends_the_approved_reply_in_arabic(client, factory, seeded) -> None:
    login(client, "op.a@example.org")
    created = create_case(client, language="ar", city="Oujda")
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    replies = {r["key"]: r for r in client.get(f"/api/v1/cases/{created['case_id']}/canned-replies?lang=fr").json()}
    greeting = replies["canned.greeting"]
    assert greeting["operator_language"] == "fr" and created["reference"] in greeting["operator_text"]
    assert greeting["person_language"] == "ar" and greeting["in_person_language"] is True
    assert greeting["person_text"] == render_response("canned.greeting", "ar", {"reference": created["reference"]}).text
    assert "Oujda" in replies["canned.confirm_town"]["person_text"]

    sent = client.post(f"/api/v1/cases/{created['case_id']}/canned-replies", json={"key": "canned.greeting"})
    assert sent.status_code == 201 and sent.json()["text"] == greeting["person_text"]
    with factory() as session:
        outbox = [row.payload["text"] for row in session.scalars(select(OutboundMessage).order_by(OutboundMessage.id))]
    assert outbox[-1] == greeting["person_text"]


def test_a_reply_needing_a_town_is_not_offered_when_the_case_has_none(client, seeded) -> None:
    login(client, "op.a@example.org")
    created = create_case(client, city=None)
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    keys = [r["key"] for r in client.get(f"/api/v1/cases/{created['case_id']}/canned-replies").json()]
    assert "canned.greeting" in keys and "canned.confirm_town" not in keys
    refused = client.post(f"/api/v1/cases/{created['case_id']}/canned-replies", json={"key": "canned.confirm_town"})
    assert refused.status_code == 409 and refused.json()["code"] == "canned_reply_needs_values"


def test_only_catalog_replies_can_be_sent_and_only_by_the_holder(client, seeded) -> None:
    login(client, "op.a@example.org")
    created = create_case(client)
    case_url = f"/api/v1/cases/{created['case_id']}/canned-replies"
    assert client.post(case_url, json={"key": "canned.greeting"}).json()["code"] == "case_not_open"
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    assert client.post(case_url, json={"key": "utter_privacy"}).status_code == 404
    # A text sent along is not what goes out: the approved text is rendered by the server.
    sent = client.post(case_url, json={"key": "canned.greeting", "text": "anything"}).json()
    assert sent["text"] == render_response("canned.greeting", "fr", {"reference": created["reference"]}).text
    login(client, "op.a2@example.org")
    assert client.post(case_url, json={"key": "canned.greeting"}).status_code == 403
