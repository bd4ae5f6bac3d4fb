"""Intent classifier: TF-IDF of normalised characters and words, linear SVM, temperature-scaled confidences.

On this project's data (a few hundred short examples per intent, ten languages,
SMS spelling) a linear model on character n-grams is both more accurate on
held-out utterances and a hundred times faster to train than DIET's intent head
(measured with scripts/eval_nlu.py: see reports/), so it classifies intents and the
pipeline has no DIET at all (entities come from RegexEntityExtractor's lookup tables and patterns
and from the city resolver: bot/config.yml). Features are computed on the normalised text
(`nlu.normalise.normalise_text`), so spelling variants share their n-grams.
Confidences are a softmax of the SVM's decision scores with one temperature fitted
on cross-validated scores (temperature scaling): unlike per-class sigmoid calibration
it never changes which intent wins, and FallbackClassifier's threshold gets
probabilities that mean something.

A message none of whose words the training data (examples and lookup tables) has ever
used, even misspelt ("/xyz", "azerty uiop"; not "heyy" or "ouiii"), is not understood, whatever its character n-grams resemble:
its confidences are scaled down under `unknown_words_confidence`, so FallbackClassifier
makes it `nlu_fallback` instead of, say, a "yes" to the question just asked.
"""

from __future__ import annotations

import difflib
import logging
import pickle
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Text

import numpy as np
from numpy.typing import NDArray
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelEncoder
from sklearn.svm import LinearSVC

from nlu.normalise import normalise_text
from nlu.text_features import LinearTextModel, char_and_word_tfidf, scorer_for

logger = logging.getLogger(__name__)
_MODEL_FILE = "intent_classifier.pkl"
_TEMPERATURES = np.geomspace(0.5, 50.0, 40)
_WORD = re.compile(r"[^\W_]+")
_LETTER = re.compile(r"[^\W\d_]")
# How many looked-up words `_is_known` remembers (a few hundred kilobytes at most).
LOOKED_UP_WORDS = 10_000


def lettered_words(text: str) -> List[str]:
    """The normalised words of a text that contain a letter (numbers and emojis say nothing here)."""
    return [w for w in _WORD.findall(normalise_text(text)) if _LETTER.search(w)]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(GraphComponent):
    """Predicts the intent and a ranking of the most likely intents."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """SVM regularisation, folds used to fit the temperature, ranking length, longest character n-gram."""
        return {"C": 1.0, "calibration_folds": 3, "ranking_length": 10, "max_ngram": 4,
                "unknown_words_confidence": 0.2, "known_word_similarity": 0.75}

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        pipeline: Optional[Pipeline] = None,
        labels: Optional[List[str]] = None,
        temperature: float = 1.0,
        vocabulary: Optional[Set[str]] = None,
    ) -> None:
        """Keeps the config, the storage slot and, once trained or loaded, the model."""
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._pipeline = pipeline
        self._scorer: Optional[LinearTextModel] = None
        self._labels = labels or []
        self._temperature = temperature
        # None (a model saved before it existed): every message counts as having known words.
        self._vocabulary = vocabulary
        self._by_length: Optional[Dict[int, List[str]]] = None
        # Words already looked up (a word unknown to the vocabulary costs milliseconds to compare).
        self._looked_up: Dict[str, bool] = {}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LinearIntentClassifier":
        """Creates an untrained classifier."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LinearIntentClassifier":
        """Loads the model persisted by `train`."""
        with model_storage.read_from(resource) as directory:
            with open(Path(directory) / _MODEL_FILE, "rb") as f:
                saved = pickle.load(f)
        vocabulary = saved.get("vocabulary")
        return cls(config, model_storage, resource, saved["pipeline"], saved["labels"], saved["temperature"],
                   set(vocabulary) if vocabulary is not None else None)

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the features and the SVM on every intent example, and the confidence temperature."""
        examples = [m for m in training_data.intent_examples if m.get(TEXT) and m.get(INTENT)]
        texts, intents = [m.get(TEXT) for m in examples], [m.get(INTENT) for m in examples]
        encoder = LabelEncoder().fit(intents)
        targets = encoder.transform(intents)
        folds = min(self._config["calibration_folds"], int(np.bincount(targets).min()))
        if folds < 2:
            raise ValueError("LinearIntentClassifier needs at least two examples of every intent.")
        self._labels = [str(label) for label in encoder.classes_]
        self._pipeline = self._new_pipeline()
        scores = cross_val_predict(clone(self._pipeline), texts, targets, method="decision_function",
                                   cv=StratifiedKFold(folds, shuffle=True, random_state=0))
        self._temperature = _best_temperature(scores, targets)
        self._pipeline.fit(texts, targets)
        lookups = [str(e) for table in training_data.lookup_tables for e in table.get("elements") or []
                   if isinstance(table.get("elements"), list)]
        self._vocabulary = {w for text in texts + lookups for w in lettered_words(text)}
        logger.info("intent_classifier.trained examples=%d intents=%d temperature=%.2f",
                    len(texts), len(self._labels), self._temperature)
        with self._model_storage.write_to(self._resource) as directory:
            with open(Path(directory) / _MODEL_FILE, "wb") as f:
                pickle.dump({"pipeline": self._pipeline, "labels": self._labels,
                             "temperature": self._temperature, "vocabulary": sorted(self._vocabulary)}, f)
        return self._resource

    def _new_pipeline(self) -> Pipeline:
        return Pipeline([
            ("features", char_and_word_tfidf(normalise_text, (1, self._config["max_ngram"]), (1, 2))),
            ("classifier", LinearSVC(C=self._config["C"])),
        ])

    def probabilities(self, texts: List[str]) -> NDArray[np.float64]:
        """One row of intent probabilities per text (columns in the order of the labels)."""
        if self._pipeline is None:
            raise ValueError("IntentClassifier has no model: train it or load a trained one first")
        self._scorer = scorer_for(self._pipeline, self._scorer)
        scores = self._scorer.scores(texts)
        return _softmax(np.asarray(scores, dtype=np.float64) * self._temperature)

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets `intent` and `intent_ranking` on every message.

        A message of no letter and no digit ("🙂", "🙏", "👍", "?!") has only character n-grams
        every message has (spaces, punctuation): the classifier answered its bias, the same
        intent every time, "no" (0.52), which said "no" to the question just asked. Like a
        message of unknown words it is now not understood, and the question comes again.
        """
        if self._pipeline is None or not messages:
            return messages
        probabilities = self.probabilities([m.get(TEXT) or "" for m in messages])
        for message, row in zip(messages, probabilities, strict=True):
            text = message.get(TEXT) or ""
            if not any(char.isalnum() for char in text) or self.has_no_known_word(text):
                row = row * min(1.0, self._config["unknown_words_confidence"] / float(row.max()))
            order = np.argsort(row)[::-1][: self._config["ranking_length"]]
            ranking = [{INTENT_NAME_KEY: self._labels[i], PREDICTED_CONFIDENCE_KEY: float(row[i])} for i in order]
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages


    def has_no_known_word(self, text: str) -> bool:
        """True when the text has words and the training data used none of them.

        The scaled ranking keeps its order, so an emergency the classifier still ranks first
        stays within EmergencyRedFlags' reach (a false alarm costs less than a missed one).
        """
        if self._vocabulary is None:
            return False
        words = lettered_words(text)
        return bool(words) and not any(self._is_known(w) for w in words)

    def _is_known(self, word: str) -> bool:
        """In the vocabulary, or one typo or elongation away from a word in it ("heyy", "ouiii", "okey")."""
        if self._vocabulary is None:
            return False
        if word in self._vocabulary:
            return True
        known = self._looked_up.get(word)
        if known is None:
            cutoff = float(self._config["known_word_similarity"])
            known = bool(difflib.get_close_matches(word, self._candidates(len(word), cutoff), n=1, cutoff=cutoff))
            if len(self._looked_up) >= LOOKED_UP_WORDS:
                self._looked_up.clear()
            self._looked_up[word] = known
        return known

    def _candidates(self, length: int, cutoff: float) -> List[str]:
        """The vocabulary's words whose length allows a similarity of `cutoff` with a word of `length`.

        difflib's ratio is 2*matches/(len(a)+len(b)) and matches <= the shorter length, so a word of
        any other length cannot reach the cutoff: leaving those out gives the same answer (any match
        at all) without comparing the word with the whole vocabulary (milliseconds per message).
        """
        if self._by_length is None:
            self._by_length = {}
            for known in sorted(self._vocabulary or ()):
                self._by_length.setdefault(len(known), []).append(known)
        # The same expression as difflib's real_quick_ratio, so a boundary case falls the same way.
        return [known for size, words in self._by_length.items()
                if 2.0 * min(size, length) / (size + length) >= cutoff for known in words]


def _softmax(scores: NDArray[np.float64]) -> NDArray[np.float64]:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    probabilities: NDArray[np.float64] = shifted / shifted.sum(axis=1, keepdims=True)
    return probabilities


def _best_temperature(scores: NDArray[np.float64], targets: NDArray[np.float64]) -> float:
    """The multiplier of the decision scores that minimises the log-loss of held-out folds."""
    rows = np.arange(len(targets))
    losses = [-np.log(_softmax(scores * t)[rows, targets] + 1e-12).mean() for t in _TEMPERATURES]
    return float(_TEMPERATURES[int(np.argmin(losses))])
