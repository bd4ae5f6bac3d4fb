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
