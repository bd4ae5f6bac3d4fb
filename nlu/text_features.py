"""TF-IDF features of characters and words, shared by the language identifier and the intent classifier."""

from __future__ import annotations

from typing import Callable, List, Tuple

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize

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
