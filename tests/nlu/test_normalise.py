"""Spelling normalisation: variants meet, numbers and entity offsets survive."""

from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from nlu.normalise import normalise_light, normalise_text, normalise_word
from nlu.tokenizer import NormalisingTokenizer


def test_alef_and_taa_marbuta_variants_become_one_word() -> None:
    assert normalise_word("وجدة") == normalise_word("وجده")
    assert normalise_word("أكادير") == normalise_word("اكادير") == normalise_word("إكادير")
    assert normalise_word("مستشفى") == normalise_word("مستشفي")


def test_tashkeel_and_tatweel_are_removed() -> None:
    assert normalise_word("مَرِيضٌ") == "مريض"
    assert normalise_word("ســـلام") == "سلام"


def test_elongated_letters_keep_at_most_two() -> None:
    assert normalise_word("salaaaaam") == "salaam"
    assert normalise_word("merciiii") == "mercii"


def test_latin_case_and_accents_are_folded() -> None:
    assert normalise_word("Fès") == "fes"
    assert normalise_word("KÉNITRA") == "kenitra"
    assert normalise_text("Hôpital Général") == "hopital general"


def test_arabizi_digits_inside_words_become_letters() -> None:
    assert normalise_word("3ndi") == "andi"
    assert normalise_word("sa7a") == "saha"
    assert normalise_word("9lbi") == "qlbi"
    assert normalise_word("5ouya") == "khouya"


def test_numbers_and_number_words_keep_their_digits() -> None:
    assert normalise_text("2000 dirhams") == "2000 dirhams"
    assert normalise_word("covid19") == "covid19"
    assert normalise_word("24h") == "24h"
    assert normalise_word("9h") == "9h"


def test_light_form_keeps_accents_and_arabizi_digits_for_language_id() -> None:
    assert normalise_light("Bghit Nchouf TBIB 3afak") == "bghit nchouf tbib 3afak"
    assert normalise_light("été") == "été"


def test_tokens_keep_original_offsets_and_carry_normalised_lemmas() -> None:
    text = "أنا فــي وَجْدَة و 3ndi 2000 DH"
    message = Message(data={"text": text})
    tokens = NormalisingTokenizer(NormalisingTokenizer.get_default_config()).tokenize(message, "text")
    assert [text[t.start:t.end] for t in tokens] == [t.text for t in tokens]
    lemmas = {t.text: t.lemma for t in tokens}
    assert lemmas["وَجْدَة"] == "وجده"
    assert lemmas["فــي"] == "في"
    assert lemmas["3ndi"] == "andi"
    assert lemmas["2000"] == "2000"
    assert lemmas["DH"] == "dh"


def test_a_word_seen_before_is_not_normalised_again_and_gives_the_same_form() -> None:
    # The pipeline normalises each message's words three or four times; people repeat words.
    words = ["Ṣaḥḥa", "3ndi", "مُسْتَشْفَى", "salaaaam"]
    first = [normalise_word(w) for w in words]
    hits = normalise_word.cache_info().hits
    assert normalise_text(" ".join(words)) == " ".join(first)
    assert normalise_word.cache_info().hits == hits + len(words)
    assert [normalise_word.__wrapped__(w) for w in words] == first
