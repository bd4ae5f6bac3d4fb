"""Routing by language: claim-next prefers a case in the operator's languages among cases of about the same urgency."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from api.auth.sessions import close_operator_sessions, open_session
from api.cases.models import Case, Operator
from api.cases.on_duty import languages_on_duty, speaker_on_duty
from api.cases.triage import BASE_PRIORITY, EMERGENCY, OTHER
from api.cases.workflow import LANGUAGE_WINDOW_POINTS, claim_next_case, list_open_cases
from api.core.clock import utcnow
from tests.api.cases.fixtures import add_operator, create_case, login

NOW = utcnow()


def _case(queue_id: int, language: str, n: int, minutes_ago: float = 10.0, level: str = OTHER) -> Case:
    return Case(reference=f"MS-L{n:05d}", idempotency_key=f"lang-{n}", queue_id=queue_id, conversation_id=f"tg-l{n}",
                channel="tg", language=language, topic="other", triage_level=level,
                base_priority=BASE_PRIORITY[level], status="queued", created_at=NOW - timedelta(minutes=minutes_ago))


def _speaks(session: Session, operator_id: int, languages: list[str]) -> Operator:
    operator = session.get(Operator, operator_id)
    operator.languages = languages
    session.commit()
    return operator


@pytest.mark.parametrize("wolof_first", [True, False], ids=["wolof-case-first", "wolof-case-second"])
def test_a_wolof_speaker_claims_the_wolof_case_and_another_operator_the_other(factory, seeded, wolof_first) -> None:
    # Same level, same arrival time: equal priority; whichever id comes first, language decides.
    with factory() as session:
        cases = [_case(seeded.queue_a, "wo", 1), _case(seeded.queue_a, "fr", 2)]
        session.add_all(cases if wolof_first else cases[::-1])
        session.commit()
        wolof_speaker = _speaks(session, seeded.operator_a, ["fr", "wo"])
        french_speaker = _speaks(session, seeded.operator_a2, ["fr", "ar"])
        first_wolof = claim_next_case(session, wolof_speaker, now=NOW)
        assert first_wolof is not None and first_wolof.language == "wo"
        session.query(Case).update({"status": "queued", "assigned_operator_id": None})
        session.commit()
        first_french = claim_next_case(session, french_speaker, now=NOW)
        assert first_french is not None and first_french.language == "fr"


def test_a_case_in_my_language_does_not_jump_a_case_waiting_much_longer(factory, seeded) -> None:
    # The fr case has waited longer than the window: the Wolof speaker takes it first (no starvation).
    with factory() as session:
        session.add_all([_case(seeded.queue_a, "fr", 1, minutes_ago=10 + LANGUAGE_WINDOW_POINTS + 5),
                         _case(seeded.queue_a, "wo", 2, minutes_ago=10)])
        session.commit()
        wolof_speaker = _speaks(session, seeded.operator_a, ["wo"])
        order = [claim_next_case(session, wolof_speaker, now=NOW).language for _ in range(2)]
    assert order == ["fr", "wo"]


def test_an_emergency_comes_before_a_case_in_my_language(factory, seeded) -> None:
    with factory() as session:
        session.add_all([_case(seeded.queue_a, "wo", 1, minutes_ago=400),
                         _case(seeded.queue_a, "fr", 2, minutes_ago=0, level=EMERGENCY)])
        session.commit()
        wolof_speaker = _speaks(session, seeded.operator_a, ["wo"])
        first = claim_next_case(session, wolof_speaker, now=NOW)
    assert first is not None and first.triage_level == EMERGENCY


def test_the_queue_listing_keeps_the_priority_order(factory, seeded) -> None:
    with factory() as session:
        session.add_all([_case(seeded.queue_a, "fr", 1, minutes_ago=12), _case(seeded.queue_a, "wo", 2)])
        session.commit()
        rows = list_open_cases(session, _speaks(session, seeded.operator_a, ["wo"]), now=NOW)
    assert [case.language for case, _ in rows] == ["fr", "wo"]


def test_on_duty_means_an_active_case_operator_with_a_live_session(factory, seeded) -> None:
    with factory() as session:
        operator = _speaks(session, seeded.operator_a, ["wo", "fr"])
        assert languages_on_duty(session, now=NOW) == frozenset()
        open_session(session, operator, now=NOW)
        session.commit()
        assert speaker_on_duty(session, "wo", seeded.assoc_a, now=NOW)
        assert not speaker_on_duty(session, "wo", seeded.assoc_b, now=NOW)
        assert not speaker_on_duty(session, "wo", now=NOW + timedelta(hours=9))  # the session expired
        operator.active = False
        session.commit()
        assert not speaker_on_duty(session, "wo", now=NOW)
        operator.active = True
        close_operator_sessions(session, operator.id)  # logged out
        session.commit()
        assert not speaker_on_duty(session, "wo", now=NOW)
        editor = add_operator(session, "editor.a@example.org", seeded.assoc_a, role="editor")
        editor.languages = ["wo"]
        open_session(session, editor, now=NOW)  # keeps the directory, takes no case: not on duty
        session.commit()
        assert not speaker_on_duty(session, "wo", now=NOW)


def test_the_referral_answer_and_the_queue_say_whether_someone_on_duty_speaks_the_language(client, factory,
                                                                                           seeded) -> None:
    with factory() as session:
        _speaks(session, seeded.operator_a, ["fr", "wo"])
    before = create_case(client, language="wo")
    assert before["language_spoken_on_duty"] is False  # nobody logged in yet
    login(client, "op.a@example.org")
    wolof = create_case(client, language="wo")
    lingala = create_case(client, language="ln")
    assert wolof["language_spoken_on_duty"] is True and lingala["language_spoken_on_duty"] is False
    queue = {row["id"]: row for row in client.get("/api/v1/cases").json()}
    assert queue[wolof["case_id"]]["language_spoken_on_duty"] is True
    assert queue[lingala["case_id"]]["language_spoken_on_duty"] is False
