"""The gateway's handoff helpers: which case holds a conversation, person messages, and erasure on /forget."""

from __future__ import annotations

from sqlalchemy import func, select

from api.cases.handoff import open_case_held_by_operator, record_person_message
from api.cases.intake import create_case_from_referral
from api.cases.models import AuditEvent, Case, CaseMessage, CaseNote, LiveEvent, Operator
from api.cases.schemas import ReferralIn
from api.cases.stats import association_stats
from api.cases.workflow import add_note, claim_case, set_waiting_person
from api.forgetting.erasure import erase_person
from api.privacy.models import CaseStatistic
from tests.api.cases.fixtures import referral_body


def _new_case(session, conversation_id: str = "tg-person1", **extra) -> Case:
    body = ReferralIn(**referral_body(conversation_id=conversation_id, **extra))
    return create_case_from_referral(session, body, f"key-{conversation_id}-{extra}")[0]


def test_only_a_claimed_or_waiting_case_holds_the_conversation(factory, seeded) -> None:
    with factory() as session:
        case = _new_case(session)
        assert open_case_held_by_operator(session, "tg-person1") is None
        operator = session.get(Operator, seeded.operator_a)
        claim_case(session, operator, case.id)
        assert open_case_held_by_operator(session, "tg-person1").id == case.id
        set_waiting_person(session, operator, case.id)
        assert open_case_held_by_operator(session, "tg-person1").id == case.id
        assert open_case_held_by_operator(session, "tg-someone-else") is None


def test_a_person_message_is_stored_flips_waiting_back_to_claimed_and_notifies_consoles(factory, seeded) -> None:
    with factory() as session:
        case = _new_case(session)
        operator = session.get(Operator, seeded.operator_a)
        claim_case(session, operator, case.id)
        set_waiting_person(session, operator, case.id)
        message = record_person_message(session, case, "<b>merci</b>", media_url=None)
        session.commit()
        assert session.get(Case, case.id).status == "claimed"
        assert session.get(CaseMessage, message.id).text == "<b>merci</b>"
        event = session.scalars(select(LiveEvent).where(LiveEvent.kind == "person_message")).one()
        assert event.payload["message_id"] == message.id and event.association_id == seeded.assoc_a


def test_forgetting_a_person_leaves_their_case_only_as_anonymous_statistics(factory, seeded) -> None:
    with factory() as session:
        case = _new_case(session, contact="callback", callback_number="+212600000001",
                         triage={"violence": True, "pregnant": True})
        operator = session.get(Operator, seeded.operator_a)
        claim_case(session, operator, case.id)
        record_person_message(session, case, "private words")
        add_note(session, operator, case.id, "private note")
        other = _new_case(session, conversation_id="tg-person2")
        case_id = case.id
        assert erase_person(session, "tg-person1") == 1
        session.commit()
        assert session.get(Case, case_id) is None
        assert session.scalar(select(func.count()).select_from(CaseMessage)) == 0
        assert session.scalar(select(func.count()).select_from(CaseNote)) == 0
        assert session.get(Case, other.id).conversation_id == "tg-person2"
        assert list(session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id))) == []
        erased = session.scalars(select(AuditEvent).where(AuditEvent.action == "person_data_erased")).one()
        assert erased.case_id is None and erased.details == {"cases": 1}
        [bucket] = session.scalars(select(CaseStatistic)).all()
        assert (bucket.region, bucket.triage_level, bucket.topic, bucket.cases) == (
            "Oriental", "violence", "rights_free_care", 1)
        # The operator holding it is told on their console, by case id only.
        told = session.scalars(select(LiveEvent).where(LiveEvent.kind == "case_erased")).one()
        assert told.payload == {"case_id": case_id} and told.association_id == seeded.assoc_a
        assert association_stats(session, seeded.assoc_a).cases_total == 2
