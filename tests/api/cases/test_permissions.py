"""Association scoping, holders, roles and CSRF: nobody reads or acts on a case that is not theirs to see."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.cases.models import AuditEvent, Case
from api.nlg.render import render_response
from api.outbox.models import OutboundMessage
from api.privacy.models import CaseStatistic
from tests.api.cases.fixtures import create_case, login


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/api/v1/cases/{id}", None),
    ("GET", "/api/v1/cases/{id}/messages", None),
    ("POST", "/api/v1/cases/{id}/claim", None),
    ("POST", "/api/v1/cases/{id}/reply", {"text": "hello"}),
    ("POST", "/api/v1/cases/{id}/notes", {"text": "note"}),
    ("POST", "/api/v1/cases/{id}/close", {"outcome": "other"}),
    ("POST", "/api/v1/cases/{id}/callback-number", None),
    ("POST", "/api/v1/cases/{id}/erase-person", None),
    ("GET", "/console/cases/{id}", None),
])
def test_an_operator_of_association_b_cannot_read_or_act_on_association_a_case(client, seeded, method, path,
                                                                               body) -> None:
    created = create_case(client, city="Oujda")
    login(client, "op.b@example.org")
    response = client.request(method, path.format(id=created["case_id"]), json=body)
    assert response.status_code == 404
    assert response.json() == {"code": "case_not_found", "detail": "No such case in your association's queues."}


def test_the_queue_lists_only_the_operators_association(client, seeded) -> None:
    mine = create_case(client, city="Rabat")
    create_case(client, city="Oujda")
    login(client, "op.b@example.org")
    assert [c["id"] for c in client.get("/api/v1/cases").json()] == [mine["case_id"]]


def test_claim_next_never_takes_another_associations_case(client, seeded) -> None:
    create_case(client, city="Oujda", triage={"emergency": True})
    login(client, "op.b@example.org")
    assert client.post("/api/v1/cases/claim-next").status_code == 204


def test_an_operator_cannot_act_on_a_case_a_colleague_holds_but_a_supervisor_can(client, seeded) -> None:
    created = create_case(client)
    login(client, "op.a@example.org")
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    colleague = login(TestClient(client.app), "op.a2@example.org")
    refused = colleague.post(f"/api/v1/cases/{created['case_id']}/reply", json={"text": "hi"})
    assert refused.status_code == 403 and refused.json()["code"] == "case_held_by_another_operator"
    supervisor = login(TestClient(client.app), "sup.a@example.org")
    assert supervisor.post(f"/api/v1/cases/{created['case_id']}/notes", json={"text": "checked"}).status_code == 201


def test_the_callback_number_is_revealed_only_to_the_operator_holding_the_case_and_each_reveal_is_audited(
        client, factory, seeded) -> None:
    created = create_case(client, contact="callback", callback_number="+212600000042")
    url = f"/api/v1/cases/{created['case_id']}"
    login(client, "op.a@example.org")
    assert "+212600000042" not in client.get(url).text  # never in the case itself
    assert client.post(f"{url}/callback-number").status_code == 403  # not claimed yet
    client.post(f"{url}/claim")
    detail = client.get(url).json()
    assert (detail["has_callback_number"], detail["may_reveal_number"]) == (True, True)
    assert "+212600000042" not in client.get(url).text
    for _ in range(2):
        revealed = client.post(f"{url}/callback-number")
        assert revealed.json() == {"callback_number": "+212600000042"}
        assert revealed.headers["cache-control"] == "no-store"
    for email in ("op.a2@example.org", "sup.a@example.org", "admin.a@example.org", "op.b@example.org"):
        other = login(TestClient(client.app), email)
        assert other.post(f"{url}/callback-number").status_code in (403, 404), email
        assert "+212600000042" not in other.get(url).text
    with factory() as session:
        reveals = session.scalars(select(AuditEvent).where(AuditEvent.action == "callback_number_revealed")).all()
    assert [(r.case_id, r.actor_operator_id) for r in reveals] == [(created["case_id"], seeded.operator_a)] * 2


def test_an_operator_erases_a_person_at_their_request_and_only_the_holder_or_a_supervisor_may(
        client, factory, seeded) -> None:
    created = create_case(client, conversation_id="tg-askedtoerase", contact="callback", callback_number="+212600000043")
    create_case(client, conversation_id="tg-askedtoerase", topic="hiv_sti")  # a second case of the same person
    url = f"/api/v1/cases/{created['case_id']}/erase-person"
    login(client, "op.a@example.org")
    colleague = login(TestClient(client.app), "op.a2@example.org")
    assert colleague.post(url).status_code == 403
    assert login(TestClient(client.app), "op.b@example.org").post(url).status_code == 404
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    assert client.post(url).json() == {"erased_cases": 2}
    with factory() as session:
        assert session.scalars(select(Case).where(Case.conversation_id == "tg-askedtoerase")).all() == []
        assert sum(session.scalars(select(CaseStatistic.cases))) == 2
        [told] = session.scalars(select(OutboundMessage).where(OutboundMessage.conversation_id == "tg-askedtoerase"))
        assert told.payload["text"] == render_response("utter_forget_done", "fr", {}).text
        erased = session.scalars(select(AuditEvent).where(AuditEvent.action == "person_data_erased")).one()
        assert (erased.actor, erased.actor_operator_id, erased.case_id) == ("operator", seeded.operator_a, None)


def test_statistics_are_for_supervisors_only(client, seeded) -> None:
    create_case(client, triage={"violence": True})
    login(client, "op.a@example.org")
    refused = client.get("/api/v1/stats")
    assert refused.status_code == 403 and refused.json()["code"] == "role_required"
    supervisor = login(TestClient(client.app), "sup.a@example.org")
    stats = supervisor.get("/api/v1/stats").json()
    assert stats["waiting_by_level"]["violence"] == 1 and stats["cases_total"] == 1


def test_writes_without_the_csrf_token_are_refused(client, seeded) -> None:
    login(client, "op.a@example.org")
    del client.headers["X-CSRF-Token"]
    response = client.post("/api/v1/cases/claim-next")
    assert response.status_code == 403 and response.json()["code"] == "csrf_token_invalid"


def test_operator_api_without_a_session_is_401(client, seeded) -> None:
    response = client.get("/api/v1/cases")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
