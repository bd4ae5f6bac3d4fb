"""Escalation: prefilled answers, the form's checks, and one referral per escalation whatever the retries."""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.escalation import (
    NUMBER_GIVEN,
    ActionCreateReferral,
    ActionStartEscalation,
    ValidateEscalationForm,
    referral_body,
)
from actions.outbox import ReferralOutbox
from actions.referrals import REFERENCE_ALPHABET, reference_for_key
from tests.actions.conftest import FakeReferralBackend, make_tracker, user_event

CONSENTED = {"escalation_consent": True, "triage_emergency": False, "triage_pregnant": True, "triage_child": False,
             "triage_violence": False, "topic": "pregnancy_care", "escalation_city": "Oujda", "contact_mode": "chat",
             "language": "ary"}


async def start(history: list[dict[str, Any]], slots: dict[str, Any] | None = None,
                active_loop: str | None = None) -> dict[str, Any]:
    tracker = make_tracker(slots=slots, history=history, active_loop=active_loop)
    events = await ActionStartEscalation().run(CollectingDispatcher(), tracker, {})
    return {e["name"]: e["value"] for e in events}


async def test_a_start_in_the_middle_of_the_form_keeps_the_answers_and_fills_what_is_new(settings_env: Any) -> None:
    """A refusal told at the pregnancy question: the rules answer it and start the escalation again."""
    settings_env("http://127.0.0.1:9")
    answered = {"escalation_key": "k-1", "escalation_consent": True, "triage_emergency": False,
                "triage_pregnant": False, "requested_slot": "triage_child", "city": "Rabat"}
    history = [user_event("request_human", "je veux parler à quelqu'un"),
               user_event("care_refused", "on m'a refusé à l'hôpital de Rabat")]
    assert await start(history, answered, active_loop="escalation_form") == {
        "topic": "care_refused", "escalation_city": "Rabat"}
    # A flag the new message raises wins over an earlier "no"; a topic and a town already given stay.
    history.append(user_event("pregnancy_care", "en fait je suis enceinte"))
    changed = await start(history, {**answered, "topic": "rights_free_care", "escalation_city": "Oujda"},
                          active_loop="escalation_form")
    assert changed == {"triage_pregnant": True}
    # Outside the form, a new escalation: a new key, the answers asked again.
    fresh = await start(history, answered)
    assert fresh["escalation_key"] != "k-1" and fresh["escalation_consent"] is None
    assert fresh["triage_emergency"] is None and fresh["triage_pregnant"] is True


async def test_each_escalation_gets_a_new_idempotency_key(settings_env: Any) -> None:
    settings_env("http://127.0.0.1:9")
    first = await start([user_event("request_human", "je veux parler à quelqu'un")])
    second = await start([user_event("request_human", "je veux parler à quelqu'un")])
    assert first["escalation_key"] and second["escalation_key"]
    assert first["escalation_key"] != second["escalation_key"]


async def test_violence_is_known_from_the_intent_and_not_asked_again(settings_env: Any) -> None:
    settings_env("http://127.0.0.1:9")
    slots = await start([user_event("greet", "salut"), user_event("violence_support", "j'ai été agressée")],
                        {"city": "wjda", "escalation_consent": True})
    assert slots["triage_violence"] is True
    assert slots["triage_emergency"] is None and slots["triage_pregnant"] is None
    assert slots["topic"] == "violence_support"
    assert slots["escalation_city"] == "Oujda"
    assert slots["escalation_consent"] is None  # consent is asked for every escalation


async def test_an_accepted_emergency_case_is_prefilled_as_an_emergency(settings_env: Any) -> None:
    settings_env("http://127.0.0.1:9")
    slots = await start([user_event("emergency", "mon ami ne respire plus"), user_event("affirm", "oui")])
    assert slots["triage_emergency"] is True
    assert slots["topic"] == "emergency"


async def test_answers_from_before_the_previous_referral_are_not_reused(settings_env: Any) -> None:
    settings_env("http://127.0.0.1:9")
    history = [user_event("pregnancy_care", "je suis enceinte"), {"event": "action", "name": "action_create_referral"},
               user_event("request_human", "je veux parler à quelqu'un")]
    slots = await start(history)
    assert slots["triage_pregnant"] is None and slots["topic"] is None


async def required(domain: dict[str, Any], slots: dict[str, Any]) -> list[str]:
    form = ValidateEscalationForm()
    return await form.required_slots(form.domain_slots(domain), CollectingDispatcher(), make_tracker(slots=slots), domain)


async def test_a_chat_contact_is_not_asked_for_a_number(domain: dict[str, Any]) -> None:
    assert "callback_number" not in await required(domain, {"contact_mode": "chat"})
    assert "callback_number" in await required(domain, {"contact_mode": "callback"})


async def test_declining_consent_ends_the_form(domain: dict[str, Any]) -> None:
    assert await required(domain, {"escalation_consent": False}) == []


@pytest.mark.parametrize("topic", ["hiv_sti", "tuberculosis"])
async def test_the_treatment_question_comes_right_after_an_hiv_or_tb_topic(domain: dict[str, Any], topic: str) -> None:
    assert await required(domain, {"topic": topic, "contact_mode": "callback"}) == [
        "escalation_consent", "triage_emergency", "triage_pregnant", "triage_child", "triage_violence", "topic",
        "triage_no_medication", "escalation_city", "contact_mode", "callback_number"]


@pytest.mark.parametrize("topic", [None, "pregnancy_care", "care_refused", "emergency", "other"])
async def test_the_treatment_question_is_not_asked_for_other_topics(domain: dict[str, Any], topic: str | None) -> None:
    assert "triage_no_medication" not in await required(domain, {"topic": topic})


def test_only_a_yes_or_no_answers_the_treatment_question(domain: dict[str, Any]) -> None:
    mappings = domain["slots"]["triage_no_medication"]["mappings"]
    assert {(m["intent"], m["value"]) for m in mappings} == {("affirm", True), ("deny", False)}
    assert all(c["requested_slot"] == "triage_no_medication" for m in mappings for c in m["conditions"])


async def test_a_new_escalation_forgets_the_previous_treatment_answer(settings_env: Any) -> None:
    settings_env("http://127.0.0.1:9")
    slots = await start([user_event("hiv_sti", "je n'ai plus mes médicaments du VIH"),
                         user_event("request_human", "je veux parler à quelqu'un")],
                        {"triage_no_medication": True})
    assert slots["topic"] == "hiv_sti"
    assert slots["triage_no_medication"] is None


async def test_a_number_the_gateway_kept_is_accepted_without_entering_the_slot(domain: dict[str, Any]) -> None:
    dispatcher = CollectingDispatcher()
    typed = {"intent": {"name": "nlu_fallback"}, "entities": [], "text": "[☎]", "metadata": {"contact_captured": True}}
    tracker = make_tracker(slots={"requested_slot": "callback_number"}, latest=typed)
    result = await ValidateEscalationForm().validate_callback_number("[☎]", dispatcher, tracker, domain)
    assert result == {"callback_number": NUMBER_GIVEN}
    assert dispatcher.messages == []


@pytest.mark.parametrize("typed", ["pas de téléphone", "demain matin", "0612", "+212612345678"])
async def test_anything_else_is_refused_with_a_message_and_asked_again(domain: dict[str, Any], typed: str) -> None:
    # A number in clear never comes through the gateway; if it does it is not kept in the slot either.
    dispatcher = CollectingDispatcher()
    latest = {"intent": {"name": "nlu_fallback"}, "entities": [], "text": typed, "metadata": {}}
    tracker = make_tracker(slots={"requested_slot": "callback_number"}, latest=latest)
    result = await ValidateEscalationForm().validate_callback_number(typed, dispatcher, tracker, domain)
    assert result == {"callback_number": None, "form_reasked": 1.0}  # a first try: asked again
    assert [m["response"] for m in dispatcher.messages] == ["utter_invalid_callback_number"]


async def test_a_second_number_in_a_row_that_cannot_be_called_asks_again_how_to_be_contacted(
        domain: dict[str, Any]) -> None:
    asked = {**CONSENTED, "contact_mode": "callback", "requested_slot": "callback_number"}
    message = user_event("nlu_fallback", "pas de téléphone")
    typed = {"event": "slot", "name": "callback_number", "value": "pas de téléphone"}  # Rasa's from_text candidate

    async def answer(slots: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        dispatcher = CollectingDispatcher()
        tracker = Tracker("web-3f9a0c1d2e", {**slots, "callback_number": "pas de téléphone"}, message["parse_data"],
                          [message, typed], False, None, {"name": "escalation_form"}, "action_listen")
        events = await ValidateEscalationForm().run(dispatcher, tracker, domain)
        return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}, [m["response"] for m in
                                                                                      dispatcher.messages]

    slots, said = await answer(asked)
    assert said == ["utter_invalid_callback_number"] and slots["form_reasked"] == 1.0 and "contact_mode" not in slots
    slots, said = await answer({**asked, "form_reasked": 1.0})
    # The way to be contacted is open again: the form asks it next, with the written answer on offer.
    assert said == ["utter_invalid_callback_number"] and slots["contact_mode"] is None
    assert slots["form_reasked"] == 0.0 and slots["requested_slot"] == "contact_mode"


@pytest.mark.parametrize("slot", ["triage_child", "triage_no_medication"])
async def test_an_unrecognised_answer_leaves_the_question_open(domain: dict[str, Any], slot: str) -> None:
    tracker = make_tracker(slots={"requested_slot": slot}, history=[user_event("nlu_fallback", "euh")])
    extract = getattr(ValidateEscalationForm(), f"extract_{slot}")
    assert await extract(CollectingDispatcher(), tracker, domain) == {slot: None}


async def test_the_topic_question_always_moves_on(domain: dict[str, Any]) -> None:
    form = ValidateEscalationForm()
    asked = {"requested_slot": "topic"}
    hiv = make_tracker(slots=asked, history=[user_event("hiv_sti", "VIH")])
    other = make_tracker(slots=asked, history=[user_event("out_of_scope", "papiers pour l'Espagne")])
    assert await form.extract_topic(CollectingDispatcher(), hiv, domain) == {"topic": "hiv_sti"}
    assert await form.extract_topic(CollectingDispatcher(), other, domain) == {"topic": "other"}


async def test_an_emergency_said_at_the_topic_question_is_not_taken_as_the_topic(domain: dict[str, Any]) -> None:
    tracker = make_tracker(slots={"requested_slot": "topic"}, history=[user_event("emergency", "il saigne beaucoup")])
    assert await ValidateEscalationForm().extract_topic(CollectingDispatcher(), tracker, domain) == {}


def test_an_emergency_said_at_the_number_question_is_not_read_as_a_number(domain: dict[str, Any]) -> None:
    [mapping] = domain["slots"]["callback_number"]["mappings"]
    assert "emergency" in mapping["not_intent"]


def test_the_referral_body_follows_the_backend_contract(settings_env: Any) -> None:
    settings_env("http://127.0.0.1:9")
    tracker = make_tracker(slots=CONSENTED | {"contact_mode": "callback", "callback_number": NUMBER_GIVEN})
    body = referral_body(tracker, "MS-ABCDEF")
    # No number: the backend attaches the one the gateway kept (the action outbox never holds it).
    assert body == {
        "conversation_id": "tg-3f9a0c1d2e", "channel": "tg", "language": "ary", "topic": "pregnancy_care",
        "city": "Oujda", "consent": True, "contact": "callback",
        "triage": {"emergency": False, "pregnant": True, "child": False, "violence": False, "no_medication": False},
        "reference": "MS-ABCDEF"}


@pytest.mark.parametrize("answer", [True, False])
def test_the_treatment_answer_reaches_the_referral(settings_env: Any, answer: bool) -> None:
    settings_env("http://127.0.0.1:9")
    tracker = make_tracker(slots=CONSENTED | {"triage_pregnant": False, "topic": "hiv_sti",
                                              "triage_no_medication": answer})
    body = referral_body(tracker, "MS-ABCDEF")
    assert body["topic"] == "hiv_sti"
    assert body["triage"] == {"emergency": False, "pregnant": False, "child": False, "violence": False,
                              "no_medication": answer}


def test_the_reference_is_derived_from_the_key_in_the_backend_alphabet() -> None:
    reference = reference_for_key("0b9a7c1e-5d3f-4e2a-9c8b-7a6d5e4f3a2b")
    assert reference == reference_for_key("0b9a7c1e-5d3f-4e2a-9c8b-7a6d5e4f3a2b")
    assert reference != reference_for_key("another-key")
    assert reference.startswith("MS-") and len(reference) == 9
    assert set(reference[3:]) <= set(REFERENCE_ALPHABET)


async def test_retrying_the_action_reuses_the_key_and_creates_one_case(
        settings_env: Any, backend: FakeReferralBackend, tmp_path: Any) -> None:
    settings_env(backend.url)
    key = "5a1e0f52-0d4c-4a0e-9d43-2b8f3f1c6a77"
    tracker = make_tracker(slots=CONSENTED | {"escalation_key": key})
    action = ActionCreateReferral(ReferralOutbox(tmp_path / "outbox.db"))
    said = []
    for _ in range(2):
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, tracker, {})
        said.append(dispatcher.messages[0])
        assert {"event": "slot", "name": "escalation_key", "value": key, "timestamp": None} in events
    assert backend.posts == 2 and list(backend.cases) == [key]
    assert [m["response"] for m in said] == ["utter_referral_created"] * 2
    assert said[0]["reference"] == said[1]["reference"] == reference_for_key(key)


async def test_a_declined_escalation_sends_nothing(settings_env: Any, backend: FakeReferralBackend,
                                                   tmp_path: Any) -> None:
    settings_env(backend.url)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"escalation_consent": False, "escalation_key": "k-1"})
    await ActionCreateReferral(ReferralOutbox(tmp_path / "outbox.db")).run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_escalation_declined"]
    assert backend.posts == 0


@pytest.mark.parametrize("message, city", [
    (user_event("inform_location", "ana f wjda", entities=[{"entity": "city", "value": "Oujda"}]), "Oujda"),
    (user_event("nlu_fallback", "berkan"), "Berkane"),
    (user_event("inform_location", "à Ifrane", entities=[{"entity": "city", "value": "Ifrane"}]), "Ifrane"),
    (user_event("deny", "je préfère ne pas dire"), "undisclosed"),
    (user_event("nlu_fallback", "euh"), None),
])
async def test_the_town_answer_is_read_in_any_spelling(domain: dict[str, Any], settings_env: Any,
                                                      message: dict[str, Any], city: str | None) -> None:
    settings_env("http://127.0.0.1:9")
    tracker = make_tracker(slots={"requested_slot": "escalation_city"}, history=[message])
    assert await ValidateEscalationForm().extract_escalation_city(CollectingDispatcher(), tracker, domain) == {
        "escalation_city": city}


@pytest.mark.parametrize("slots, message, city", [
    # "Oujda" to "Is it an emergency?": kept for the form, which then asks its question again.
    ({"requested_slot": "triage_emergency"},
     user_event("inform_location", "Oujda", entities=[{"entity": "city", "value": "Oujda"}]), "Oujda"),
    ({"requested_slot": "topic"},
     user_event("care_refused", "refus à l'hôpital de wjda", entities=[{"entity": "city", "value": "wjda"}]),
     "Oujda"),
    # Another message mentioning a town at a yes-or-no question: the form steps aside for the rules.
    ({"requested_slot": "triage_pregnant"},
     user_event("care_refused", "on m'a refusé à l'hôpital de Rabat", entities=[{"entity": "city", "value": "Rabat"}]),
     None),
    # A place the gazetteer lacks is taken as said only when the town is the question.
    ({"requested_slot": "triage_emergency"},
     user_event("inform_location", "à Tataouine", entities=[{"entity": "city", "value": "Tataouine"}]), None),
    # No town named: nothing changes.
    ({"requested_slot": "triage_emergency"}, user_event("affirm", "oui"), None),
    # Saying where one is replaces the town given before; a town merely mentioned does not.
    ({"requested_slot": "triage_emergency", "escalation_city": "Rabat"},
     user_event("inform_location", "تطوان", entities=[{"entity": "city", "value": "Tétouan"}]), "Tétouan"),
    ({"requested_slot": "topic", "escalation_city": "Rabat"},
     user_event("care_refused", "refus à l'hôpital de wjda", entities=[{"entity": "city", "value": "wjda"}]),
     None),
])
async def test_a_town_named_at_another_question_is_kept_for_the_form(
        domain: dict[str, Any], settings_env: Any, slots: dict[str, Any], message: dict[str, Any],
        city: str | None) -> None:
    settings_env("http://127.0.0.1:9")
    tracker = make_tracker(slots=slots, history=[message])
    extracted = await ValidateEscalationForm().extract_escalation_city(CollectingDispatcher(), tracker, domain)
    assert extracted == ({"escalation_city": city} if city else {})


async def test_a_town_given_instead_of_an_answer_keeps_the_form_going_with_no_note(
        domain: dict[str, Any], settings_env: Any) -> None:
    settings_env("http://127.0.0.1:9")
    message = user_event("inform_location", "Oujda", entities=[{"entity": "city", "value": "Oujda"}])
    events, said = await run_form(domain, {"requested_slot": "triage_emergency", "escalation_consent": True}, message)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    # A slot was set, so Rasa does not reject the form (and list the places nearby); the question comes again.
    assert slots.get("escalation_city") == "Oujda" and slots.get("triage_emergency") is None
    assert said == []


def form_tracker(slots: dict[str, Any], message: dict[str, Any]) -> Tracker:
    """A tracker inside the escalation form, the person's answer as the latest message."""
    return Tracker("web-3f9a0c1d2e", slots, message["parse_data"], [message], False, None,
                   {"name": "escalation_form"}, "action_listen")


async def run_form(domain: dict[str, Any], slots: dict[str, Any], message: dict[str, Any]) -> tuple[list, list]:
    dispatcher = CollectingDispatcher()
    events = await ValidateEscalationForm().run(dispatcher, form_tracker(slots, message), domain)
    return events, [m["response"] for m in dispatcher.messages]


async def test_a_question_asked_again_says_why_first_alternating_two_lines(domain: dict[str, Any],
                                                                        settings_env: Any) -> None:
    settings_env("http://127.0.0.1:9")
    at_town = {"requested_slot": "escalation_city", "escalation_consent": True}
    events, said = await run_form(domain, at_town, user_event("affirm", "oui"))
    assert said == ["utter_form_not_understood"]
    assert SlotSet("escalation_city", None) in events and SlotSet("form_reasked", 1.0) in events
    events, said = await run_form(domain, {**at_town, "form_reasked": 1.0}, user_event("nlu_fallback", "qsdf"))
    assert said == ["utter_form_how_to_answer"] and SlotSet("form_reasked", 2.0) in events
    _, said = await run_form(domain, {**at_town, "form_reasked": 2.0}, user_event("affirm", "2"))
    assert said == ["utter_form_not_understood"]


async def test_an_answer_resets_the_count_and_says_nothing_more(domain: dict[str, Any], settings_env: Any) -> None:
    settings_env("http://127.0.0.1:9")
    slots = {"requested_slot": "escalation_city", "form_reasked": 2.0}
    events, said = await run_form(domain, slots, user_event("inform_location", "Oujda",
                                                            entities=[{"entity": "city", "value": "Oujda"}]))
    assert said == [] and SlotSet("escalation_city", "Oujda") in events and SlotSet("form_reasked", 0.0) in events


async def test_a_question_the_rules_answer_still_makes_the_form_step_aside(domain: dict[str, Any],
                                                                        settings_env: Any) -> None:
    # No slot event at all: Rasa rejects the form, the rules answer the privacy question, the form asks again.
    settings_env("http://127.0.0.1:9")
    slots = {"requested_slot": "triage_pregnant", "form_reasked": 1.0}
    events, said = await run_form(domain, slots, user_event("privacy_concern", "la police ?"))
    # (Rasa does not count `requested_slot`, which the SDK sets on its own, as an answer.)
    assert said == [] and [e for e in events if e.get("event") == "slot" and e["name"] != "requested_slot"] == []


async def test_yes_or_no_to_chat_or_call_back_asks_again(domain: dict[str, Any], settings_env: Any) -> None:
    settings_env("http://127.0.0.1:9")
    events, said = await run_form(domain, {"requested_slot": "contact_mode"}, user_event("deny", "non"))
    assert said == ["utter_form_not_understood"] and SlotSet("contact_mode", None) in events


@pytest.mark.parametrize("language, spoken, said", [
    ("wo", {"wo"}, ["utter_referral_created", "utter_referral_language_spoken"]),
    ("en", {"wo"}, ["utter_referral_created", "utter_referral_language_not_spoken"]),
    ("fr", set(), ["utter_referral_created"]),          # French: every operator answers in it
    ("wo", None, ["utter_referral_created"]),           # the backend did not say: no claim either way
])
async def test_the_person_is_told_whether_someone_on_duty_speaks_their_language(
        settings_env: Any, backend: FakeReferralBackend, tmp_path: Any, language: str, spoken: set[str] | None,
        said: list[str]) -> None:
    settings_env(backend.url)
    backend.spoken = frozenset(spoken) if spoken is not None else None
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots=CONSENTED | {"escalation_key": f"k-{language}", "language": language})
    await ActionCreateReferral(ReferralOutbox(tmp_path / "outbox.db")).run(dispatcher, tracker, {})
    assert [m["response"] for m in dispatcher.messages] == said


AT_CONTACT = {**CONSENTED, "contact_mode": None, "requested_slot": "contact_mode"}


def with_metadata(message: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    message["parse_data"]["metadata"] = metadata
    message["metadata"] = metadata
    return message


@pytest.mark.parametrize("text, intent, mode", [
    ("par téléphone", "request_human", "callback"), ("appelez-moi svp", "nlu_fallback", "callback"),
    ("عيطو ليا", "nlu_fallback", "callback"), ("3ayto lia", "nlu_fallback", "callback"),
    ("call me", "request_human", "callback"), ("écrivez-moi ici", "nlu_fallback", "chat"),
    ("kteb lia hna", "nlu_fallback", "chat"), ("رسالة هنا", "nlu_fallback", "chat"),
])
async def test_the_way_to_be_contacted_said_in_words_is_taken(domain: dict[str, Any], text: str, intent: str,
                                                              mode: str) -> None:
    events, said = await run_form(domain, AT_CONTACT, user_event(intent, text))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["contact_mode"] == mode and said == []
    assert slots["requested_slot"] == ("callback_number" if mode == "callback" else None)


@pytest.mark.parametrize("text, intent", [
    ("ne m'appelez pas", "nlu_fallback"), ("appel ou message", "nlu_fallback"), ("oui", "affirm"),
    ("euh", "nlu_fallback"),
])
async def test_a_negation_both_ways_or_neither_asks_again(domain: dict[str, Any], text: str, intent: str) -> None:
    events, _ = await run_form(domain, AT_CONTACT, user_event(intent, text))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots.get("contact_mode") is None and slots["requested_slot"] == "contact_mode"


async def test_a_number_typed_at_the_contact_question_is_a_call_at_that_number(domain: dict[str, Any]) -> None:
    message = with_metadata(user_event("nlu_fallback", "[☎]"), contact_captured=True)
    events, said = await run_form(domain, AT_CONTACT, message)
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert slots["contact_mode"] == "callback" and slots["callback_number"] == NUMBER_GIVEN and said == []


async def test_words_of_a_contact_way_are_read_only_at_that_question(domain: dict[str, Any]) -> None:
    at_town = make_tracker(slots={**CONSENTED, "requested_slot": "escalation_city"},
                           history=[user_event("nlu_fallback", "par téléphone")])
    assert await ValidateEscalationForm().extract_contact_mode(CollectingDispatcher(), at_town, domain) == {}
    emergency = make_tracker(slots=AT_CONTACT, history=[user_event("emergency", "appelez vite il saigne")])
    assert await ValidateEscalationForm().extract_contact_mode(CollectingDispatcher(), emergency, domain) == {}
