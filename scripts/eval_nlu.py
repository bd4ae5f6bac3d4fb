"""Evaluates a trained model on the held-out NLU files (bot/eval/nlu/<lang>.yml) and enforces the thresholds.

Prints intent accuracy and macro-F1 per language group (fr, en, ar, ary, community),
emergency precision and recall per group, language-identification accuracy and city-entity
accuracy, and checks that no button title of any catalog (nor "carte", "card", "بطاقة") is
read as an emergency; writes reports/intent_report.json, reports/intent_report.md and
reports/confusion_matrix.png. Exits 1 when a threshold fails, a group has no held-out data
or a button title reads as an emergency, so it can run as a test:

    .venv-bot/bin/python scripts/eval_nlu.py --model bot/models/current.tar.gz --eval-dir bot/eval/nlu --out reports
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Set

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

COMMUNITY = ("wo", "ln", "ff", "emk", "sus", "bci")
GROUPS = ("fr", "en", "ar", "ary", "community")
INTENT_THRESHOLDS = {"fr": 0.93, "en": 0.93, "ar": 0.93, "ary": 0.88, "community": 0.75}
EMERGENCY_RECALL = 0.95
LANGUAGE_ID = 0.95
# Short words people type that are never an emergency on their own (with every button title).
NEVER_EMERGENCY = ("carte", "card", "بطاقة", "la carte", "the card", "karta")


@dataclass
class Line:
    """One held-out utterance with what the model said about it."""

    language: str
    text: str
    intent: str
    cities: Set[str]
    predicted_intent: str = ""
    predicted_language: str = ""
    language_ambiguous: bool = False
    predicted_cities: Set[str] = field(default_factory=set)

    @property
    def group(self) -> str:
        return "community" if self.language in COMMUNITY else self.language


def leaked_lines(lines: List[Line], train_dir: Path) -> List[str]:
    """Held-out texts that also appear (spelling-normalised) in the training data: the split must stay clean."""
    from rasa.shared.nlu.training_data.loading import load_data

    from nlu.normalise import normalise_text

    trained = {normalise_text(m.get("text")) for path in train_dir.glob("*.yml")
               for m in load_data(str(path)).intent_examples}
    return [x.text for x in lines if normalise_text(x.text) in trained]


def read_eval_lines(eval_dir: Path) -> List[Line]:
    """Every intent example of every <lang>.yml file, with the canonical names of its annotated cities."""
    from rasa.shared.nlu.training_data.loading import load_data

    from nlu.towns import gazetteer

    towns = gazetteer()
    lines = []
    for path in sorted(eval_dir.glob("*.yml")):
        for message in load_data(str(path)).intent_examples:
            cities = {towns.canonical(str(e["value"])) or str(e["value"])
                      for e in message.get("entities") or [] if e.get("entity") == "city"}
            lines.append(Line(path.stem, message.get("text"), message.get("intent"), cities))
    return lines


def button_titles(locales_dir: Path) -> List[str]:
    """Every button title of every catalog (`<response>.button.<n>`), once each."""
    from babel.messages.pofile import read_po

    titles: Set[str] = set()
    for path in sorted(locales_dir.glob("*/LC_MESSAGES/messages.po")):
        with path.open("rb") as handle:
            titles.update(str(m.string) for m in read_po(handle) if m.id and ".button." in str(m.id) and m.string)
    return sorted(titles)


async def emergency_labels(agent: object, texts: List[str]) -> List[str]:
    """The texts the model reads as an emergency."""
    flagged = []
    for text in texts:
        result = await agent.parse_message(text)  # type: ignore[attr-defined]
        if (result.get("intent") or {}).get("name") == "emergency":
            flagged.append(text)
    return flagged


async def parse_all(model: Path, lines: List[Line], labels: Optional[List[str]] = None) -> List[str]:
    """Parses every line with the trained model and stores the predictions on it.

    Returns which of `labels` (button titles, short words) the model reads as an emergency.
    """
    from rasa.core.agent import Agent

    agent = Agent.load(str(model))
    flagged = await emergency_labels(agent, labels or [])
    for line in lines:
        result = await agent.parse_message(line.text)
        line.predicted_intent = (result.get("intent") or {}).get("name") or ""
        language = result.get("language") or {}
        line.predicted_language = language.get("code", "")
        line.language_ambiguous = bool(language.get("ambiguous"))
        line.predicted_cities = {e["value"] for e in result.get("entities", []) if e.get("entity") == "city"}
    return flagged


def intent_scores(lines: List[Line]) -> Dict[str, float]:
    """Accuracy and macro-F1 (over the intents present in these lines) of a set of lines."""
    from sklearn.metrics import f1_score

    truth = [x.intent for x in lines]
    predicted = [x.predicted_intent for x in lines]
    accuracy = sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(lines)
    macro_f1 = f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0)
    return {"n": len(lines), "accuracy": round(accuracy, 4), "macro_f1": round(float(macro_f1), 4)}


def emergency_scores(lines: List[Line]) -> Dict[str, Optional[float]]:
    """Precision and recall of `emergency` over a set of lines (None when undefined)."""
    expected = sum(x.intent == "emergency" for x in lines)
    flagged = sum(x.predicted_intent == "emergency" for x in lines)
    hits = sum(x.intent == "emergency" and x.predicted_intent == "emergency" for x in lines)
    return {"n": expected, "flagged": flagged,
            "precision": round(hits / flagged, 4) if flagged else None,
            "recall": round(hits / expected, 4) if expected else None}


def summarise(lines: List[Line], emergency_labels: Optional[List[str]] = None) -> Dict[str, object]:
    """All metrics, per group and per language, and the list of threshold failures.

    `emergency_labels`: button titles or short words the model read as an emergency (must be none).
    """
    by_group: Dict[str, List[Line]] = defaultdict(list)
    by_language: Dict[str, List[Line]] = defaultdict(list)
    for line in lines:
        by_group[line.group].append(line)
        by_language[line.language].append(line)
    groups = {g: intent_scores(by_group[g]) for g in GROUPS if by_group[g]}
    languages = {lang: intent_scores(ls) for lang, ls in sorted(by_language.items())}
    emergencies = [x for x in lines if x.intent == "emergency"]
    with_city = [x for x in lines if x.cities]
    strict = sum(x.predicted_language == x.language for x in lines) / len(lines)
    # An ambiguous flag keeps the conversation's language, so it is not a wrong switch.
    no_wrong_switch = sum(x.predicted_language == x.language or x.language_ambiguous for x in lines) / len(lines)
    summary: Dict[str, object] = {
        "lines": len(lines),
        "intent_by_group": groups,
        "intent_by_language": languages,
        "language_id": {
            "accuracy": round(strict, 4),
            "accuracy_counting_ambiguous_as_kept": round(no_wrong_switch, 4),
            "ambiguous_rate": round(sum(x.language_ambiguous for x in lines) / len(lines), 4),
            "by_language": {lang: round(sum(x.predicted_language == lang for x in ls) / len(ls), 4)
                            for lang, ls in sorted(by_language.items())},
        },
        "emergency_recall": round(sum(x.predicted_intent == "emergency" for x in emergencies) / len(emergencies), 4)
        if emergencies else None,
        "emergency_precision": _emergency_precision(lines),
        "emergency_by_group": {g: emergency_scores(by_group[g]) for g in GROUPS if by_group[g]},
        "labels_read_as_emergency": sorted(emergency_labels or []),
        "city_accuracy": round(sum(x.predicted_cities == x.cities for x in with_city) / len(with_city), 4)
        if with_city else None,
        "city_lines": len(with_city),
        # Lines with no town where the model still found one (a wrong town in a referral).
        "city_false_positive_lines": sum(bool(x.predicted_cities) for x in lines if not x.cities),
    }
    summary["intent_scores"] = per_intent_scores(lines)
    summary["failures"] = _failures(summary, groups)
    return summary


def per_intent_scores(lines: List[Line]) -> Dict[str, Dict[str, float]]:
    """Precision, recall, F1 and support of every expected intent, all languages together."""
    from sklearn.metrics import precision_recall_fscore_support

    labels = sorted({x.intent for x in lines})
    precision, recall, f1, support = precision_recall_fscore_support(
        [x.intent for x in lines], [x.predicted_intent for x in lines], labels=labels, zero_division=0)
    return {label: {"precision": round(float(p), 4), "recall": round(float(r), 4), "f1": round(float(f), 4),
                    "n": int(n)} for label, p, r, f, n in zip(labels, precision, recall, f1, support, strict=True)}


def _emergency_precision(lines: List[Line]) -> Optional[float]:
    flagged = [x for x in lines if x.predicted_intent == "emergency"]
    return round(sum(x.intent == "emergency" for x in flagged) / len(flagged), 4) if flagged else None


def _failures(summary: Dict[str, object], groups: Dict[str, Dict[str, float]]) -> List[str]:
    failures = []
    for group, threshold in INTENT_THRESHOLDS.items():
        if group not in groups:
            failures.append(f"no held-out data for {group}")
        elif groups[group]["accuracy"] < threshold:
            failures.append(f"intent accuracy {group} {groups[group]['accuracy']:.3f} < {threshold}")
    recall = summary["emergency_recall"]
    if recall is None or recall < EMERGENCY_RECALL:
        failures.append(f"emergency recall {recall} < {EMERGENCY_RECALL}")
    if summary["labels_read_as_emergency"]:
        failures.append(f"button titles read as an emergency: {summary['labels_read_as_emergency']}")
    language_id = summary["language_id"]["accuracy_counting_ambiguous_as_kept"]
    if language_id < LANGUAGE_ID:
        failures.append(f"language id {language_id:.3f} < {LANGUAGE_ID}")
    return failures


def write_reports(lines: List[Line], summary: Dict[str, object], out: Path) -> None:
    """The JSON summary with the misclassified lines, a Markdown table and the confusion matrix."""
    out.mkdir(parents=True, exist_ok=True)
    errors = [{"language": x.language, "text": x.text, "intent": x.intent, "predicted": x.predicted_intent}
              for x in lines if x.intent != x.predicted_intent]
    city_errors = [{"language": x.language, "text": x.text, "cities": sorted(x.cities),
                    "predicted": sorted(x.predicted_cities)} for x in lines if x.cities != x.predicted_cities]
    (out / "intent_report.json").write_text(
        json.dumps({**summary, "errors": errors, "city_errors": city_errors}, ensure_ascii=False, indent=2),
        encoding="utf-8")
    (out / "intent_report.md").write_text(markdown(summary) + per_intent_markdown(summary), encoding="utf-8")
    confusion_png(lines, out / "confusion_matrix.png")


def markdown(summary: Dict[str, object]) -> str:
    """The summary as a Markdown report."""
    rows = ["# NLU evaluation (held-out data)", "", "| group | n | intent accuracy | macro-F1 | threshold |",
            "|---|---|---|---|---|"]
    for group, s in summary["intent_by_group"].items():
        rows.append(f"| {group} | {s['n']} | {s['accuracy']:.3f} | {s['macro_f1']:.3f} | {INTENT_THRESHOLDS[group]} |")
    rows += ["", "| group | emergencies | flagged emergency | emergency precision | emergency recall |",
             "|---|---|---|---|---|"]
    for group, e in summary["emergency_by_group"].items():
        rows.append(f"| {group} | {e['n']} | {e['flagged']} | {_score(e['precision'])} | {_score(e['recall'])} |")
    rows += ["", "| language | n | intent accuracy | macro-F1 | language id |", "|---|---|---|---|---|"]
    for lang, s in summary["intent_by_language"].items():
        rows.append(f"| {lang} | {s['n']} | {s['accuracy']:.3f} | {s['macro_f1']:.3f} "
                    f"| {summary['language_id']['by_language'][lang]:.3f} |")
    lid = summary["language_id"]
    rows += ["", f"- language id accuracy: {lid['accuracy']:.3f} "
                 f"(counting ambiguous as kept: {lid['accuracy_counting_ambiguous_as_kept']:.3f}; "
                 f"ambiguous rate {lid['ambiguous_rate']:.3f})",
             f"- emergency recall: {summary['emergency_recall']} (precision {summary['emergency_precision']})",
             f"- button titles and short words read as an emergency: "
             f"{len(summary['labels_read_as_emergency'])}",
             f"- city accuracy: {summary['city_accuracy']} over {summary['city_lines']} lines "
             f"({summary['city_false_positive_lines']} lines without a town got one)", "",
             "Failures: " + ("; ".join(summary["failures"]) or "none"), ""]
    return "\n".join(rows)


def _score(value: Optional[float]) -> str:
    return "-" if value is None else f"{value:.3f}"


def per_intent_markdown(summary: Dict[str, object]) -> str:
    """The per-intent table of the report file (not printed: the console shows the groups)."""
    rows = ["", "| intent | n | precision | recall | F1 |", "|---|---|---|---|---|"]
    for intent, s in summary["intent_scores"].items():
        rows.append(f"| {intent} | {s['n']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")
    return "\n".join(rows) + "\n"


def confusion_png(lines: List[Line], path: Path) -> None:
    """Row-normalised intent confusion matrix over all languages."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    labels = sorted({x.intent for x in lines} | {x.predicted_intent for x in lines})
    matrix = confusion_matrix([x.intent for x in lines], [x.predicted_intent for x in lines], labels=labels,
                              normalize="true")
    fig, ax = plt.subplots(figsize=(12, 10))
    ax.imshow(matrix, cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel("predicted")
    ax.set_ylabel("expected")
    ax.set_title(f"Intent confusion, held-out data ({len(lines)} lines)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _quiet_rasa() -> None:
    import warnings

    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    warnings.filterwarnings("ignore")
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    logging.getLogger("matplotlib").setLevel(logging.ERROR)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, required=True, help="trained model .tar.gz")
    parser.add_argument("--eval-dir", type=Path, default=ROOT / "bot" / "eval" / "nlu")
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    parser.add_argument("--train-dir", type=Path, default=ROOT / "bot" / "data" / "nlu",
                        help="training NLU files, checked for held-out lines")
    parser.add_argument("--locales-dir", type=Path, default=ROOT / "locales",
                        help="catalogs whose button titles must never read as an emergency")
    args = parser.parse_args()
    _quiet_rasa()
    if not args.model.exists():
        print(f"model not found: {args.model} (run `make train`)", file=sys.stderr)
        return 1
    lines = read_eval_lines(args.eval_dir)
    if not lines:
        print(f"no held-out examples in {args.eval_dir}", file=sys.stderr)
        return 1
    leaked = leaked_lines(lines, args.train_dir)
    if leaked:
        print(f"held-out lines found in the training data: {leaked[:10]}", file=sys.stderr)
        return 1
    labels = button_titles(args.locales_dir) + list(NEVER_EMERGENCY)
    flagged = asyncio.run(parse_all(args.model, lines, labels))
    summary = summarise(lines, flagged)
    write_reports(lines, summary, args.out)
    print(markdown(summary))
    return 1 if summary["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
