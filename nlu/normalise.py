"""Spelling normalisation for Arabic, Darija (Arabic script and Arabizi) and Latin-script text.

People write the same word many ways: with or without tashkeel, with an elongated
"salaaaam", with أ/إ/آ for ا, ة or ه at the end, "3ndi" or "aandi", "Fès" or "fes".
`normalise_word` turns one token into the form the featurizers see, so variants
count as the same word. Token offsets never change because the tokenizer keeps the
original text and only stores this form as the token's lemma.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# U+064B..U+065F harakat, tanwin, shadda, sukun...; U+0670 superscript alef; Quranic marks.
_TASHKEEL = re.compile("[\u0610-\u061A\u064B-\u065F\u0670\u06D6-\u06ED]")
_TATWEEL = "\u0640"
_ARABIC_LETTER_MAP = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ة": "ه",
    "ى": "ي",
    "ؤ": "و",
    "ئ": "ي",
    # Persian/Urdu code points that Android keyboards sometimes produce for Arabic letters.
    "ک": "ك", "ی": "ي", "ھ": "ه",
    # Maghrebi letters for g, v, p typed in Darija.
    "ڭ": "ك", "گ": "ك", "ڤ": "ف", "پ": "ب",
})
# Arabizi: a digit standing for an Arabic letter with no Latin equivalent.
_ARABIZI_DIGITS = {"2": "a", "3": "a", "5": "kh", "7": "h", "9": "q"}
_REPEATS = re.compile(r"(\D)\1{2,}")  # digits are never squeezed: "2000" stays
_LETTER = re.compile(r"[^\W\d_]")


def strip_tashkeel(text: str) -> str:
    """Remove Arabic diacritics and tatweel (elongation)."""
    return _TASHKEEL.sub("", text).replace(_TATWEEL, "")


def strip_accents(text: str) -> str:
    """Remove Latin diacritics (é→e, ï→i, ç→c); Arabic letters are left intact."""
    out = []
    for char in text:
        if "\u0600" <= char <= "\u06FF":
            out.append(char)  # NFD would split آ into ا + madda, which unify_arabic_letters handles
            continue
        decomposed = unicodedata.normalize("NFD", char)
        out.append("".join(c for c in decomposed if not unicodedata.combining(c)))
    return "".join(out)


def unify_arabic_letters(text: str) -> str:
    """Fold hamza-carrying alefs, taa marbuta, alef maqsura and keyboard variants."""
    return text.translate(_ARABIC_LETTER_MAP)


def squeeze_repeats(text: str, keep: int = 2) -> str:
    """Keep at most `keep` copies of a repeated character ("salaaaam" → "salaam")."""
    return _REPEATS.sub(lambda m: m.group(1) * keep, text)


def map_arabizi_digits(word: str) -> str:
    """Replace Arabizi digits by letters inside words, never inside numbers.

    A digit is a letter only when it stands alone between letters or at a word's edge
    in a word with at least two letters: "3ndi" → "andi", "m3a" → "maa", "sa7a" → "saha",
    while "2000", "covid19", "9h" and "24h" are left untouched.
    """
    if len(_LETTER.findall(word)) < 2:
        return word
    out = []
    for i, char in enumerate(word):
        prev_digit = i > 0 and word[i - 1].isdigit()
        next_digit = i + 1 < len(word) and word[i + 1].isdigit()
        if char in _ARABIZI_DIGITS and not prev_digit and not next_digit:
            out.append(_ARABIZI_DIGITS[char])
        else:
            out.append(char)
    return "".join(out)


def normalise_light(text: str) -> str:
    """Light form for language identification: case, diacritics and elongation only.

    Accents and Arabizi digits are kept because they tell languages apart
    ("é" is French, "3ndi" is Darija).
    """
    text = unicodedata.normalize("NFC", text).lower()
    return squeeze_repeats(strip_tashkeel(text))


@lru_cache(maxsize=65536)
def normalise_word(word: str) -> str:
    """Full form of one token for featurisation and gazetteer matching.

    Kept for the words seen (a few bytes each, at most 65,536 of them): every message's words are
    normalised three or four times by the pipeline (tokenizer, language, intent, red flags), and
    people write the same words. About 0.4 of a 2.4 ms parse.
    """
    word = strip_tashkeel(unicodedata.normalize("NFC", word)).lower()
    word = strip_accents(unify_arabic_letters(word))
    word = map_arabizi_digits(word)
    return squeeze_repeats(word)


def normalise_text(text: str) -> str:
    """Full form of a whole message, word by word (whitespace is collapsed)."""
    return " ".join(normalise_word(w) for w in text.split())
