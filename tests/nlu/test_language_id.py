"""The language identifier trained on per-language NLU files: labels, ambiguity, output, persistence."""

from __future__ import annotations

from typing import List

import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.language_id import LanguageIdentifier
from tests.nlu.conftest import FIXTURES

CONFIG = {**LanguageIdentifier.get_default_config(), "data_glob": str(FIXTURES / "*.yml")}


@pytest.fixture()
def trained(model_storage: LocalModelStorage, execution_context: ExecutionContext,
            fixture_training_data: TrainingData) -> LanguageIdentifier:
    component = LanguageIdentifier.create(CONFIG, model_storage, Resource("language_id"), execution_context)
    component.train(fixture_training_data)
    return component


def detect(component: LanguageIdentifier, *texts: str) -> List[dict]:
    messages = component.process([Message(data={"text": t}) for t in texts])
    return [m.get("language") for m in messages]


@pytest.mark.parametrize("text, code", [
    ("est-ce que le médecin est gratuit pour moi", "fr"),
    ("wach tbib fabor liya", "ary"),
    ("هل الطبيب مجاني لي", "ar"),
    ("واش الطبيب فابور ليا", "ary"),
    ("is the doctor free for me", "en"),
])
def test_language_is_the_file_the_closest_examples_come_from(trained: LanguageIdentifier, text: str, code: str) -> None:
    (language,) = detect(trained, text)
    assert language["code"] == code


def test_darija_in_arabic_script_is_not_taken_for_standard_arabic(trained: LanguageIdentifier) -> None:
    darija, msa = detect(trained, "بغيت نعرف واش خاصني نخلص", "هل يجب أن أدفع المال")
    assert (darija["code"], msa["code"]) == ("ary", "ar")


def test_arabizi_is_not_taken_for_french(trained: LanguageIdentifier) -> None:
    arabizi, french = detect(trained, "bghit n3ref wach khassni nkhelles", "je veux savoir si je dois payer")
    assert (arabizi["code"], french["code"]) == ("ary", "fr")


@pytest.mark.parametrize("text", ["ok", "merci", "oui", "salam", "2000", "👍🙏", "bonjour salam"])
def test_short_messages_without_language_cues_are_ambiguous_with_low_confidence(
    trained: LanguageIdentifier, text: str,
) -> None:
    (language,) = detect(trained, text)
    assert language["ambiguous"] is True
    assert language["confidence"] < CONFIG["ambiguity_threshold"]


def test_a_full_sentence_is_not_ambiguous(trained: LanguageIdentifier) -> None:
    (language,) = detect(trained, "est-ce que les soins sont gratuits pour les migrants au centre de santé")
    assert language["ambiguous"] is False
    assert language["confidence"] >= CONFIG["ambiguity_threshold"]


def test_language_lands_in_the_parse_output_with_code_and_confidence(trained: LanguageIdentifier) -> None:
    (message,) = trained.process([Message(data={"text": "my friend is not breathing"})])
    output = message.as_dict(only_output_properties=True)
    assert output["language"]["code"] == "en"
    assert 0.0 < output["language"]["confidence"] <= 1.0


def test_persisted_model_loads_back_with_the_same_predictions(
    trained: LanguageIdentifier, model_storage: LocalModelStorage, execution_context: ExecutionContext,
) -> None:
    texts = ["wach l3ilaj fabor", "هل العلاج مجاني", "je suis à Oujda", "ok"]
    loaded = LanguageIdentifier.load(CONFIG, model_storage, Resource("language_id"), execution_context)
    assert detect(loaded, *texts) == detect(trained, *texts)


def test_training_without_language_files_says_what_is_missing(
    model_storage: LocalModelStorage, execution_context: ExecutionContext, fixture_training_data: TrainingData,
) -> None:
    config = {**CONFIG, "data_glob": str(FIXTURES / "missing-*.yml")}
    component = LanguageIdentifier.create(config, model_storage, Resource("language_id"), execution_context)
    with pytest.raises(ValueError, match="data_glob"):
        component.train(fixture_training_data)


@pytest.mark.parametrize("text", ["azerty uiop", "zxqv wplk trbn", "qsdfgh jklm"])
def test_words_no_language_of_the_data_uses_are_ambiguous(trained: LanguageIdentifier, text: str) -> None:
    # Gibberish once read as confident English and switched a French conversation.
    (language,) = detect(trained, text)
    assert language["ambiguous"] is True and language["confidence"] <= CONFIG["ambiguous_confidence"]


def test_a_sentence_with_one_known_word_is_still_judged(trained: LanguageIdentifier) -> None:
    (language,) = detect(trained, "is the doctor free for me")
    assert language["ambiguous"] is False and language["code"] == "en"


def test_a_confident_guess_on_unknown_words_is_still_ambiguous(trained: LanguageIdentifier) -> None:
    # The guard itself, whatever confidence the classifier reaches on letters it half-recognises.
    assert trained.is_ambiguous("azerty uiop", 0.99) is True
    assert trained.is_ambiguous("is the doctor free for me", 0.99) is False
