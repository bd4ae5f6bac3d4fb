"""A conversation never goes silent, through the real stack (trained model, Rasa, actions, API, web chat).

A "yes", a "no" or a "2" to no question, at the start, inside the escalation form, after the
request reached the hotline and while an operator holds the case: each is answered once, and an
emergency right after still gets the numbers first. Two hundred random messages in one
conversation are all answered, never with the same answer three times in a row. The language
stays put on gibberish, digits, emojis and "ok". Typed numbers and button titles select buttons; a language's
name typed alone chooses it, also inside the form.
"""

from __future__ import annotations

import random
import sqlite3
import string

import pytest

from tests.e2e.conftest import WebChatPerson
from tests.e2e.stack import Stack
from tests.e2e.test_dialogue import (
    ASK_A_PERSON,
    CHAT,
    EMERGENCY,
    RIGHTS_QUESTION,
    TOWN_ANSWER,
    answer_escalation_form,
    bot_text,
    cases_of,
    escalation_answers,
    texts,
)

LANGUAGES = ("fr", "en", "ar", "ary")
YES_WORD = {"fr": "oui", "en": "yes", "ar": "نعم", "ary": "wah"}
NO_WORD = {"fr": "non", "en": "no", "ar": "لا", "ary": "la"}
TWO = {"fr": "2", "en": "2", "ar": "٢", "ary": "2"}
THANKS = {"fr": "merci beaucoup", "en": "thank you very much", "ar": "شكرا جزيلا", "ary": "choukran bzaf"}
# The escalation form answered with its buttons' payloads, up to the town question.
UP_TO_THE_TOWN = escalation_answers("/rights_free_care")


def answered_once(replies: list[dict]) -> list[str]:
    """The texts of one turn, checked to be an answer: something, and nothing said twice."""
    got = texts(replies)
    assert got, "no answer"
    assert len(set(got)) == len(got), f"the same message twice in one answer: {got}"
    return got


def the_numbers_first(person: WebChatPerson, language: str) -> None:
    got = answered_once(person.say(EMERGENCY[language]))
    assert got[0] == bot_text("utter_emergency_numbers", language), got
    assert "15" in got[0] and "112" in got[0]


# --- a yes, a no, a "2" to no question -----------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("word", ["yes", "two", "no"])
def test_a_first_yes_no_or_number_is_answered_with_the_greeting(
        person: WebChatPerson, language: str, word: str) -> None:
    typed = {"yes": YES_WORD, "two": TWO, "no": NO_WORD}[word][language]
    got = answered_once(person.say(typed))
    # With the language choice when the word does not tell the language ("oui", "2", "لا"); "yes" does.
    current = person.slots()["language"]
    assert got in ([bot_text("utter_greet_choose_language", current)], [bot_text("utter_greet", current)]), got
    the_numbers_first(person, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_yes_a_number_and_a_no_with_no_question_pending_show_the_menu_once(
        person: WebChatPerson, language: str) -> None:
    person.say(RIGHTS_QUESTION[language])
    for typed in (YES_WORD[language], TWO[language], NO_WORD[language]):
        person.say(THANKS[language])  # no buttons on the thanks: a "2" after it is no choice
        assert answered_once(person.say(typed)) == [bot_text("utter_no_pending_question", language)], typed
    assert person.slots()["language"] == language
    the_numbers_first(person, language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_yes_a_number_and_a_no_inside_the_form_ask_the_question_again(
        person: WebChatPerson, language: str) -> None:
    replies = answer_escalation_form(person, language, person.say(ASK_A_PERSON[language]), UP_TO_THE_TOWN)
    town_question = bot_text("utter_ask_escalation_city", language)
    assert town_question in texts(replies)
    assert answered_once(person.say(YES_WORD[language])) == [bot_text("utter_form_not_understood", language),
                                                             town_question]
    # Asked again once more: another line, never the very same answer three times in a row.
    assert answered_once(person.say(TWO[language])) == [bot_text("utter_form_how_to_answer", language), town_question]
    contact_question = bot_text("utter_ask_contact_mode", language)
    assert contact_question in answered_once(person.say(TOWN_ANSWER[language]))
    assert answered_once(person.say(NO_WORD[language])) == [bot_text("utter_form_not_understood", language),
                                                            contact_question]
    got = answered_once(person.say(EMERGENCY[language]))
    assert got[0] == bot_text("utter_emergency_numbers", language) and contact_question in got[1:]
    done = answered_once(person.say(CHAT))
    [case] = cases_of(person.stack, person.conversation_id or "")
    assert bot_text("utter_referral_created", language, reference=case["reference"]) in done


def escalated(person: WebChatPerson, language: str) -> dict:
    replies = answer_escalation_form(person, language, person.say(ASK_A_PERSON[language]),
                                     {**UP_TO_THE_TOWN, "utter_ask_escalation_city": TOWN_ANSWER[language],
                                      "utter_ask_contact_mode": CHAT})
    [case] = cases_of(person.stack, person.conversation_id or "")
    assert case["reference"] in " ".join(texts(replies))
    return case


@pytest.mark.parametrize("language", LANGUAGES)
def test_after_the_request_reached_the_hotline_a_number_a_yes_and_a_no_are_answered_once(
        person: WebChatPerson, language: str) -> None:
    escalated(person, language)
    assert answered_once(person.say(TWO[language])) == [bot_text("utter_no_pending_question", language)]
    assert answered_once(person.say(NO_WORD[language])) == [bot_text("utter_offer_human", language)]
    assert answered_once(person.say(NO_WORD[language])) == [bot_text("utter_help_menu", language)]
    person.say(THANKS[language])
    assert answered_once(person.say(YES_WORD[language])) == [bot_text("utter_no_pending_question", language)]
    the_numbers_first(person, language)


def set_case_status(stack: Stack, reference: str, status: str) -> None:
    with sqlite3.connect(stack.workdir / "app.db") as db:
        db.execute("UPDATE hotline_case SET status = ? WHERE reference = ?", (status, reference))


@pytest.mark.parametrize("language", LANGUAGES)
def test_while_an_operator_holds_the_case_an_emergency_still_gets_the_numbers_at_once(
        stack: Stack, person: WebChatPerson, language: str) -> None:
    case = escalated(person, language)
    set_case_status(stack, case["reference"], "claimed")  # an operator took it (the console's claim)
    assert person.say(YES_WORD[language]) == []  # for the operator, who answers in their own words
    got = texts(person.say(EMERGENCY[language]))
    assert got == [bot_text("utter_emergency_numbers", language)]
    with sqlite3.connect(stack.workdir / "app.db") as db:
        case_id = db.execute("SELECT id FROM hotline_case WHERE reference = ?", (case["reference"],)).fetchone()[0]
        messages = [t for (t,) in db.execute("SELECT text FROM case_message WHERE case_id = ?", (case_id,))]
        alerts = db.execute("SELECT count(*) FROM live_event WHERE case_id = ? AND kind = 'person_emergency'",
                            (case_id,)).fetchone()[0]
    assert messages == [YES_WORD[language], EMERGENCY[language]] and alerts == 1
    set_case_status(stack, case["reference"], "closed")  # the operator closed it: back to the bot
    assert answered_once(person.say(YES_WORD[language])) == [bot_text("utter_no_pending_question", language)]


# --- two hundred random messages ------------------------------------------------------------------------

PAYLOADS = ["/affirm", "/deny", '/share_location{"latitude": 999}', '/choose_language{"language": "xx"}',
            "/restart", "/foo", "/request_human", "/ask_help_menu", "/choose_contact_mode", "/greet",
            '/inform_location{"city": "Atlantis"}', "/emergency", "/nlu_fallback", "/goodbye"]
EMOJIS = ["\N{GRINNING FACE}", "\N{THUMBS UP SIGN}", "\U0001F64F", "\N{CRYING FACE}", "\u2764\ufe0f" * 3]
WORDS = ["oui", "non", "ok", "merci", "salam", "hi", "wah", "la", "نعم", "لا", "بطاقة", "carte", "card", "?", "..."]


def random_message(rng: random.Random) -> str:
    kind = rng.choice(("letters", "emoji", "payload", "digits", "word", "arabic"))
    if kind == "letters":
        return " ".join("".join(rng.choices(string.ascii_lowercase, k=rng.randint(2, 9)))
                        for _ in range(rng.randint(1, 4)))
    if kind == "emoji":
        return "".join(rng.choices(EMOJIS, k=rng.randint(1, 3)))
    if kind == "payload":
        return rng.choice(PAYLOADS)
    if kind == "digits":
        return rng.choice([str(rng.randint(0, 20)), "٢", "٣", "0612", str(rng.randint(100, 99999))])
    if kind == "arabic":
        return "".join(rng.choices("ابتثجحخدذرزسشصضطظعغفقكلمنهوي ", k=rng.randint(3, 15))).strip() or "ب"
    return rng.choice(WORDS)


def test_two_hundred_random_messages_are_all_answered_never_three_times_the_same(person: WebChatPerson) -> None:
    rng = random.Random(20261201)
    answers: list[tuple[str, ...]] = []
    for number in range(200):
        message = random_message(rng)
        replies = person.say(message)
        got = tuple(texts(replies))
        assert got, f"message {number} ({message!r}) got no answer"
        assert all(t.strip() or r["image"] for t, r in zip(got, replies, strict=True)), (message, got)
        answers.append(got)
        if len(answers) >= 3:
            assert not (answers[-1] == answers[-2] == answers[-3]), (number, message, got)
    # And the conversation still works: an emergency gets the numbers first.
    assert texts(person.say(EMERGENCY["fr"]))[0] == bot_text("utter_emergency_numbers", person.slots()["language"])


# --- the language stays put ----------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_gibberish_digits_emojis_and_ok_never_change_the_language(person: WebChatPerson, language: str) -> None:
    person.say(RIGHTS_QUESTION[language])
    assert person.slots()["language"] == language
    # "asdfgh" and "qwerty" are out-of-scope training examples in French and English: confidently "French".
    for typed in ("azerty uiop", "qsdf", "2", "12", "\N{GRINNING FACE}\N{THUMBS UP SIGN}", "ok", "zxqv wplk trbn",
                  "asdfgh", "qwerty"):
        person.say(typed)
        assert person.slots()["language"] == language, typed


@pytest.mark.parametrize("language, typed", [("fr", "stop"), ("en", "stop"), ("ary", "baraka"), ("fr", "annuler"),
                                             ("en", "cancel")])
def test_stop_or_cancel_is_a_goodbye_with_the_emergency_numbers_also_inside_the_form(
        person: WebChatPerson, language: str, typed: str) -> None:
    person.say(RIGHTS_QUESTION[language])
    assert bot_text("utter_goodbye", language) in texts(person.say(typed))  # was a tuberculosis answer
    person.say(ASK_A_PERSON[language])
    assert bot_text("utter_goodbye", language) in texts(person.say(typed))
    assert person.slots()["language"] == language


@pytest.mark.parametrize("language, sentence", [
    ("en", "is medical care free for migrants in Morocco?"),
    ("fr", "est-ce que je dois payer au centre de santé ?"),
    ("ar", "هل يجب أن أدفع في المستشفى؟"),
])
def test_a_confident_sentence_in_another_language_changes_it(person: WebChatPerson, language: str,
                                                             sentence: str) -> None:
    person.say(RIGHTS_QUESTION["ary" if language != "ary" else "fr"])
    person.say(sentence)
    assert person.slots()["language"] == language


# --- first contact, typed choices ------------------------------------------------------------------------

@pytest.mark.parametrize("first, typed_language, language", [
    ("salut", "1", "fr"), ("hi", "English", "en"), ("مرحبا", "٣", "ar"), ("salam", "الدارجة", "ary"),
    ("ok", "wolof", "wo"), ("\N{GRINNING FACE}", "2", "en"), ("2", "١", "fr"),
])
def test_the_language_choice_is_taken_by_a_typed_number_or_name(
        person: WebChatPerson, first: str, typed_language: str, language: str) -> None:
    replies = person.say(first)
    assert [b["title"] for b in replies[-1]["buttons"]] == [
        "Français", "English", "العربية", "الدارجة", "Wolof", "Lingála", "Pulaar", "Maninkakan", "Sosoxui", "Baoulé"]
    assert bot_text("utter_language_changed", language) in texts(person.say(typed_language))
    assert person.slots()["language"] == language


@pytest.mark.parametrize("name, language", [("English", "en"), ("Wolof", "wo"), ("العربية", "ar")])
def test_a_language_name_typed_later_or_inside_the_form_chooses_it_and_the_form_goes_on_in_it(
        person: WebChatPerson, name: str, language: str) -> None:
    person.say(RIGHTS_QUESTION["fr"])  # French, no language choice on offer
    person.say(ASK_A_PERSON["fr"])
    asked = person.say("oui")  # consent given: the first triage question
    assert bot_text("utter_ask_triage_emergency", "fr") in texts(asked)
    changed = texts(person.say(name))
    assert bot_text("utter_language_changed", language) in changed
    assert bot_text("utter_ask_triage_emergency", language) in changed  # the same question, in the new language
    assert person.slots()["language"] == language


@pytest.mark.parametrize("language, menu, rights_card, number", [
    ("fr", "MENU", "carte des droits", "3"),
    ("ar", "القائمة", "بطاقة الحقوق", "٣"),
    ("ary", "القائمه", "بطاقه الحقوق", "٣"),
])
def test_typed_button_titles_and_numbers_select_the_buttons(
        person: WebChatPerson, language: str, menu: str, rights_card: str, number: str) -> None:
    person.say(RIGHTS_QUESTION["fr"])
    person.say(f'/choose_language{{"language": "{language}"}}')
    # utter_language_changed offers "Menu"; typed in another case or letter form it is still that button.
    assert bot_text("utter_help_menu", language) in texts(person.say(menu))
    card = person.say(rights_card)
    assert bot_text("utter_rights_card", language) in texts(card) and any(r["image"] for r in card)
    person.say("/ask_help_menu")
    assert bot_text("utter_ask_city", language) in texts(person.say(number))  # 3rd choice: find a service


# --- when part of the assistant fails ----------------------------------------------------------------------

def test_with_the_action_server_down_every_message_is_answered_and_an_emergency_gets_the_numbers(
        stack: Stack) -> None:
    person = WebChatPerson(stack)
    stack.stop("actions")
    try:
        for typed in ("bonjour", "oui", "je veux parler à quelqu'un", "2", "qsdf"):
            # Rasa's custom actions fail: the gateway answers, with the emergency numbers.
            assert answered_once(person.say(typed)) == [bot_text("channel.bot_failed", "fr")], typed
        got = texts(person.say(EMERGENCY["fr"]))
        assert got[0] == bot_text("utter_emergency_numbers", "fr")
    finally:
        stack.start("actions")
        stack.wait_ready()
    # Back to normal, in the same conversation: Rasa was made to listen after each failed turn.
    assert bot_text("utter_thank", "fr") in answered_once(person.say("merci beaucoup"))


# The "Was this helpful?" buttons' titles typed by hand when no question is pending (#13): before,
# "👍 نفعني" ("it helped me") was read as a mental-health question and "utile" as a goodbye.
HELPFUL_TYPED = {"fr": ("👍 Utile", "pas utile"), "en": ("helpful", "👎 Not helpful"),
                 "ar": ("👍 مفيد", "غير مفيد"), "ary": ("👍 نفعني", "ما نفعنيش")}


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_helpful_title_typed_with_no_question_pending_is_thanks_or_a_no(
        person: WebChatPerson, language: str) -> None:
    yes, no = HELPFUL_TYPED[language]
    person.say(RIGHTS_QUESTION[language])  # the answer asks "Was this helpful?"
    assert answered_once(person.say(yes)) == [bot_text("channel.helpful_thanks", language)]  # the answer
    assert answered_once(person.say(yes)) == [bot_text("utter_thank", language)]  # no question now: thanks
    assert answered_once(person.say(no)) == [bot_text("utter_no_pending_question", language)]
    assert person.slots()["language"] == language
