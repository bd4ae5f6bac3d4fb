"""Association scoping, holders, roles and CSRF: nobody reads or acts on a case that is not theirs to see."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api.cases.fixtures import create_case, login


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/api/v1/cases/{id}", None),
    ("GET", "/api/v1/cases/{id}/messages", None),
    ("POST", "/api/v1/cases/{id}/claim", None),
    ("POST", "/api/v1/cases/{id}/reply", {"text": "hello"}),
    ("POST", "/api/v1/cases/{id}/notes", {"text": "note"}),
    ("POST", "/api/v1/cases/{id}/close", {"outcome": "other"}),
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


def test_the_callback_number_is_shown_only_to_the_operator_holding_the_case(client, seeded) -> None:
    created = create_case(client, contact="callback", callback_number="+212600000042")
    login(client, "op.a@example.org")
    assert client.get(f"/api/v1/cases/{created['case_id']}").json()["callback_number"] is None
    client.post(f"/api/v1/cases/{created['case_id']}/claim")
    assert client.get(f"/api/v1/cases/{created['case_id']}").json()["callback_number"] == "+212600000042"
    colleague = login(TestClient(client.app), "op.a2@example.org")
    assert colleague.get(f"/api/v1/cases/{created['case_id']}").json()["callback_number"] is None


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
