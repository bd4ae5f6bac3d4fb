"""The held-out evaluation's verdict: which results fail the targets (scripts/eval_nlu.py)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import List

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "eval_nlu.py"
_spec = importlib.util.spec_from_file_location("eval_nlu", SCRIPT)
eval_nlu = importlib.util.module_from_spec(_spec)
sys.modules["eval_nlu"] = eval_nlu  # dataclasses look their module up while the script loads
_spec.loader.exec_module(eval_nlu)


def lines(language: str, n: int, wrong: int = 0, intent: str = "greet", wrong_language: int = 0) -> List:
    made = []
    for i in range(n):
        line = eval_nlu.Line(language, f"{language} {i}", intent, set())
        line.predicted_intent = "out_of_scope" if i < wrong else intent
        line.predicted_language = "fr" if i < wrong_language and language != "fr" else language
        made.append(line)
    return made


def every_group(**overrides: List) -> List:
    groups = {"fr": lines("fr", 20), "en": lines("en", 20), "ar": lines("ar", 20), "ary": lines("ary", 20),
              "wo": lines("wo", 20), "emergency": lines("fr", 20, intent="emergency")}
    groups.update(overrides)
    return [line for group in groups.values() for line in group]


def test_results_above_every_target_pass() -> None:
    assert eval_nlu.summarise(every_group())["failures"] == []


@pytest.mark.parametrize("override, failure", [
    ({"en": lines("en", 20, wrong=2)}, "intent accuracy en"),
    ({"ary": lines("ary", 20, wrong=3)}, "intent accuracy ary"),
    ({"wo": lines("wo", 20, wrong=6)}, "intent accuracy community"),
    ({"emergency": lines("fr", 20, wrong=2, intent="emergency")}, "emergency recall"),
    ({"ar": lines("ar", 20, wrong_language=20)}, "language id"),
    ({"wo": []}, "no held-out data for community"),
])
def test_a_missed_target_is_reported_as_a_failure(override: dict, failure: str) -> None:
    failures = eval_nlu.summarise(every_group(**override))["failures"]
    assert any(f.startswith(failure) for f in failures), failures


def test_darija_may_be_lower_than_french_but_not_below_its_own_target() -> None:
    assert eval_nlu.summarise(every_group(ary=lines("ary", 20, wrong=2)))["failures"] == []


def test_emergency_precision_and_recall_are_reported_per_language_group() -> None:
    false_alarm = lines("ar", 4)
    false_alarm[0].predicted_intent = "emergency"
    missed = lines("ar", 2, intent="emergency")
    missed[0].predicted_intent = "out_of_scope"
    summary = eval_nlu.summarise(every_group(ar=false_alarm + missed))
    assert summary["emergency_by_group"]["ar"] == {"n": 2, "flagged": 2, "precision": 0.5, "recall": 0.5}
    assert summary["emergency_by_group"]["fr"] == {"n": 20, "flagged": 20, "precision": 1.0, "recall": 1.0}
    assert "| ar | 2 | 2 | 0.500 | 0.500 |" in eval_nlu.markdown(summary)


def test_a_button_title_read_as_an_emergency_fails_the_evaluation() -> None:
    failures = eval_nlu.summarise(every_group(), emergency_labels=["بطاقة الحقوق"])["failures"]
    assert any(f.startswith("button titles read as an emergency") for f in failures), failures


def test_every_button_title_of_the_catalogs_is_checked() -> None:
    titles = eval_nlu.button_titles(SCRIPT.parents[1] / "locales")
    assert {"Carte des droits", "بطاقة الحقوق", "Rights card", "Maninkakan"} <= set(titles)
