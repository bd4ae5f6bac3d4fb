"""The triage rule and the waiting-time ageing, in Python and in the SQL that orders queues."""

from __future__ import annotations

from datetime import timedelta

import pytest

from api.cases.models import Case, Operator
from api.cases.triage import (
    AGEING_CAP_POINTS,
    BASE_PRIORITY,
    EMERGENCY,
    OTHER,
    VIOLENCE,
    VULNERABLE,
    TriageAnswers,
    effective_priority,
    triage_priority,
)
from api.cases.workflow import claim_next_case, list_open_cases
from api.core.clock import utcnow


def test_emergency_outranks_violence_which_outranks_vulnerable_which_outranks_other() -> None:
    levels = [triage_priority(TriageAnswers(emergency=True, violence=True, pregnant=True)),
              triage_priority(TriageAnswers(violence=True, child=True)),
              triage_priority(TriageAnswers(no_medication=True)),
              triage_priority(TriageAnswers())]
    assert [level for level, _ in levels] == [EMERGENCY, VIOLENCE, VULNERABLE, OTHER]
    priorities = [base for _, base in levels]
    assert priorities == sorted(priorities, reverse=True) and len(set(priorities)) == 4


@pytest.mark.parametrize("flag", ["pregnant", "child", "no_medication"])
def test_pregnancy_a_child_or_missing_hiv_tb_medication_make_a_case_vulnerable(flag: str) -> None:
    assert triage_priority(TriageAnswers(**{flag: True}))[0] == VULNERABLE


def test_an_other_case_overtakes_a_new_vulnerable_case_after_an_hour_and_a_new_violence_case_after_two() -> None:
    assert effective_priority(BASE_PRIORITY[OTHER], 59) < effective_priority(BASE_PRIORITY[VULNERABLE], 0)
    assert effective_priority(BASE_PRIORITY[OTHER], 61) > effective_priority(BASE_PRIORITY[VULNERABLE], 0)
    assert effective_priority(BASE_PRIORITY[OTHER], 121) > effective_priority(BASE_PRIORITY[VIOLENCE], 0)


def test_ageing_is_capped_below_a_fresh_emergency() -> None:
    assert effective_priority(BASE_PRIORITY[VIOLENCE], 10_000) == BASE_PRIORITY[VIOLENCE] + AGEING_CAP_POINTS
    assert effective_priority(BASE_PRIORITY[VIOLENCE], 10_000) < effective_priority(BASE_PRIORITY[EMERGENCY], 0)


def _case(queue_id: int, level: str, minutes_ago: float, n: int) -> Case:
    return Case(reference=f"MS-T{n:05d}", idempotency_key=f"triage-{n}", queue_id=queue_id, conversation_id=f"tg-{n}",
                channel="tg", language="fr", topic="other", triage_level=level, base_priority=BASE_PRIORITY[level],
                status="queued", created_at=utcnow() - timedelta(minutes=minutes_ago))


def test_queue_order_in_sql_follows_the_rule_with_ageing(factory, seeded) -> None:
    with factory() as session:
        session.add_all([
            _case(seeded.queue_a, OTHER, 90, 1),       # 90 points: passes the fresh vulnerable case
            _case(seeded.queue_a, VULNERABLE, 1, 2),   # 61
            _case(seeded.queue_a, VIOLENCE, 5, 3),     # 125
            _case(seeded.queue_a, OTHER, 5, 4),        # 5
            _case(seeded.queue_a, EMERGENCY, 0, 5),    # 1000
            _case(seeded.queue_a, OTHER, 5000, 6),     # capped at 480
        ])
        session.commit()
        operator = session.get(Operator, seeded.operator_a)
        rows = list_open_cases(session, operator)
    assert [case.idempotency_key for case, _ in rows] == [
        "triage-5", "triage-6", "triage-3", "triage-1", "triage-2", "triage-4"]
    for case, sql_priority in rows:
        waited = (utcnow() - case.created_at.replace(tzinfo=utcnow().tzinfo)).total_seconds() / 60
        assert sql_priority == pytest.approx(effective_priority(case.base_priority, waited), abs=0.5)


def test_claim_next_takes_cases_in_effective_priority_order(factory, seeded) -> None:
    with factory() as session:
        session.add_all([_case(seeded.queue_a, OTHER, 200, 1), _case(seeded.queue_a, VIOLENCE, 1, 2),
                         _case(seeded.queue_a, EMERGENCY, 0, 3)])
        session.commit()
        operator = session.get(Operator, seeded.operator_a)
        order = [claim_next_case(session, operator).idempotency_key for _ in range(3)]
        assert claim_next_case(session, operator) is None
    assert order == ["triage-3", "triage-1", "triage-2"]
