"""A case shows the person's earlier cases (same conversation id) of the operator's association, with outcomes and notes."""

from __future__ import annotations

from tests.api.cases.fixtures import create_case, login


def test_earlier_cases_of_the_same_person_are_listed_with_outcome_and_notes_only_in_my_association(
        client, seeded) -> None:
    login(client, "op.a@example.org")
    first = create_case(client, conversation_id="wa-same-person")
    client.post(f"/api/v1/cases/{first['case_id']}/claim")
    client.post(f"/api/v1/cases/{first['case_id']}/notes", json={"text": "Orientée vers le centre de santé"})
    client.post(f"/api/v1/cases/{first['case_id']}/close", json={"outcome": "informed"})
    elsewhere = create_case(client, conversation_id="wa-same-person", city="Rabat")  # association B's queue
    create_case(client, conversation_id="wa-someone-else")
    current = create_case(client, conversation_id="wa-same-person")

    previous = client.get(f"/api/v1/cases/{current['case_id']}/previous").json()
    assert [(p["reference"], p["status"], p["outcome"], p["notes"]) for p in previous] == [
        (first["reference"], "resolved", "informed", ["Orientée vers le centre de santé"])]
    page = client.get(f"/console/cases/{current['case_id']}").text
    assert f'<a href="/console/cases/{first["case_id"]}">{first["reference"]}</a>' in page
    assert elsewhere["reference"] not in page

    login(client, "op.b@example.org")
    assert client.get(f"/api/v1/cases/{elsewhere['case_id']}/previous").json() == []
    assert client.get(f"/api/v1/cases/{current['case_id']}/previous").status_code == 404


def test_a_phone_callers_earlier_calls_are_listed_and_an_erased_person_has_none(client, seeded) -> None:
    login(client, "op.a@example.org")
    first = create_case(client, conversation_id="voice-caller-1", channel="voice", contact="callback")
    current = create_case(client, conversation_id="voice-caller-1", channel="voice", contact="callback")
    assert [p["reference"] for p in client.get(f"/api/v1/cases/{current['case_id']}/previous").json()] == [
        first["reference"]]
    assert "Previous calls from this number" in client.get(f"/console/cases/{current['case_id']}?lang=en").text
    client.post(f"/api/v1/cases/{current['case_id']}/claim")
    client.post(f"/api/v1/cases/{current['case_id']}/erase-person")
    assert client.get(f"/api/v1/cases/{current['case_id']}/previous").status_code == 404
