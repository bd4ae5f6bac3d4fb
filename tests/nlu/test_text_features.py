"""The message features are scikit-learn's own TF-IDF, bit for bit, computed without its per-call fitted check."""

from __future__ import annotations

from pathlib import Path

import scipy.sparse as sp
from rasa.shared.nlu.training_data.loading import load_data

from nlu.intent_classifier import normalise_text
from nlu.normalise import normalise_light
from nlu.text_features import char_and_word_tfidf, transform

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
