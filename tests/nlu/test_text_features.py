"""The message features and scores are scikit-learn's own, computed without its per-call checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from rasa.shared.nlu.training_data.loading import load_data
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from nlu.intent_classifier import normalise_text
from nlu.normalise import normalise_light
from nlu.text_features import LinearTextModel, char_and_word_tfidf, scorer_for, transform

DATA = Path(__file__).resolve().parents[2] / "bot" / "data" / "nlu"
# Unseen words, digits, emoji, Arabizi, an empty message and a long one.
UNSEEN = ["", "👍", "2", "xyzzy qwrt plop", "wach kayn sbitar f wjda 3afak", "أين أقرب مستشفى؟؟؟",
          "je suis enceinte de 7 mois et je n'ai pas de papiers " * 20]


def texts() -> list[str]:
    return [example.get("text") for example in load_data(str(DATA)).intent_examples]


def test_the_features_equal_scikit_learns_for_both_components() -> None:
    training = texts()
    assert len(training) > 1000
    for features in (char_and_word_tfidf(normalise_text, (1, 5), (1, 2)),
                     char_and_word_tfidf(normalise_light, (1, 4), (1, 1))):
        features.fit(training)
        sample = training[::7] + UNSEEN
        theirs = sp.hstack([vectorizer.transform(sample) for _, vectorizer in features.transformer_list]).tocsr()
        ours = transform(features, sample)
        assert ours.shape == theirs.shape and ours.nnz == theirs.nnz
        assert (ours != theirs).nnz == 0  # equal entry for entry, not merely close
        for text in UNSEEN:  # one message at a time, as Rasa parses them
            one = sp.hstack([vectorizer.transform([text]) for _, vectorizer in features.transformer_list]).tocsr()
            assert (transform(features, [text]) != one).nnz == 0


def examples() -> tuple[list[str], list[str]]:
    data = load_data(str(DATA)).intent_examples
    return [e.get("text") for e in data], [e.get("intent") for e in data]


# The components' own pipelines (nlu/language_id.py, nlu/intent_classifier.py), and two that the direct
# path leaves to scikit-learn: binary counts, and a one-vs-rest logistic regression.
PIPELINES = {
    "language": lambda: Pipeline([("features", char_and_word_tfidf(normalise_light, (1, 4), (1, 1))),
                                  ("classifier", LogisticRegression(C=10.0, max_iter=3000))]),
    "intent": lambda: Pipeline([("features", char_and_word_tfidf(normalise_text, (1, 4), (1, 2))),
                                ("classifier", LinearSVC(C=1.0))]),
    "binary counts": lambda: Pipeline([("features", FeatureUnion([("chars", TfidfVectorizer(
        analyzer="char_wb", ngram_range=(1, 3), binary=True))])), ("classifier", LinearSVC(C=1.0))]),
    "one-vs-rest": lambda: Pipeline([("features", char_and_word_tfidf(normalise_light, (1, 3), (1, 1))),
                                     ("classifier", LogisticRegression(multi_class="ovr", max_iter=3000))]),
}
DIRECT = {"language": (True, True), "intent": (True, False), "binary counts": (False, False),
          "one-vs-rest": (True, False)}


@pytest.mark.parametrize("name", sorted(PIPELINES))
def test_a_messages_scores_equal_scikit_learns(name: str) -> None:
    texts, intents = examples()
    pipeline = PIPELINES[name]().fit(texts[::2], intents[::2])
    scorer = LinearTextModel(pipeline)
    assert (scorer._direct, scorer._multinomial) == DIRECT[name]  # the components' pipelines take the direct path
    features, classifier = pipeline.named_steps["features"], pipeline.named_steps["classifier"]
    for text in texts[1::9] + UNSEEN:  # one message at a time, as Rasa parses them
        theirs = features.transform([text])
        if scorer._direct:
            columns, values = scorer.row(text)
            ours = np.zeros(theirs.shape[1])
            ours[columns] = values
            assert sorted(columns) == sorted(theirs.indices) and list(columns) == sorted(columns)
            assert np.allclose(ours, theirs.toarray()[0], rtol=0, atol=1e-12)
        assert np.allclose(scorer.scores([text]), classifier.decision_function(theirs), rtol=0, atol=1e-12)
        if isinstance(classifier, LogisticRegression):
            assert np.allclose(scorer.probabilities([text]), classifier.predict_proba(theirs), rtol=0, atol=1e-12)
    several = texts[3:8]
    assert np.allclose(scorer.scores(several), classifier.decision_function(features.transform(several)),
                       rtol=0, atol=1e-12)


def test_a_retrained_pipeline_gets_a_scorer_of_its_own() -> None:
    texts, intents = examples()
    first = PIPELINES["intent"]().fit(texts[::4], intents[::4])
    kept = scorer_for(first, None)
    assert scorer_for(first, kept) is kept
    second = PIPELINES["intent"]().fit(texts[1::4], intents[1::4])
    assert scorer_for(second, kept).pipeline is second
