"""TF-IDF features of characters and words, shared by the language identifier and the intent classifier."""

from __future__ import annotations

from collections import Counter
from typing import Callable, List, Tuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import normalize
from sklearn.utils.extmath import softmax

_WORD_TOKEN = r"(?u)[^\W_]+"  # letters and digits: "3ndi" and "covid19" stay one word


def char_and_word_tfidf(preprocessor: Callable[[str], str], char_ngrams: Tuple[int, int],
                        word_ngrams: Tuple[int, int]) -> FeatureUnion:
    """Character n-grams inside word boundaries plus word n-grams, both sublinear TF-IDF."""
    return FeatureUnion([
        ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=char_ngrams, sublinear_tf=True,
                                  preprocessor=preprocessor)),
        ("words", TfidfVectorizer(analyzer="word", ngram_range=word_ngrams, token_pattern=_WORD_TOKEN,
                                  sublinear_tf=True, preprocessor=preprocessor)),
    ])


def tfidf(vectorizer: TfidfVectorizer, texts: List[str]) -> sp.csr_matrix:
    """`vectorizer.transform(texts)`, the very same matrix, without scikit-learn's per-call fitted check.

    scikit-learn 1.1's `TfidfTransformer.transform` checks that the model is fitted by reading its
    `idf_` property, which sums the whole idf diagonal matrix again on every call: about a third of
    the cost of a message's features. These are the same steps on the same fitted matrices (counts,
    sublinear tf, the product with the idf diagonal, row norm), so the result is equal bit for bit.
    """
    weighting = vectorizer._tfidf
    counts = sp.csr_matrix(CountVectorizer.transform(vectorizer, texts), dtype=np.float64)
    if weighting.sublinear_tf:
        np.log(counts.data, counts.data)
        counts.data += 1
    if weighting.use_idf:
        counts = counts * weighting._idf_diag
    if weighting.norm:
        counts = normalize(counts, norm=weighting.norm, copy=False)
    return counts


def transform(features: FeatureUnion, texts: List[str]) -> sp.csr_matrix:
    """Same result as `features.transform`, without the joblib dispatch that costs milliseconds per message."""
    return sp.hstack([tfidf(vectorizer, texts) for _, vectorizer in features.transformer_list]).tocsr()


class LinearTextModel:
    """A fitted pipeline of TF-IDF features and a linear classifier, scoring one message at a time.

    For a single message, scikit-learn's `transform`, `decision_function` and `predict_proba` spend
    most of their time checking input and building sparse matrices: 0.7 ms for a message's features
    and 0.4 ms more for the language's probabilities, against about 0.15 ms for the whole here. This
    takes the same steps on the same fitted arrays: each vectorizer's own analyzer (its preprocessor
    and n-grams), its vocabulary, sublinear term frequency, its idf weights and the L2 norm of its
    part, then the classifier's coefficients and intercept, and for a multinomial logistic
    regression the same softmax. Features and scores equal scikit-learn's to rounding (1e-15,
    tests/nlu/test_text_features.py). A pipeline built otherwise (another norm, a binary count,
    a one-vs-rest or two-class classifier) is scored by scikit-learn itself.
    """

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        features, classifier = pipeline.named_steps["features"], pipeline.named_steps["classifier"]
        vectorizers = [vectorizer for _, vectorizer in features.transformer_list]
        coefficients = getattr(classifier, "coef_", None)
        self._direct = (
            all(_direct_vectorizer(v) for v in vectorizers) and features.transformer_weights is None
            and isinstance(coefficients, np.ndarray) and coefficients.ndim == 2 and coefficients.shape[0] > 1)
        self._multinomial = isinstance(classifier, LogisticRegression) and _is_multinomial(classifier)
        if not self._direct:
            return
        self._parts = []
        offset = 0
        for vectorizer in vectorizers:
            idf = vectorizer.idf_ if vectorizer.use_idf else None
            self._parts.append((vectorizer.build_analyzer(), vectorizer.vocabulary_, idf,
                                vectorizer.sublinear_tf, vectorizer.norm == "l2", offset))
            offset += len(vectorizer.vocabulary_)
        self._coefficients: NDArray[np.float64] = np.asarray(coefficients, dtype=np.float64)
        self._intercept = np.asarray(classifier.intercept_, dtype=np.float64)

    def row(self, text: str) -> Tuple[NDArray[np.int64], NDArray[np.float64]]:
        """The message's features: the column of each non-zero value, ascending, and the values."""
        columns: List[NDArray[np.int64]] = []
        values: List[NDArray[np.float64]] = []
        for analyze, vocabulary, idf, sublinear, l2, offset in self._parts:
            counts: Counter[int] = Counter()
            for feature in analyze(text):
                column = vocabulary.get(feature)
                if column is not None:
                    counts[column] += 1
            if not counts:
                continue
            index = np.fromiter(sorted(counts), dtype=np.int64, count=len(counts))
            value = np.fromiter((counts[c] for c in index), dtype=np.float64, count=len(counts))
            if sublinear:
                np.log(value, out=value)
                value += 1
            if idf is not None:
                value *= idf[index]
            if l2:
                norm = np.sqrt(np.dot(value, value))
                if norm > 0:
                    value /= norm
            columns.append(index + offset)
            values.append(value)
        if not columns:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        return np.concatenate(columns), np.concatenate(values)

    def scores(self, texts: List[str]) -> NDArray[np.float64]:
        """The classifier's `decision_function` of the texts' features: one row per text, one column per class."""
        if not self._direct:
            features = transform(self.pipeline.named_steps["features"], texts)
            return np.asarray(self.pipeline.named_steps["classifier"].decision_function(features), dtype=np.float64)
        rows = []
        for text in texts:
            columns, values = self.row(text)
            rows.append(self._coefficients[:, columns] @ values + self._intercept)
        return np.vstack(rows) if rows else np.zeros((0, len(self._intercept)))

    def probabilities(self, texts: List[str]) -> NDArray[np.float64]:
        """The classifier's `predict_proba` of the texts' features."""
        if not (self._direct and self._multinomial):
            features = transform(self.pipeline.named_steps["features"], texts)
            return np.asarray(self.pipeline.named_steps["classifier"].predict_proba(features), dtype=np.float64)
        return np.asarray(softmax(self.scores(texts)), dtype=np.float64)


def scorer_for(pipeline: Pipeline, kept: "LinearTextModel | None") -> LinearTextModel:
    """`kept` when it scores this very pipeline, else a new one (a component retrained or loaded anew)."""
    return kept if kept is not None and kept.pipeline is pipeline else LinearTextModel(pipeline)


def _direct_vectorizer(vectorizer: object) -> bool:
    """A TF-IDF vectorizer whose steps `LinearTextModel.row` takes: counts, sublinear or not, idf or not, L2 or none."""
    return (isinstance(vectorizer, TfidfVectorizer) and not vectorizer.binary and vectorizer.norm in ("l2", None)
            and np.dtype(vectorizer.dtype) == np.float64 and hasattr(vectorizer, "vocabulary_"))


def _is_multinomial(classifier: LogisticRegression) -> bool:
    """Whether `predict_proba` is the softmax of the scores (scikit-learn's rule for `multi_class="auto"`)."""
    if classifier.multi_class == "multinomial":
        return True
    return bool(classifier.multi_class == "auto" and classifier.solver != "liblinear" and len(classifier.classes_) > 2)
