"""Language identification trained on the project's own NLU data (one file per language).

Rasa forgets which file an example came from, so the labels come from the NLU
files themselves: every file matched by `data_glob` (relative to the directory
`rasa train` runs in, by default `bot/`) is read, and its stem is the language
code (`data/nlu/ary.yml` → `ary`). The classifier is a character n-gram
(word-boundary aware, 1-4) plus word TF-IDF and a multinomial logistic
regression, which tells Darija from MSA and Arabizi from French by the letter
sequences they use.

The result is added to the parse output as
`{"language": {"code": "ary", "confidence": 0.97, "ambiguous": false}}`.
`ambiguous` is true when the message carries too little to judge ("ok",
"merci", "salam", a number, emojis, a couple of words every language uses, words
none of the training data has ever used, like "azerty uiop", or a confidence below
`ambiguity_threshold`); the confidence of such a message is then
capped below that threshold, so a reader that only looks at the confidence draws
the same conclusion: below the threshold, the dialogue keeps the conversation's
language instead of switching.
"""

from __future__ import annotations

import logging
import pickle
import re
from collections import defaultdict
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from nlu.normalise import normalise_light
from nlu.text_features import LinearTextModel, char_and_word_tfidf, scorer_for

logger = logging.getLogger(__name__)

LANGUAGE = "language"
_MODEL_FILE = "language_id.pkl"
_WORD = re.compile(r"[^\W_]+")
_HAS_LETTER = re.compile(r"[^\W\d_]")
# Words every language of the project borrows; alone they say nothing about the
# person's language (a Wolof speaker writes "merci" and "ok" too).
LOANWORDS = frozenset({
    "ok", "okay", "oki", "okey", "dac", "daccord", "accord", "merci", "mrc", "mci", "oui", "ouais", "wi",
    "non", "no", "salam", "slm", "salut", "slt", "bonjour", "bjr", "bonsoir", "hello", "hi", "allo",
    "alo", "bye", "ciao", "svp", "stp", "please", "thanks", "thank", "inchallah", "inshallah",
    "hamdoulah", "hamdullah", "alhamdulillah", "wa", "aleykoum", "alaykoum", "alaikum", "salamu",
    "سلام", "السلام", "عليكم", "شكرا", "اوكي", "نعم", "لا", "الو", "مرحبا",
})


def _language_of(path: Path) -> str:
    return path.stem


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LanguageIdentifier(GraphComponent):
    """Adds the detected language, its confidence and an ambiguity flag to each message."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Defaults: NLU files under data/nlu/, 0.6 confidence below which the answer is ambiguous.

        `ambiguous_confidence` is the highest confidence reported for an ambiguous message.
        """
        return {
            "data_glob": "data/nlu/*.yml",
            "ambiguity_threshold": 0.6,
            "ambiguous_confidence": 0.3,
            "max_ambiguous_tokens": 2,
            "regularisation": 10.0,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        pipeline: Optional[Pipeline] = None,
        shared_words: Optional[Set[str]] = None,
        known_words: Optional[Set[str]] = None,
    ) -> None:
        """Keeps the config, the storage slot and, once trained or loaded, the classifier."""
        self._config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self._pipeline = pipeline
        self._scorer: Optional[LinearTextModel] = None
        self._shared_words: Set[str] = shared_words or set()
        # Every word of the training data; None (a model saved before it existed) skips the check.
        self._known_words: Optional[Set[str]] = known_words

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageIdentifier":
        """Creates an untrained identifier."""
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "LanguageIdentifier":
        """Loads the classifier persisted by `train`."""
        with model_storage.read_from(resource) as directory:
            with open(Path(directory) / _MODEL_FILE, "rb") as f:
                saved = pickle.load(f)
        known = saved.get("known_words")
        return cls(config, model_storage, resource, saved["pipeline"], set(saved["shared_words"]),
                   set(known) if known is not None else None)

    def _labelled_files(self) -> List[Path]:
        pattern = self._config["data_glob"]
        if Path(pattern).is_absolute():
            return sorted(Path(pattern).parent.glob(Path(pattern).name))
        # `rasa train` runs in bot/; tests and scripts may run from the repository root.
        for base in (Path.cwd(), Path(__file__).resolve().parents[1] / "bot"):
            files = sorted(base.glob(pattern))
            if files:
                return files
        return []

    def _labels(self) -> Dict[str, str]:
        """Maps each example text to the language of its file; texts found in two files are dropped."""
        labels: Dict[str, str] = {}
        clashes: Set[str] = set()
        for path in self._labelled_files():
            language = _language_of(path)
            for message in load_data(str(path)).intent_examples:
                text = message.get(TEXT)
                if labels.get(text, language) != language:
                    clashes.add(text)
                labels[text] = language
        for text in clashes:
            del labels[text]
        return labels

    def train(self, training_data: TrainingData) -> Resource:
        """Fits the classifier on the training examples whose language file is known."""
        labels = self._labels()
        if len(set(labels.values())) < 2:
            raise ValueError(
                f"LanguageIdentifier needs NLU files of at least two languages matching "
                f"data_glob={self._config['data_glob']!r} (file stem = language code)."
            )
        texts, languages = self._examples(training_data, labels)
        self._shared_words = _words_in_several_languages(texts, languages)
        self._known_words = {w for text in texts for w in _WORD.findall(normalise_light(text))}
        self._pipeline = Pipeline([
            ("features", char_and_word_tfidf(normalise_light, (1, 4), (1, 1))),
            ("classifier", LogisticRegression(C=self._config["regularisation"], max_iter=3000)),
        ])
        self._pipeline.fit(texts, languages)
        logger.info("language_id.trained examples=%d languages=%d", len(texts), len(set(languages)))
        self.persist()
        return self._resource

    @staticmethod
    def _examples(training_data: TrainingData, labels: Dict[str, str]) -> Tuple[List[str], List[str]]:
        texts, languages = [], []
        for message in training_data.intent_examples:
            text = message.get(TEXT)
            if text in labels:
                texts.append(text)
                languages.append(labels[text])
        if not texts:
            # Training data loaded by other means (no text matches a file): learn from the files.
            texts, languages = list(labels), list(labels.values())
        return texts, languages

    def persist(self) -> None:
        """Writes the classifier and the shared vocabulary into the model storage."""
        with self._model_storage.write_to(self._resource) as directory:
            with open(Path(directory) / _MODEL_FILE, "wb") as f:
                pickle.dump({"pipeline": self._pipeline, "shared_words": sorted(self._shared_words),
                             "known_words": sorted(self._known_words or ())}, f)

    def process(self, messages: List[Message]) -> List[Message]:
        """Sets `language` on every message (in the parse output)."""
        if self._pipeline is None:
            return messages
        texts = [m.get(TEXT) or "" for m in messages]
        self._scorer = scorer_for(self._pipeline, self._scorer)
        probabilities = self._scorer.probabilities(texts)
        classes = self._pipeline.classes_
        for message, text, row in zip(messages, texts, probabilities, strict=True):
            best = int(row.argmax())
            confidence = float(row[best])
            ambiguous = self.is_ambiguous(text, confidence)
            if ambiguous:
                # "merci" is French to the classifier, but says nothing about the person's language.
                confidence = min(confidence, self._config["ambiguous_confidence"])
            message.set(LANGUAGE, {
                "code": str(classes[best]),
                "confidence": round(confidence, 4),
                "ambiguous": ambiguous,
            }, add_to_output=True)
        return messages

    def is_ambiguous(self, text: str, confidence: float) -> bool:
        """True when the text cannot tell the language apart from the conversation's."""
        if confidence < self._config["ambiguity_threshold"]:
            return True
        words = _WORD.findall(normalise_light(text))
        lettered = [w for w in words if _HAS_LETTER.search(w)]
        if not lettered:
            return True  # numbers, emojis, punctuation only
        if self._known_words is not None and not any(w in self._known_words for w in lettered):
            return True  # no word any language of the data uses: gibberish, or a name, tells nothing
        if len(words) <= self._config["max_ambiguous_tokens"]:
            return all(w in LOANWORDS or w in self._shared_words for w in lettered)
        return False


def _words_in_several_languages(texts: List[str], languages: List[str]) -> Set[str]:
    seen: Dict[str, Set[str]] = defaultdict(set)
    for text, language in zip(texts, languages, strict=True):
        for word in _WORD.findall(normalise_light(text)):
            seen[word].add(language)
    return {w for w, langs in seen.items() if len(langs) > 1}
