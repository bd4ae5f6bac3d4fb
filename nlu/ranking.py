"""Putting an intent at the top of a message's ranking, for the rule components after the classifier."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message


def promote(message: Message, name: str, confidence: float) -> None:
    """Make `name` the message's intent with `confidence`, first in the ranking.

    The other intents keep their order and are shrunk so the ranking stays a distribution;
    otherwise FallbackClassifier's ambiguity check (top two too close) would turn the promoted
    intent into nlu_fallback.
    """
    ranking: List[Dict[str, Any]] = message.get(INTENT_RANKING_KEY) or []
    others = [dict(r) for r in ranking if r.get(INTENT_NAME_KEY) != name]
    total = sum(r[PREDICTED_CONFIDENCE_KEY] for r in others)
    scale = min(1.0, (1.0 - confidence) / total) if total > 0 else 1.0
    for r in others:
        r[PREDICTED_CONFIDENCE_KEY] = r[PREDICTED_CONFIDENCE_KEY] * scale
    top = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
    message.set(INTENT, dict(top), add_to_output=True)
    message.set(INTENT_RANKING_KEY, [top] + others, add_to_output=True)
