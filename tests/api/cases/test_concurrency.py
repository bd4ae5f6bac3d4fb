"""Twenty operators claiming at the same time never get the same case (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter

from sqlalchemy import func, select

from api.cases.intake import create_case_from_referral
from api.cases.models import AuditEvent, Case, Operator
from api.cases.schemas import ReferralIn
from api.cases.workflow import claim_next_case
from tests.api.cases.fixtures import add_operator, referral_body

OPERATORS = 20
CASES = 30


def test_twenty_operators_claiming_concurrently_never_share_a_case(factory, seeded) -> None:
    with factory() as session:
        operator_ids = [add_operator(session, f"claimer{i}@example.org", seeded.assoc_a).id for i in range(OPERATORS)]
        session.commit()
        for n in range(CASES):
            create_case_from_referral(session, ReferralIn(**referral_body()), f"claim-{n}")
    claims: list[tuple[int, int]] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(OPERATORS)

    def claimer(operator_id: int) -> None:
        # One session per claim, as one HTTP request each: a connection is held only while claiming.
        try:
            barrier.wait(timeout=30)
            while True:
                with factory() as session:
                    case = claim_next_case(session, session.get(Operator, operator_id))
                    if case is None:
                        return
                    claims.append((case.id, operator_id))
        except BaseException as exc:  # surfaced by the assertion below
            barrier.abort()
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(op,)) for op in operator_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    claimed_ids = [case_id for case_id, _ in claims]
    assert len(claimed_ids) == CASES
    assert Counter(claimed_ids).most_common(1)[0][1] == 1
    with factory() as session:
        holders = dict(session.execute(select(Case.id, Case.assigned_operator_id)).all())
        assert holders == dict(claims)
        assert session.scalar(select(func.count()).select_from(Case).where(Case.status != "claimed")) == 0
        assert session.scalar(select(func.count()).select_from(AuditEvent)
                              .where(AuditEvent.action == "case_claimed")) == CASES
