"""Red-flag rules: life-threatening messages end as `emergency` whatever the classifier said."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from nlu.emergency import EmergencyRedFlags


@pytest.fixture()
def red_flags() -> EmergencyRedFlags:
    return EmergencyRedFlags(EmergencyRedFlags.get_default_config())


@pytest.mark.parametrize("text", [
    "mon ami ne respire plus", "elle saigne beaucoup", "il est inconscient depuis 5 min",
    "my friend is not breathing", "she is bleeding a lot", "my wife is in labour",
    "صديقي لا يتنفس", "عندها نزيف", "sa7bi makaytneffesch", "خويا ماكيتنفسش", "mrati kaynzef bzaf",
    "ma femme va accoucher, aidez moi", "ضربوني بجنوي",
])
def test_red_flag_phrases_are_recognised_in_every_script(red_flags: EmergencyRedFlags, text: str) -> None:
    assert red_flags.has_red_flag(text)


@pytest.mark.parametrize("text", [
    "je tousse depuis un mois", "where is the nearest hospital", "واش العلاج فابور", "bghit nchouf tbib",
    "je vais accoucher dans deux mois, ou faire le suivi", "ma femme va accoucher en mars, c'est gratuit ?",
    "my wife is giving birth next month, where should she go", "مرتي غادي تولد الشهر الجاي",
    "elle a saigne du nez hier", "comment se proteger du corona",
])
def test_ordinary_health_questions_are_not_red_flags(red_flags: EmergencyRedFlags, text: str) -> None:
    assert not red_flags.has_red_flag(text)


def classified(text: str, ranking: list) -> Message:
    return Message(data={"text": text, "intent": ranking[0], "intent_ranking": ranking})


def test_red_flag_overrides_another_intent_and_tops_the_ranking(red_flags: EmergencyRedFlags) -> None:
    message = classified("ma femme saigne beaucoup après l'accouchement", [
        {"name": "pregnancy_care", "confidence": 0.8}, {"name": "emergency", "confidence": 0.1}])
    red_flags.process([message])
    assert message.get("intent")["name"] == "emergency"
    assert [r["name"] for r in message.get("intent_ranking")] == ["emergency", "pregnancy_care"]


def test_emergency_close_behind_the_top_intent_is_promoted(red_flags: EmergencyRedFlags) -> None:
    message = classified("il va pas bien du tout", [
        {"name": "covid_symptoms", "confidence": 0.40}, {"name": "emergency", "confidence": 0.32}])
    red_flags.process([message])
    assert message.get("intent")["name"] == "emergency"


def test_a_promoted_emergency_leads_the_ranking_by_far(red_flags: EmergencyRedFlags) -> None:
    message = classified("il ne respire plus", [
        {"name": "covid_symptoms", "confidence": 0.55}, {"name": "emergency", "confidence": 0.30},
        {"name": "greet", "confidence": 0.15}])
    red_flags.process([message])
    confidences = [r["confidence"] for r in message.get("intent_ranking")]
    # FallbackClassifier turns a top-two gap under its ambiguity threshold into nlu_fallback.
    assert confidences[0] - confidences[1] > 0.5
    assert sum(confidences) == pytest.approx(1.0)


def test_an_unsure_classifier_does_not_make_every_message_an_emergency(red_flags: EmergencyRedFlags) -> None:
    message = classified("hii everyone", [
        {"name": "greet", "confidence": 0.15}, {"name": "emergency", "confidence": 0.10}])
    red_flags.process([message])
    assert message.get("intent")["name"] == "greet"


def test_a_clear_non_emergency_is_left_alone(red_flags: EmergencyRedFlags) -> None:
    message = classified("où faire le test du VIH", [
        {"name": "hiv_sti", "confidence": 0.9}, {"name": "emergency", "confidence": 0.02}])
    red_flags.process([message])
    assert message.get("intent")["name"] == "hiv_sti"
