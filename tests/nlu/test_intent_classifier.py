"""The linear intent classifier trained on the small fixture files: ranking, confidences, persistence."""

from __future__ import annotations

import difflib

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu.intent_classifier import LinearIntentClassifier

CONFIG = LinearIntentClassifier.get_default_config()


@pytest.fixture()
def trained(model_storage: LocalModelStorage, execution_context: ExecutionContext,
            fixture_training_data: TrainingData) -> LinearIntentClassifier:
    component = LinearIntentClassifier.create(CONFIG, model_storage, Resource("intents"), execution_context)
    component.train(fixture_training_data)
    return component


def classify(component: LinearIntentClassifier, text: str) -> Message:
    (message,) = component.process([Message(data={"text": text})])
    return message


@pytest.mark.parametrize("text, intent", [
    ("les soins sont gratuits pour moi ?", "rights_free_care"),
    ("is the treatment free for migrants", "rights_free_care"),
    ("واش العلاج فابور", "rights_free_care"),
    ("wach l3ilaj fabor", "rights_free_care"),
    ("je suis a Nador", "inform_location"),
    ("salut", "greet"),
])
def test_unseen_phrasings_get_their_intent_in_every_script(
    trained: LinearIntentClassifier, text: str, intent: str,
) -> None:
    assert classify(trained, text).get("intent")["name"] == intent


def test_ranking_is_a_probability_distribution_led_by_the_intent(trained: LinearIntentClassifier) -> None:
    message = classify(trained, "combien je paie chez le medecin")
    ranking = message.get("intent_ranking")
    confidences = [r["confidence"] for r in ranking]
    assert ranking[0] == message.get("intent")
    assert confidences == sorted(confidences, reverse=True)
    assert sum(confidences) == pytest.approx(1.0, abs=1e-6)


def test_confidence_keeps_the_svm_decision(trained: LinearIntentClassifier) -> None:
    texts = ["bonjour", "je vis a Rabat", "ma femme saigne", "c'est payant ?"]
    decisions = trained._pipeline.predict(texts)
    assert list(np.argmax(trained.probabilities(texts), axis=1)) == list(decisions)


def test_persisted_classifier_loads_back_with_the_same_ranking(
    trained: LinearIntentClassifier, model_storage: LocalModelStorage, execution_context: ExecutionContext,
) -> None:
    loaded = LinearIntentClassifier.load(CONFIG, model_storage, Resource("intents"), execution_context)
    text = "mon frere ne respire plus"
    assert classify(loaded, text).get("intent_ranking") == classify(trained, text).get("intent_ranking")


def test_training_with_a_single_example_intent_says_what_is_missing(
    model_storage: LocalModelStorage, execution_context: ExecutionContext,
) -> None:
    data = TrainingData([Message(data={"text": "bonjour", "intent": "greet"}),
                         Message(data={"text": "salut", "intent": "greet"}),
                         Message(data={"text": "au revoir", "intent": "goodbye"})])
    component = LinearIntentClassifier.create(CONFIG, model_storage, Resource("intents"), execution_context)
    with pytest.raises(ValueError, match="two examples"):
        component.train(data)


@pytest.mark.parametrize("text", ["zxqv wplk trbn", "/xyz", "azerty uiop", "🙂", "👍", "🙏 🙏", "?!", "..."])
def test_a_message_of_words_the_data_never_used_is_left_unsure(trained: LinearIntentClassifier, text: str) -> None:
    # Below FallbackClassifier's threshold (0.25 in bot/config.yml): "not understood", never a "yes".
    assert classify(trained, text).get("intent")["confidence"] <= CONFIG["unknown_words_confidence"] + 1e-9


@pytest.mark.parametrize("text, intent", [("salutt", "greet"), ("bonjouuur", "greet")])
def test_a_misspelt_known_word_is_still_understood(trained: LinearIntentClassifier, text: str, intent: str) -> None:
    message = classify(trained, text)
    assert message.get("intent")["name"] == intent
    assert message.get("intent")["confidence"] > CONFIG["unknown_words_confidence"]


def test_the_vocabulary_is_persisted_with_the_model(
    trained: LinearIntentClassifier, model_storage: LocalModelStorage, execution_context: ExecutionContext,
) -> None:
    loaded = LinearIntentClassifier.load(CONFIG, model_storage, Resource("intents"), execution_context)
    assert classify(loaded, "zxqv wplk").get("intent_ranking") == classify(trained, "zxqv wplk").get("intent_ranking")
    assert loaded.has_no_known_word("zxqv wplk") and not loaded.has_no_known_word("bonjour")


@pytest.mark.parametrize("cutoff", [0.5, 0.6, 0.75, 0.8, 0.9])
def test_a_known_word_is_found_as_comparing_with_the_whole_vocabulary_would(
    model_storage: LocalModelStorage, execution_context: ExecutionContext, cutoff: float,
) -> None:
    vocabulary = {"a", "ok", "oui", "non", "bonjour", "salut", "merci", "hopital", "centre", "gratuit", "sbitar",
                  "l3ilaj", "fabor", "documents", "vaccination", "tuberculose", "accoucher", "urgence"}
    component = LinearIntentClassifier({**CONFIG, "known_word_similarity": cutoff}, model_storage,
                                       Resource("intents"), vocabulary=vocabulary)
    words = ["o", "ok", "okk", "ouiii", "nn", "bonjouuur", "bjr", "slt", "mercii", "hopitale", "hospital", "centr",
             "gratuits", "sbitaar", "lilaj", "fabour", "document", "vaccin", "tuberculos", "accouché", "urgent",
             "azerty", "zxqv", "ab", "abcdefghijklmnopqrstuvwxyz"]
    whole = sorted(vocabulary)
    for word in words + words:  # the second time from the words already looked up
        expected = bool(difflib.get_close_matches(word, whole, n=1, cutoff=cutoff))
        assert component._is_known(word) is expected, word
