"""Conversations through the real stack (web chat gateway, Rasa, action server, backend) in fr, en, ar, ary.

Each test types what a person would type (or presses the buttons the assistant sent) and checks
the replies against the catalogs in the conversation's language, and the cases against the database.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import pytest

from api.directory.answer import town_name
from api.nlg.render import render_response
from tests.e2e.conftest import WebChatPerson
from tests.e2e.stack import Stack

LANGUAGES = ("fr", "en", "ar", "ary")
# Bidirectional isolates the renderer puts around values inside right-to-left text.
ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069"))

RIGHTS_QUESTION = {
    "fr": "je n'ai pas de papiers, est-ce que j'ai le droit de me soigner au centre de santé ?",
    "en": "I have no papers, am I allowed to get treated at the health centre?",
    "ar": "ليست لدي بطاقة إقامة، هل يحق لي العلاج في المركز الصحي؟",
    "ary": "ma3endich lwra9, wach nqder ntdawa f sbitar?",
}
FIND_SERVICE = {
    "fr": "où est le centre de santé le plus proche ?",
    "en": "where is the nearest health centre?",
    "ar": "أين يوجد أقرب مركز صحي؟",
    "ary": "fin kayn a9rab centre de santé?",
}
IN_OUJDA = {"fr": "je suis à Oujda", "en": "I am in Oujda", "ar": "أنا في وجدة", "ary": "ana f wjda"}
ASK_A_PERSON = {
    "fr": "je veux parler à quelqu'un",
    "en": "I want to talk to a real person",
    "ar": "أريد التحدث مع شخص حقيقي",
    "ary": "bghit nhder m3a chi wa7ed",
}
EMERGENCY = {
    "fr": "mon ami ne respire plus",
    "en": "my friend is not breathing",
    "ar": "صديقي لا يتنفس",
    "ary": "sa7bi ma kaytneffesch",
}
# A place's first line in a listing: "1. <name> (<kind>), 2.4 km" (Arabic: "، 2.4 كم").
PLACE_LINE = re.compile(r"\d\. .+ \(.+\)[,،] ([\d.]+) (?:km|كم|كلم)")
TOWN_ANSWER = {"fr": "Oujda", "en": "Oujda", "ar": "وجدة", "ary": "wjda"}
YES, NO = "/affirm", "/deny"
CHAT = '/choose_contact_mode{"contact_mode": "chat"}'
CALLBACK = '/choose_contact_mode{"contact_mode": "callback"}'


def rendered(name: str, language: str, **variables: Any) -> str:
    """The text the catalogs give for a response in a language (the town in the person's script)."""
    if isinstance(variables.get("city"), str):
        variables["city"] = town_name(variables["city"], language)
    return render_response(name, language, variables).text


def plain(text: str) -> str:
    return text.translate(ISOLATES)


def bot_text(name: str, language: str, **variables: Any) -> str:
    """What the catalogs make the bot say for a response, as the tests read replies (without isolates)."""
    return plain(rendered(name, language, **variables))


def texts(replies: list[dict]) -> list[str]:
    return [plain(r["text"]) for r in replies]


def cases_of(stack: Stack, conversation_id: str) -> list[dict[str, Any]]:
    """The hotline cases the backend holds for a conversation, read straight from its database."""
    with sqlite3.connect(stack.workdir / "app.db") as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT reference, idempotency_key, triage_level, base_priority, language, topic, city,"
                          " contact, callback_number_encrypted, status FROM hotline_case WHERE conversation_id = ?",
                          (conversation_id,))
        return [dict(row) for row in rows]


def answer_escalation_form(person: WebChatPerson, language: str, replies: list[dict],
                           answers: dict[str, str]) -> list[dict]:
    """Answer each question the escalation form asks, by recognising it in the catalog, until it stops asking."""
    questions = {name: plain(rendered(name, language)) for name in answers}
    for _ in range(len(answers) + 1):
        asked = [name for name, text in questions.items() if text in texts(replies)]
        if not asked:
            return replies
        replies = person.say(answers[asked[-1]])
    raise AssertionError(f"the form kept asking: {texts(replies)}")


def escalation_answers(topic: str, **answers: str) -> dict[str, str]:
    """The escalation form's answers by question: yes to consent, no to each triage question, `topic`, then
    `answers` (which may also change one of those, keeping its place in the order)."""
    return {"utter_ask_escalation_consent": YES, "utter_ask_triage_emergency": NO, "utter_ask_triage_pregnant": NO,
            "utter_ask_triage_child": NO, "utter_ask_triage_violence": NO, "utter_ask_topic": topic, **answers}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_rights_question_is_answered_with_the_circulars(person: WebChatPerson, language: str) -> None:
    answer = texts(person.say(RIGHTS_QUESTION[language]))
    expected = {plain(rendered(name, language)) for name in ("utter_rights_undocumented", "utter_rights_free_care")}
    assert expected & set(answer), answer
    assert any("2003" in text or "2008" in text for text in answer)
    assert person.slots()["language"] == language


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_town_is_asked_then_the_nearest_services_are_listed_with_distances(
        person: WebChatPerson, language: str) -> None:
    asked = texts(person.say(FIND_SERVICE[language]))
    assert plain(rendered("utter_ask_city", language)) in asked
    listed = texts(person.say(IN_OUJDA[language]))
    marker = "\u0000"
    before, after = plain(rendered("utter_services_list", language, city="Oujda", services=marker)).split(marker)
    lists = [text for text in listed if text.startswith(before) and text.endswith(after)]
    assert len(lists) == 1, listed
    listing = lists[0][len(before):len(lists[0]) - len(after)]
    places = [line for line in listing.splitlines() if re.match(r"\d\. ", line)]
    assert 1 <= len(places) <= 3, listing
    lines = [line for line in places if PLACE_LINE.fullmatch(line)]
    distances = [float(PLACE_LINE.fullmatch(line).group(1)) for line in lines]  # type: ignore[union-attr]
    assert distances == sorted(distances) and all(distance <= 50 for distance in distances)
    # The services the seeds name in Oujda are known only by their town: "in Oujda", no distance, no
    # map pin, and the address is said to be unknown.
    by_town = [line for line in places if line not in lines]
    assert by_town and all(line.endswith(town_name("Oujda", language)) for line in by_town), listing
    assert listing.count(plain(rendered("directory.address_unknown", language))) == len(by_town)
    # Nothing in the tests' directory is verified: every listed place says so.
    assert listing.count(plain(rendered("directory.unverified", language))) == len(places)
    assert person.slots()["city"] == "Oujda"


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_escalation_creates_exactly_one_case_with_its_triage_priority(
        stack: Stack, person: WebChatPerson, language: str) -> None:
    replies = person.say(ASK_A_PERSON[language])
    assert plain(rendered("utter_ask_escalation_consent", language)) in texts(replies)
    replies = answer_escalation_form(person, language, replies, escalation_answers(
        "/pregnancy_care", utter_ask_triage_pregnant=YES, utter_ask_escalation_city=TOWN_ANSWER[language],
        utter_ask_contact_mode=CHAT))
    cases = cases_of(stack, person.conversation_id or "")
    assert len(cases) == 1, cases
    case = cases[0]
    assert (case["triage_level"], case["base_priority"]) == ("vulnerable", 60)
    assert (case["language"], case["topic"], case["city"], case["contact"]) == (
        language, "pregnancy_care", "Oujda", "chat")
    assert plain(rendered("utter_referral_created", language, reference=case["reference"])) in texts(replies)
    assert person.slots()["callback_number"] is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_emergency_gets_the_numbers_first_then_a_top_priority_case_when_wanted(
        stack: Stack, person: WebChatPerson, language: str) -> None:
    replies = texts(person.say(EMERGENCY[language]))
    assert replies[:2] == [plain(rendered("utter_emergency_numbers", language)),
                           plain(rendered("utter_offer_case_emergency", language))]
    assert "15" in replies[0] and "112" in replies[0]
    assert cases_of(stack, person.conversation_id or "") == []  # nothing is passed on without the person's yes
    replies = person.say(YES)
    asked = texts(replies)
    assert plain(rendered("utter_ask_escalation_consent", language)) in asked
    assert plain(rendered("utter_ask_triage_emergency", language)) not in asked
    answer_escalation_form(person, language, replies, escalation_answers(
        "/out_of_scope", utter_ask_triage_emergency=YES, utter_ask_escalation_city=TOWN_ANSWER[language],
        utter_ask_contact_mode=CHAT))
    [case] = cases_of(stack, person.conversation_id or "")
    assert (case["triage_level"], case["base_priority"], case["topic"]) == ("emergency", 1000, "emergency")


@pytest.mark.parametrize("language", ["fr", "ary"])
def test_an_hiv_escalation_without_treatment_is_a_vulnerable_case(
        stack: Stack, person: WebChatPerson, language: str) -> None:
    replies = person.say(ASK_A_PERSON[language])
    replies = answer_escalation_form(person, language, replies, escalation_answers(
        "/hiv_sti", utter_ask_triage_no_medication=YES, utter_ask_escalation_city=TOWN_ANSWER[language],
        utter_ask_contact_mode=CHAT))
    [case] = cases_of(stack, person.conversation_id or "")
    # Only the missing treatment makes it more than an `other` case: no pregnancy, child or violence.
    assert (case["triage_level"], case["base_priority"], case["topic"]) == ("vulnerable", 60, "hiv_sti")
    assert person.slots()["triage_no_medication"] is True
    assert plain(rendered("utter_referral_created", language, reference=case["reference"])) in texts(replies)


def test_a_shared_location_lists_the_nearest_services_with_their_distance(stack: Stack) -> None:
    person = WebChatPerson(stack)
    person.say("bonjour")
    # Nador: no service of the directory is in the town itself, so the distances are not zero.
    response = person.say_location(35.17, -2.93)
    listed = texts(response)
    lines = [line for text in listed for line in text.splitlines() if PLACE_LINE.fullmatch(line)]
    assert lines, listed
    distances = [float(PLACE_LINE.fullmatch(line).group(1)) for line in lines]  # type: ignore[union-attr]
    assert distances == sorted(distances) and distances[0] > 0
    assert person.slots()["city"] == "Nador"


def test_asking_to_change_language_offers_every_language_and_a_choice_sticks(person: WebChatPerson) -> None:
    person.say("bonjour")
    replies = person.say("tu peux parler anglais ?")
    buttons = [b["payload"] for r in replies for b in r["buttons"]]
    assert '/choose_language{"language": "en"}' in buttons and '/choose_language{"language": "ary"}' in buttons
    changed = texts(person.say('/choose_language{"language": "en"}'))
    assert plain(rendered("utter_language_changed", "en")) in changed
    # A short message in another script does not undo the person's choice.
    person.say("ok")
    assert person.slots()["language"] == "en"


def test_two_misunderstandings_in_a_row_offer_a_person(person: WebChatPerson) -> None:
    person.say("bonjour")
    first = texts(person.say("zxqv wplk trbn"))
    assert plain(rendered("utter_default", person.slots()["language"])) in first
    # Whether the NLU is unsure or nothing in the dialogue fits the message, it is a misunderstanding.
    second = texts(person.say("qqq vvv kkk"))
    assert plain(rendered("utter_offer_human", person.slots()["language"])) in second
    accepted = texts(person.say(YES))
    assert plain(rendered("utter_ask_escalation_consent", person.slots()["language"])) in accepted


def test_a_callback_number_is_checked_and_reaches_the_case_but_not_the_conversation(
        stack: Stack, person: WebChatPerson) -> None:
    replies = person.say("on m'a refusé au centre de santé, je veux qu'on m'aide")
    replies = answer_escalation_form(person, "fr", replies, escalation_answers(
        "/care_refused", utter_ask_escalation_city="Nador", utter_ask_contact_mode=CALLBACK))
    assert plain(rendered("utter_ask_callback_number", "fr")) in texts(replies)
    refused = texts(person.say("demain matin"))
    assert plain(rendered("utter_invalid_callback_number", "fr")) in refused
    assert plain(rendered("utter_ask_callback_number", "fr")) in refused
    done = texts(person.say("06 12 34 56 78"))
    [case] = cases_of(stack, person.conversation_id or "")
    assert (case["contact"], case["topic"], case["city"]) == ("callback", "care_refused", "Nador")
    assert plain(rendered("utter_referral_created", "fr", reference=case["reference"])) in done
    assert person.slots()["callback_number"] is None


@pytest.mark.parametrize("language, said, number, contact", [
    ("fr", "par téléphone", "06 12 34 56 78", "callback"),
    ("ary", "3ayto lia", "0612345678", "callback"),
    ("fr", "écrivez-moi ici", None, "chat"),
    ("fr", "06 12 34 56 78", None, "callback"),  # the number itself, at the contact question
])
def test_the_way_to_be_contacted_can_be_said_in_words_or_with_the_number(
        stack: Stack, person: WebChatPerson, language: str, said: str, number: str | None, contact: str) -> None:
    replies = answer_escalation_form(person, language, person.say(ASK_A_PERSON[language]), escalation_answers(
        "/care_refused", utter_ask_escalation_city="Nador"))
    assert plain(rendered("utter_ask_contact_mode", language)) in texts(replies)
    replies = person.say(said)
    if number is not None:
        assert plain(rendered("utter_ask_callback_number", language)) in texts(replies)
        replies = person.say(number)
    [case] = cases_of(stack, person.conversation_id or "")
    assert (case["contact"], case["city"]) == (contact, "Nador")
    assert (case["callback_number_encrypted"] is not None) == (contact == "callback")  # the number reached the case
    assert plain(rendered("utter_referral_created", language, reference=case["reference"])) in texts(replies)


def case_by_reference(stack: Stack, reference: str) -> dict[str, Any] | None:
    with sqlite3.connect(stack.workdir / "app.db") as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT conversation_id, callback_number_encrypted, status, erased_at FROM hotline_case"
                         " WHERE reference = ?", (reference,)).fetchone()
    return dict(row) if row else None


def test_forget_me_erases_the_person_after_confirmation_only(stack: Stack, person: WebChatPerson) -> None:
    replies = person.say("I want to talk to a real person")
    answer_escalation_form(person, "en", replies, escalation_answers(
        "/mental_health", utter_ask_triage_violence=YES, utter_ask_escalation_city="Berkane",
        utter_ask_contact_mode=CALLBACK, utter_ask_callback_number="+212 6 12 34 56 78"))
    [case] = cases_of(stack, person.conversation_id or "")
    assert case["triage_level"] == "violence"

    assert plain(rendered("utter_ask_forget_confirm", "en")) in texts(person.say("/forget_me"))
    assert plain(rendered("utter_forget_cancelled", "en")) in texts(person.say(NO))
    assert case_by_reference(stack, case["reference"]) is not None

    person.say("/forget_me")
    assert plain(rendered("utter_forget_done", "en")) in texts(person.say(YES))
    # The case itself is gone: it survives only as a count in the anonymous statistics.
    assert case_by_reference(stack, case["reference"]) is None
    # The conversation starts afresh: nothing the person said is kept in its slots, and once the turn is
    # over Rasa's tracker store no longer holds what they said.
    assert person.slots()["city"] is None and person.slots()["escalation_city"] is None
    with sqlite3.connect(stack.workdir / "tracker.db") as db:
        kept = db.execute("SELECT data FROM events WHERE sender_id = ?", (person.conversation_id,)).fetchall()
    assert not any("real person" in data or "Berkane" in data for (data,) in kept)


@pytest.mark.parametrize("language", ["fr", "ary"])
def test_an_emergency_said_during_the_escalation_gets_the_numbers_before_the_next_question(
        person: WebChatPerson, language: str) -> None:
    replies = person.say(ASK_A_PERSON[language])
    replies = answer_escalation_form(person, language, replies, escalation_answers(
        "/hiv_sti", utter_ask_triage_no_medication=NO, utter_ask_escalation_city=TOWN_ANSWER[language]))
    answers = texts(person.say(CALLBACK))
    assert plain(rendered("utter_ask_callback_number", language)) in answers
    interrupted = texts(person.say(EMERGENCY[language]))
    assert interrupted[0] == plain(rendered("utter_emergency_numbers", language))
    assert plain(rendered("utter_invalid_callback_number", language)) not in interrupted
    assert plain(rendered("utter_ask_callback_number", language)) in interrupted[1:]


# Off-path answers to a yes-or-no question of the escalation form, as people send them.
SMILEY = "\N{SLIGHTLY SMILING FACE}"


@pytest.mark.parametrize("language", ["fr", "ary"])
def test_a_town_or_a_smiley_given_to_the_emergency_question_is_not_taken_for_an_answer(
        stack: Stack, person: WebChatPerson, language: str) -> None:
    replies = person.say(ASK_A_PERSON[language])
    replies = person.say(YES)
    emergency = plain(rendered("utter_ask_triage_emergency", language))
    assert emergency in texts(replies)
    # A town: kept for the case, the question asked again, no list of places in the middle of the form.
    replies = person.say(TOWN_ANSWER[language])
    assert texts(replies)[-1] == emergency and not any(PLACE_LINE.search(text) for text in texts(replies))
    # A smiley is not a "no" (it was: every message without a letter or a digit read as one).
    replies = person.say(SMILEY)
    assert texts(replies)[-1] == emergency and person.slots()["triage_emergency"] is None
    answers = escalation_answers("/rights_free_care", utter_ask_contact_mode=CHAT)
    del answers["utter_ask_escalation_consent"]
    replies = answer_escalation_form(person, language, replies, answers)
    # The town was not asked again, and the case has it.
    assert plain(rendered("utter_ask_escalation_city", language)) not in texts(replies)
    [case] = cases_of(stack, person.conversation_id or "")
    assert (case["city"], case["contact"], case["triage_level"]) == ("Oujda", "chat", "other")


REFUSED_IN_RABAT = {"fr": "on m'a refusé à l'hôpital de Rabat", "ar": "رفضوا يعالجوني فسبيطار الرباط"}


@pytest.mark.parametrize("language", sorted(REFUSED_IN_RABAT))
def test_a_refusal_told_in_the_middle_of_the_form_is_answered_and_the_form_goes_on(
        stack: Stack, person: WebChatPerson, language: str) -> None:
    person.say(ASK_A_PERSON[language])
    person.say(YES)
    replies = person.say(NO)
    pregnant = plain(rendered("utter_ask_triage_pregnant", language))
    assert texts(replies)[-1] == pregnant
    # The refusal gets the rights, then the question it interrupted: the consent and the first answer stay.
    replies = person.say(REFUSED_IN_RABAT[language])
    assert plain(rendered("utter_care_refused", language)).split("\n")[0] in texts(replies)[0]
    assert texts(replies)[-1] == pregnant
    assert plain(rendered("utter_ask_escalation_consent", language)) not in texts(replies)
    slots = person.slots()
    assert (slots["escalation_consent"], slots["triage_emergency"]) == (True, False)
    answers = escalation_answers("/rights_free_care", utter_ask_contact_mode=CHAT)
    for asked in ("utter_ask_escalation_consent", "utter_ask_triage_emergency"):
        del answers[asked]
    replies = answer_escalation_form(person, language, replies, answers)
    # What the refusal said is the case's topic and town: neither was asked.
    for question in ("utter_ask_topic", "utter_ask_escalation_city"):
        assert plain(rendered(question, language)) not in texts(replies)
    [case] = cases_of(stack, person.conversation_id or "")
    assert (case["topic"], case["city"], case["contact"]) == ("care_refused", "Rabat", "chat")
