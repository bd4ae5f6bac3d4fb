"""Capacity: an operator at their maximum of held cases cannot claim another, even with concurrent clicks."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from api.cases.intake import create_case_from_referral
from api.cases.models import Case, Operator
from api.cases.schemas import ReferralIn
from api.cases.workflow import claim_next_case
from api.core.errors import Conflict
from tests.api.cases.fixtures import create_case, login, referral_body


def _set_capacity(factory, operator_id: int, limit: int | None) -> None:  # type: ignore[no-untyped-def]
    with factory() as session:
        session.get(Operator, operator_id).max_cases = limit
        session.commit()


def test_claim_next_and_claim_are_refused_beyond_the_operators_capacity(client, factory, seeded) -> None:
    _set_capacity(factory, seeded.operator_a, 2)
    cases = [create_case(client) for _ in range(4)]
    login(client, "op.a@example.org")
    assert client.post("/api/v1/cases/claim-next").status_code == 200
    assert client.post(f"/api/v1/cases/{cases[1]['case_id']}/claim").status_code == 200
    refused_next = client.post("/api/v1/cases/claim-next")
    refused_one = client.post(f"/api/v1/cases/{cases[2]['case_id']}/claim")
    for response in (refused_next, refused_one):
        assert response.status_code == 409 and response.json()["code"] == "capacity_reached"
        assert "maximum of 2" in response.json()["detail"]
    queued = [row for row in client.get("/api/v1/cases").json() if row["status"] == "queued"]
    assert len(queued) == 2  # the refused claims took nothing


def test_a_transfer_to_a_colleague_at_their_maximum_is_refused(client, factory, seeded) -> None:
    _set_capacity(factory, seeded.operator_a2, 1)
    first, second = create_case(client), create_case(client)
    login(client, "op.a2@example.org")
    assert client.post(f"/api/v1/cases/{first['case_id']}/claim").status_code == 200
    client.post("/api/v1/auth/logout")
    login(client, "op.a@example.org")
    assert client.post(f"/api/v1/cases/{second['case_id']}/claim").status_code == 200
    refused = client.post(f"/api/v1/cases/{second['case_id']}/transfer", json={"operator_id": seeded.operator_a2})
    assert refused.status_code == 409 and refused.json()["code"] == "colleague_at_capacity"
    assert "maximum of 1" in refused.json()["detail"]
    case = client.get(f"/api/v1/cases/{second['case_id']}").json()
    assert case["assigned_operator_id"] == seeded.operator_a  # still mine: nothing moved


def test_closing_a_case_frees_a_place(client, factory, seeded) -> None:
    _set_capacity(factory, seeded.operator_a, 1)
    create_case(client)
    create_case(client)
    login(client, "op.a@example.org")
    first = client.post("/api/v1/cases/claim-next").json()
    assert client.post("/api/v1/cases/claim-next").status_code == 409
    client.post(f"/api/v1/cases/{first['id']}/close", json={"outcome": "informed"})
    assert client.post("/api/v1/cases/claim-next").status_code == 200


def test_no_capacity_set_means_no_limit(client, factory, seeded) -> None:
    for _ in range(3):
        create_case(client)
    login(client, "op.a@example.org")
    assert [client.post("/api/v1/cases/claim-next").status_code for _ in range(3)] == [200, 200, 200]


def test_concurrent_claims_of_one_operator_never_pass_the_capacity(factory, seeded) -> None:
    _set_capacity(factory, seeded.operator_a, 3)
    with factory() as session:
        for n in range(12):
            create_case_from_referral(session, ReferralIn(**referral_body()), f"capacity-{n}")
    barrier = threading.Barrier(8)
    outcomes: list[str] = []

    def claimer() -> None:
        barrier.wait(timeout=30)
        with factory() as session:
            try:
                case = claim_next_case(session, session.get(Operator, seeded.operator_a))
                outcomes.append("claimed" if case else "empty")
            except Conflict as error:
                outcomes.append(error.code)

    threads = [threading.Thread(target=claimer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["capacity_reached"] * 5 + ["claimed"] * 3
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Case)
                              .where(Case.assigned_operator_id == seeded.operator_a)) == 3
