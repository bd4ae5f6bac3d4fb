"""The case, role, level and outcome codes: one StrEnum each, kept by value, read back as the member."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, sessionmaker

from api.cases.access import ALLOWED_TRANSITIONS, FINAL_STATUSES, OPEN_STATUSES
from api.cases.models import Case, Operator
from api.cases.triage import BASE_PRIORITY, LEVELS
from api.cases.workflow import OUTCOME_STATUS
from api.core.codes import CaseStatus, Outcome, Role, TriageLevel
from tests.api.cases.fixtures import Seeded, create_case, login


def test_every_status_has_its_transitions_and_is_open_or_final() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(CaseStatus)
    assert set(OPEN_STATUSES) | set(FINAL_STATUSES) == set(CaseStatus)
    assert not set(OPEN_STATUSES) & set(FINAL_STATUSES)


def test_every_level_has_a_priority_and_every_outcome_a_final_status() -> None:
    assert LEVELS == (TriageLevel.EMERGENCY, TriageLevel.VIOLENCE, TriageLevel.VULNERABLE, TriageLevel.OTHER)
    assert [BASE_PRIORITY[level] for level in LEVELS] == sorted(BASE_PRIORITY.values(), reverse=True)
    assert set(OUTCOME_STATUS) == set(Outcome)
    assert set(OUTCOME_STATUS.values()) <= set(FINAL_STATUSES)


def test_a_code_is_its_value_in_rows_and_reads_back_as_the_member(client, seeded: Seeded,
                                                                 factory: sessionmaker[Session]) -> None:
    created = create_case(client, triage={"violence": True})
    login(client, "op.a@example.org")
    assert client.post(f"/api/v1/cases/{created['case_id']}/claim").status_code == 200
    assert client.post(f"/api/v1/cases/{created['case_id']}/close", json={"outcome": "accompanied"}).status_code == 200
    with factory() as session:
        raw = session.execute(text("SELECT status, triage_level, outcome FROM hotline_case WHERE id = :id"),
                              {"id": created["case_id"]}).one()
        assert tuple(raw) == ("resolved", "violence", "accompanied")
        case = session.get(Case, created["case_id"])
        assert case is not None
        assert (case.status, case.triage_level, case.outcome) == (
            CaseStatus.RESOLVED, TriageLevel.VIOLENCE, Outcome.ACCOMPANIED)
        assert type(case.status) is CaseStatus and type(case.outcome) is Outcome
        roles = session.scalars(select(Operator.role).order_by(Operator.id)).all()
        assert all(type(role) is Role for role in roles)
        assert session.scalars(select(Case.id).where(Case.status == "resolved")).all() == [created["case_id"]]


@pytest.mark.parametrize(("column", "typo"), [("status", "waiting"), ("triage_level", "urgent"),
                                              ("outcome", "solved")])
def test_a_code_that_is_none_is_refused_before_it_reaches_the_database(
        client, seeded: Seeded, factory: sessionmaker[Session], column: str, typo: str) -> None:
    created = create_case(client)
    with factory() as session:
        case = session.get(Case, created["case_id"])
        setattr(case, column, typo)
        with pytest.raises(StatementError, match=typo):
            session.commit()


def test_an_unknown_role_is_refused_as_before(client, seeded: Seeded) -> None:
    login(client, "admin.a@example.org")
    response = client.post("/api/v1/auth/operators", json={"email": "new@example.org", "password": "x" * 12,
                                                     "role": "superuser", "association_id": seeded.assoc_a})
    assert response.status_code == 409 and response.json()["code"] == "unknown_role"
    made = client.post("/api/v1/auth/operators", json={"email": "new@example.org", "password": "x" * 12,
                                                 "role": "supervisor", "association_id": seeded.assoc_a})
    assert made.status_code == 201 and made.json()["role"] == "supervisor"


def test_the_api_schema_lists_the_codes(client) -> None:
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["Outcome"]["enum"] == [code.value for code in Outcome]
    assert schemas["CaseStatus"]["enum"] == [code.value for code in CaseStatus]
    assert schemas["TriageLevel"]["enum"] == [code.value for code in TriageLevel]
    assert schemas["Role"]["enum"] == [code.value for code in Role]
