"""The NLU data files: every contract language and intent is covered, and the held-out split is never trained on."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import pytest
from rasa.shared.nlu.training_data.loading import load_data

from nlu.normalise import normalise_text

ROOT = Path(__file__).resolve().parents[2]
TRAIN_DIR = ROOT / "bot" / "data" / "nlu"
# The native speakers' review list lives outside the training data folder.
REVIEW = ROOT / "docs" / "nlu-review.md"
EVAL_DIR = ROOT / "bot" / "eval" / "nlu"
MAJOR = ("fr", "en", "ar", "ary")
COMMUNITY = ("wo", "ln", "ff", "emk", "sus", "bci")
CONTRACT_INTENTS = {
    "greet", "goodbye", "thank", "affirm", "deny", "change_language", "bot_challenge", "ask_help_menu",
    "rights_free_care", "rights_undocumented", "rights_hospital_billing", "health_coverage", "care_refused",
    "covid_prevention", "covid_symptoms", "covid_vaccine", "find_service", "inform_location", "pregnancy_care",
    "child_vaccination", "hiv_sti", "tuberculosis", "mental_health", "violence_support", "request_human",
    "emergency", "privacy_concern", "out_of_scope",
}
COMMUNITY_INTENTS = {
    "greet", "thank", "affirm", "deny", "request_human", "emergency", "find_service", "covid_symptoms",
    "pregnancy_care", "rights_undocumented", "change_language",
}


def examples(path: Path) -> List[Tuple[str, str]]:
    """(intent, text) of every example of an NLU file, entity markup removed."""
    return [(m.get("intent"), m.get("text")) for m in load_data(str(path)).intent_examples]


def per_intent(path: Path) -> Dict[str, int]:
    return Counter(intent for intent, _ in examples(path))


@pytest.mark.parametrize("language", MAJOR + COMMUNITY)
def test_every_language_has_training_and_held_out_files(language: str) -> None:
    assert examples(TRAIN_DIR / f"{language}.yml")
    assert examples(EVAL_DIR / f"{language}.yml")


@pytest.mark.parametrize("language", MAJOR)
def test_major_languages_have_twenty_examples_of_every_contract_intent(language: str) -> None:
    counts = per_intent(TRAIN_DIR / f"{language}.yml")
    thin = {intent: counts.get(intent, 0) for intent in CONTRACT_INTENTS if counts.get(intent, 0) < 20}
    assert not thin, f"{language}: intents with fewer than 20 examples: {thin}"


@pytest.mark.parametrize("language", COMMUNITY)
def test_community_languages_have_six_examples_of_the_essential_intents(language: str) -> None:
    counts = per_intent(TRAIN_DIR / f"{language}.yml")
    thin = {intent: counts.get(intent, 0) for intent in COMMUNITY_INTENTS if counts.get(intent, 0) < 6}
    assert not thin, f"{language}: intents with fewer than 6 examples: {thin}"


def test_only_contract_intents_are_trained() -> None:
    trained = {intent for path in TRAIN_DIR.glob("*.yml") for intent, _ in examples(path)}
    assert trained <= CONTRACT_INTENTS, sorted(trained - CONTRACT_INTENTS)


def test_no_held_out_line_is_in_the_training_data_even_with_other_spelling() -> None:
    trained = {normalise_text(text) for path in TRAIN_DIR.glob("*.yml") for _, text in examples(path)}
    leaked = [(path.stem, text) for path in sorted(EVAL_DIR.glob("*.yml")) for _, text in examples(path)
              if normalise_text(text) in trained]
    assert not leaked, leaked


def test_every_community_line_is_listed_for_native_speaker_review() -> None:
    review = REVIEW.read_text(encoding="utf-8")
    missing = [(language, raw) for language in COMMUNITY for folder in (TRAIN_DIR, EVAL_DIR)
               for raw in _raw_lines(folder / f"{language}.yml") if f"`{raw}`" not in review]
    assert not missing, missing[:10]


def test_review_lists_no_line_that_is_gone_from_the_data() -> None:
    review = REVIEW.read_text(encoding="utf-8")
    listed = re.findall(r"^\| `(.+?)`(?: \*eval\*)? \|", review, flags=re.MULTILINE)
    current = {raw for language in COMMUNITY for folder in (TRAIN_DIR, EVAL_DIR)
               for raw in _raw_lines(folder / f"{language}.yml")}
    assert listed and not set(listed) - current, sorted(set(listed) - current)[:10]


def _raw_lines(path: Path) -> List[str]:
    """Example lines as written in the YAML (with entity markup), as the review list quotes them."""
    return [line.strip()[2:].strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("    - ")]
