"""Escalation to the hotline: prefilling the form, validating its answers, creating the referral."""

from __future__ import annotations

import logging
import time
import uuid
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.config import get_settings
from actions.contact_modes import contact_mode_in
from actions.language import DEFAULT_LANGUAGE, LANGUAGES, detected_language
from actions.outbox import ReferralOutbox, default_outbox, delivery_task
from actions.places import town_gazetteer
from actions.referrals import post_referral, reference_for_key
from actions.services import TOPIC_INTENTS
from sante_contract import CHANNELS, channel_of

logger = logging.getLogger(__name__)

FORM_SLOTS = ("escalation_consent", "triage_emergency", "triage_pregnant", "triage_child", "triage_violence",
              "topic", "triage_no_medication", "escalation_city", "contact_mode", "callback_number")
# Topics whose treatment cannot wait: only for them is the person asked whether they are without it.
TREATMENT_TOPICS = frozenset({"hiv_sti", "tuberculosis"})
TRIAGE_FLAGS = ("emergency", "pregnant", "child", "violence", "no_medication")
# An intent said in the last few messages answers a triage question before it is asked.
TRIAGE_FROM_INTENT = {
    "emergency": "triage_emergency",
    "violence_support": "triage_violence",
    "pregnancy_care": "triage_pregnant",
    "child_vaccination": "triage_child",
}
LOOKBACK_MESSAGES = 6
# Messages the rules answer even inside the form (the emergency numbers first, leaving): never an answer.
INTERRUPTING_INTENTS = frozenset({"emergency", "goodbye", "forget_me"})
CONTACT_MODES = ("chat", "callback")
NOT_UNDERSTOOD = frozenset({"nlu_fallback"})
INFORM_LOCATION = "inform_location"  # the person says where they are
YES_NO = frozenset({"affirm", "deny"})
# When the same question is asked again, a short line before it, alternating so the person never
# reads the very same answer three times in a row: "not understood", then how to answer or leave.
REASK_NOTES = ("utter_form_how_to_answer", "utter_form_not_understood")
# Slots whose re-asking already says why (an invalid phone number).
REASK_EXPLAINED = frozenset({"callback_number"})
# Numbers in a row that cannot be called before the form asks again how to be contacted.
NUMBER_TRIES = 2
UNDISCLOSED_CITY = "undisclosed"
# The gateway takes a typed phone number out of the message and keeps it, encrypted, for the
# backend (api/privacy/redaction.py); the message then says so in its metadata. The slot only
# records that a number was given: the number itself never enters a slot, an event or the outbox.
CONTACT_CAPTURED = "contact_captured"
NUMBER_GIVEN = "[☎]"


def recent_intents(tracker: Tracker) -> list[str]:
    """The person's intents since the previous escalation (at most the last few), newest first."""
    intents: list[str] = []
    for event in reversed(tracker.events_after_latest_restart()):
        if event.get("event") == "action" and event.get("name") == "action_create_referral":
            break
        if event.get("event") == "user":
            name = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if name:
                intents.append(name)
            if len(intents) >= LOOKBACK_MESSAGES:
                break
    return intents


def number_given(tracker: Tracker) -> bool:
    """Whether the latest message carried a number the gateway could keep for a callback."""
    return bool((tracker.latest_message.get("metadata") or {}).get(CONTACT_CAPTURED))


class ActionStartEscalation(Action):
    """Opens a new escalation: a fresh idempotency key, and answers already known prefilled."""

    def name(self) -> str:
        return "action_start_escalation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """A new escalation; in the middle of the form (a refusal told at one of its questions, a second
        "I want a person"), the same one: the answers given so far and the key stay, what the new
        message tells fills what is still unanswered (and raises a triage flag), and the form goes on
        where it was."""
        intents = recent_intents(tracker)
        known = {TRIAGE_FROM_INTENT[i] for i in intents if i in TRIAGE_FROM_INTENT}
        topic = next((i for i in intents if i in TOPIC_INTENTS or i in TRIAGE_FROM_INTENT), None)
        town = town_gazetteer().find(tracker.get_slot("city"))
        prefilled: dict[str, Any] = {slot: True for slot in FORM_SLOTS if slot.startswith("triage_") and slot in known}
        prefilled.update(topic=topic, escalation_city=town.name if town else None)
        if tracker.active_loop_name == "escalation_form":
            # A triage flag the new message raises wins over an earlier "no": it makes the case more urgent.
            return [SlotSet(slot, value) for slot, value in prefilled.items() if value is not None and (
                tracker.get_slot(slot) is None or (slot.startswith("triage_") and tracker.get_slot(slot) is not True))]
        events: list[EventType] = [SlotSet("escalation_key", str(uuid.uuid4()))]
        events += [SlotSet(slot, prefilled.get(slot)) for slot in FORM_SLOTS if slot.startswith("triage_")]
        events += [SlotSet("topic", prefilled["topic"]), SlotSet("escalation_city", prefilled["escalation_city"]),
                   SlotSet("escalation_consent", None), SlotSet("contact_mode", None),
                   SlotSet("callback_number", None), SlotSet("form_reasked", None)]
        return events


class ValidateEscalationForm(FormValidationAction):
    """Checks the escalation form's answers; asks about treatment only for HIV/TB, a number only for a callback."""

    def name(self) -> str:
        return "validate_escalation_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        """Extracts and validates, then says a word before a question that is asked again."""
        requested = tracker.get_slot("requested_slot")
        previous = int(tracker.get_slot("form_reasked") or 0)
        events: list[EventType] = await super().run(dispatcher, tracker, domain)
        answer = [e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == requested]
        if requested is not None and answer and answer[-1] is None and requested not in REASK_EXPLAINED:
            count = previous + 1
            dispatcher.utter_message(response=REASK_NOTES[count % 2])
            return [*events, SlotSet("form_reasked", float(count))]
        # Only alongside an answer: a slot event alone would keep the form from stepping aside for
        # a question the rules answer (Rasa rejects the form only when no slot was set).
        if previous and answer and answer[-1] is not None:
            return [*events, SlotSet("form_reasked", 0.0)]
        return events

    async def required_slots(self, domain_slots: list[str], dispatcher: CollectingDispatcher,
                             tracker: Tracker, domain: dict[str, Any]) -> list[str]:
        if tracker.get_slot("escalation_consent") is False:
            return []  # no consent: stop asking, action_create_referral says it is fine
        skipped: set[str] = set()
        if tracker.get_slot("topic") not in TREATMENT_TOPICS:
            skipped.add("triage_no_medication")  # asked once the topic is known to be HIV/STI or TB
        if tracker.get_slot("contact_mode") != "callback":
            skipped.add("callback_number")
        return [slot for slot in domain_slots if slot not in skipped]

    async def extract_topic(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                            domain: dict[str, Any]) -> dict[str, Any]:
        """When asked, the topic is the intent of the answer, or `other` (so the form moves on)."""
        if tracker.get_slot("requested_slot") != "topic" or tracker.get_slot("topic"):
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in INTERRUPTING_INTENTS:
            return {}  # the form steps aside and the rules answer (the emergency numbers first)
        return {"topic": intent if intent in TOPIC_INTENTS or intent in TRIAGE_FROM_INTENT else "other"}

    async def extract_escalation_city(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                      domain: dict[str, Any]) -> dict[str, Any]:
        """A town named in any spelling the gazetteer knows; `no` means the person keeps it to themselves.

        A town the gazetteer knows, named while another question is asked ("Oujda" to "Is it an
        emergency?"), is kept too: the form then asks its question again (a slot was set, so it
        does not step aside for the rule that lists the places nearby) and does not ask the town later.
        A message that says where the person is ("تطوان", "je suis à Tétouan") replaces a town given
        before. A town mentioned in the account of what happened (the topic question) is kept when
        none was given. A town mentioned in another message at a yes-or-no question ("on m'a refusé
        à l'hôpital de Rabat") is not taken here: the form steps aside, the rules answer the message,
        and the escalation takes the town from the `city` slot (`ActionStartEscalation`).
        """
        gazetteer = town_gazetteer()
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        named = [str(e["value"]) for e in tracker.latest_message.get("entities") or []
                 if e.get("entity") == "city" and e.get("value")]
        requested = tracker.get_slot("requested_slot")
        if requested != "escalation_city":
            known = next((town for name in named if (town := gazetteer.find(name)) is not None), None)
            saying_where = intent == INFORM_LOCATION
            in_account = requested == "topic" and not tracker.get_slot("escalation_city")
            return {"escalation_city": known.name} if known is not None and (saying_where or in_account) else {}
        if tracker.get_slot("escalation_city"):
            return {}
        if intent == "deny":
            return {"escalation_city": UNDISCLOSED_CITY}
        town = gazetteer.find(named[0] if named else tracker.latest_message.get("text") or "")
        if town is not None:
            return {"escalation_city": town.name}
        if named:
            return {"escalation_city": named[0]}  # a place the gazetteer lacks: the operator reads it as said
        if intent in NOT_UNDERSTOOD | {"affirm"}:
            return {"escalation_city": None}  # not understood, or "yes": ask again rather than leave the form
        return {}

    async def validate_escalation_city(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: dict[str, Any]) -> dict[str, Any]:
        """Keep the canonical town name; a town the gazetteer does not know is kept as said."""
        gazetteer = town_gazetteer()
        town = gazetteer.find(str(value)) if value else None
        return {"escalation_city": town.name if town else value}

    async def extract_contact_mode(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: dict[str, Any]) -> dict[str, Any]:
        """The way of being contacted said in words ("par téléphone", "عيطو ليا"), or a number given outright.

        A button's answer is taken by the slot mapping. A typed number (which the gateway kept) means a
        call at that number. Not understood, a yes or a no: asked again.
        """
        if tracker.get_slot("requested_slot") != "contact_mode":
            return {}
        latest = tracker.latest_message
        if any(entity.get("entity") == "contact_mode" for entity in latest.get("entities") or []):
            return {}
        intent = (latest.get("intent") or {}).get("name")
        if intent in INTERRUPTING_INTENTS:
            return {}  # the rules answer first (the emergency numbers, leaving)
        if number_given(tracker):
            return {"contact_mode": "callback", "callback_number": NUMBER_GIVEN}
        said = contact_mode_in(latest.get("text") or "")
        if said is not None:
            return {"contact_mode": said}
        return {"contact_mode": None} if intent in NOT_UNDERSTOOD | YES_NO else {}

    async def validate_contact_mode(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                    domain: dict[str, Any]) -> dict[str, Any]:
        return {"contact_mode": value if value in CONTACT_MODES else None}

    async def validate_callback_number(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                       domain: dict[str, Any]) -> dict[str, Any]:
        """Accepted when the gateway kept a callable number from this message; asked again otherwise.

        A number that reaches the action in clear (not through the gateway) is refused too, so it
        is never kept in the slot. A second number in a row that cannot be called opens the way to
        be contacted again: the form asks it next, so a person without a number they can give sees
        the written answer offered instead of the same request once more.
        """
        if number_given(tracker):
            return {"callback_number": NUMBER_GIVEN}
        dispatcher.utter_message(response="utter_invalid_callback_number")
        tries = int(tracker.get_slot("form_reasked") or 0) + 1
        if tries >= NUMBER_TRIES:
            return {"callback_number": None, "contact_mode": None, "form_reasked": 0.0}
        return {"callback_number": None, "form_reasked": float(tries)}


def _reask_when_not_understood(slot: str, not_answers: frozenset[str] = NOT_UNDERSTOOD) -> Any:
    """An `extract_<slot>` that leaves the slot empty on an answer that is none, so the form asks again.

    Without it the form would reject and the dialogue would leave the form for the fallback menu.
    """
    async def extract(self: ValidateEscalationForm, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: dict[str, Any]) -> dict[str, Any]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if tracker.get_slot("requested_slot") == slot and intent in not_answers:
            return {slot: None}
        return {}
    return extract


# "Chat or call back?" answered "yes" or "no" says neither: asked again too (extract_contact_mode).
_NOT_ANSWERS = dict.fromkeys(("escalation_consent", "triage_emergency", "triage_pregnant", "triage_child",
                              "triage_violence", "triage_no_medication"), NOT_UNDERSTOOD)
for _slot, _not_answers in _NOT_ANSWERS.items():
    setattr(ValidateEscalationForm, f"extract_{_slot}", _reask_when_not_understood(_slot, _not_answers))


def conversation_language(tracker: Tracker) -> str:
    """The language the case should be handled in."""
    language = tracker.get_slot("language") or detected_language(tracker.latest_message)
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def conversation_channel(tracker: Tracker) -> str:
    """The channel, from the conversation id's prefix (`tg-…`, `wa-…`, see docs/architecture.md)."""
    prefix = channel_of(tracker.sender_id)
    return prefix if prefix in CHANNELS else (tracker.get_latest_input_channel() or "rest")


def referral_body(tracker: Tracker, reference: str) -> dict[str, Any]:
    """The POST /api/v1/referrals body built from the form's answers."""
    city = tracker.get_slot("escalation_city")
    contact = tracker.get_slot("contact_mode") if tracker.get_slot("contact_mode") in CONTACT_MODES else "chat"
    body: dict[str, Any] = {
        "conversation_id": tracker.sender_id,
        "channel": conversation_channel(tracker),
        "language": conversation_language(tracker),
        "topic": tracker.get_slot("topic") or "other",
        "city": None if city in (None, UNDISCLOSED_CITY) else city,
        "consent": True,
        "triage": {flag: bool(tracker.get_slot(f"triage_{flag}")) for flag in TRIAGE_FLAGS},
        "contact": contact,
        "reference": reference,
    }
    # No callback number here: the backend takes the one the gateway kept for this conversation.
    return body


def language_on_duty_response(language: str, spoken: bool | None) -> str | None:
    """What to tell the person about their language once the request is in: someone on duty speaks it,
    or nobody does (an operator answers in French, or calls back). Nothing for French, or when unknown."""
    if language == DEFAULT_LANGUAGE or spoken is None:
        return None
    return "utter_referral_language_spoken" if spoken else "utter_referral_language_not_spoken"


class ActionCreateReferral(Action):
    """Sends the consented escalation to the hotline queue, or queues it locally when the backend is down."""

    def __init__(self, outbox: ReferralOutbox | None = None) -> None:
        self._outbox = outbox

    def name(self) -> str:
        return "action_create_referral"

    @property
    def outbox(self) -> ReferralOutbox:
        if self._outbox is None:
            self._outbox = default_outbox()
        return self._outbox

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("escalation_consent") is not True:
            dispatcher.utter_message(response="utter_escalation_declined")
            return [SlotSet("callback_number", None)]
        # The key is made once per escalation: a retried action posts the same referral again.
        key = tracker.get_slot("escalation_key") or str(uuid.uuid4())
        reference = reference_for_key(key)
        settings = get_settings()
        body = referral_body(tracker, reference)
        self.outbox.add(key, reference, body)  # durable first, then try to deliver
        result = await post_referral(settings, body, key)
        if result.delivered:
            self.outbox.mark_delivered(key)
            logger.info("referral_created reference=%s status=%s", result.reference, result.status)
            dispatcher.utter_message(response="utter_referral_created", reference=result.reference or reference)
            language_line = language_on_duty_response(body["language"], result.language_spoken_on_duty)
            if language_line:
                dispatcher.utter_message(response=language_line)
        else:
            logger.warning("referral_queued reference=%s error=%s", reference, result.error)
            self.outbox.mark_failed(key, result.error or "unknown", time.time() + settings.retry_initial_s)
            delivery_task.ensure_running(self.outbox, settings)
            dispatcher.utter_message(response="utter_referral_queued", reference=reference)
        # The slot only said a number was given; the next escalation asks again.
        return [SlotSet("escalation_key", key), SlotSet("callback_number", None)]
