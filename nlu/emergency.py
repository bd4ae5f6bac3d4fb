"""Red-flag rules that make sure a life-threatening message is classified `emergency`.

Missing an emergency costs far more than a false alarm (the dialogue then gives the
15/112 numbers and offers the hotline), so after the intent classifier this
component promotes `emergency` to the top when a red-flag phrase appears: not
breathing, heavy bleeding, unconscious, seizures, labour, stab wounds, poisoning.
The patterns are written against the normalised text (`nlu.normalise.normalise_text`:
lowercase, no accents or tashkeel, ة→ه, ى→ي, أ/إ/آ→ا, Arabizi 3→a 7→h 9→q 5→kh),
in French, English, Arabic and Darija (both scripts); they came from reading the
emergency examples of the training data. It also promotes `emergency` when the
classifier itself ranks it close behind the top intent (`margin`) with a confidence of
its own of at least `min_confidence` (without that floor, every message the classifier is
unsure about, "hii everyone" included, would become an emergency).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Pattern, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.normalise import normalise_text
from nlu.ranking import promote

EMERGENCY = "emergency"
RED_FLAGS: Dict[str, List[str]] = {
    "breathing": [
        r"\b(ne|n) ?(respire|respirent) (plus|pas|presque plus)", r"\b(arrive|peut|peux) (plus|pas) (a )?respirer",
        r"\betouff", r"\bnot breathing", r"\b(can ?n?o?t|cant|unable to|could ?n?t) breathe", r"\bstopped breathing",
        r"\bchoking", r"لا (ي|ت)تنفس", r"توقف عن التنفس", r"ما ?(كي|كت|ت)تنفس(ش)?\b", r"\bma ?(kay|kat|ki|ka)t?n?ne?f+e?s+c?h",
        r"مخنوق", r"\bm?khnou?q",
    ],
    "bleeding": [
        r"\bsaign\w* (beaucoup|trop|abondamment|enormement|sans arret)", r"\bhemorragi", r"\bbeaucoup de sang",
        r"\bperd\w* (beaucoup de |du )?sang", r"\bbleed\w* (a lot|heavily|badly|too much|so much|non ?stop)",
        r"\b(lots?|a lot) of blood", r"\bhaemorrhag|\bhemorrhag", r"نزيف", r"(ي|ت)نزف", r"(كي|كت)نزف",
        r"الدم (بزاف|كثير)", r"\b(kay|kat|ki|ka)nzef", r"\b(d+e?m+) bzaf",
    ],
    "unconscious": [
        r"\binconscien", r"\bevanoui", r"\bperdu connaissance", r"\bne (se )?reveille (pas|plus)", r"\bne (bouge|repond) plus",
        r"\bunconscious", r"\bpassed out", r"\bfainted", r"\b(not|won ?t|will not|doesn ?t) wak(e|ing) up",
        r"\bnot moving", r"(فاقد|فقد|فقدت) (ال)?وعي", r"مغمي (عليه|عليها)", r"اغمي (عليه|عليها)", r"ما ?(كي|كت)فيق(ش)?\b",
        r"غاب (عليه|عليها)", r"\bghab (alih|aliha)", r"\bma ?(kay|kat|ki)fiq",
    ],
    "seizure": [r"\bconvuls", r"\bcrise d ?epilep", r"\bseizure", r"\bfit(ting)? and", r"تشنج", r"\bkayterfe?d"],
    "labour": [
        r"\b(en train d|va|vais|commence a) ?accoucher", r"\bperdu les eaux", r"\bpoche des eaux", r"\bcontractions",
        r"\b(accouche|accoucher) (maintenant|tout de suite|la)\b", r"\babout to (deliver|give birth)",
        r"\bdeliver(ing)? (right )?now", r"\bin labou?r", r"\bgiving birth", r"\bwaters? (has |have )?(broke|broken)", r"\blabou?r pains?",
        r"المخاض", r"(كت|غادي ت)ولد (دابا|دبا)", r"\b(kat|ghadi t)wled (daba|dba)",
    ],
    "wound_or_poison": [
        r"\bpoignard", r"\bcoups? de couteau", r"\bstabbed", r"\boverdose", r"\bpris trop de (medicaments|comprimes|cachets|pilules)",
        r"\b(took|taken|swallowed) too many (pills|tablets|drugs|medicines?)", r"\bempoisonn", r"\bpoison",
        r"\bva mourir", r"\ben train de mourir", r"\bis dying", r"\bgoing to die", r"طعن", r"يحتضر", r"\bjenwi", r"جنوي",
    ],
}


# "je vais accoucher dans deux mois" is pregnancy follow-up, not labour: a labour phrase
# with a time ahead is not a red flag.
LATER = re.compile(
    r"\bdans (\d+|un|une|deux|trois|quatre|cinq|six|sept|huit|quelques) (jours?|semaines?|mois)\b"
    r"|\b(mois|semaine) prochaine?\b|\ben (janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre"
    r"|novembre|decembre)\b|\bnext (week|month)\b|\bin (\d+|a|one|two|three|four|five|six|a few) (days?|weeks?|months?)\b"
    r"|الشهر (الجاي|القادم|المقبل)|الاسبوع (الجاي|القادم|المقبل)|\b(chhar|char|shhar) (jay|jaay|jayy)\b"
)


def compile_red_flags() -> List[Pattern[str]]:
    """All red-flag patterns, compiled once."""
    return [re.compile(p) for patterns in RED_FLAGS.values() for p in patterns]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class EmergencyRedFlags(GraphComponent):
    """Promotes `emergency` when a red-flag phrase appears or the classifier nearly chose it."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """`margin`: promote emergency when its confidence is within this of the top intent
        and at least `min_confidence`; `confidence`: what a promoted emergency reports."""
        return {"margin": 0.15, "min_confidence": 0.2, "confidence": 0.95}

    def __init__(self, config: Dict[Text, Any]) -> None:
        """Compiles the patterns."""
        self._config = {**self.get_default_config(), **config}
        self._patterns = compile_red_flags()
        self._labour = [re.compile(p) for p in RED_FLAGS["labour"]]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "EmergencyRedFlags":
        """Creates the rules component (nothing to train)."""
        return cls(config)

    def has_red_flag(self, text: str) -> bool:
        """True when the (not yet normalised) text contains a red-flag phrase."""
        return self._matches(normalise_text(text.replace("'", " ").replace("’", " ")))

    def _matches(self, normalised: str) -> bool:
        later = LATER.search(normalised) is not None
        return any(p.search(normalised) and not (later and p in self._labour) for p in self._patterns)

    def process(self, messages: List[Message]) -> List[Message]:
        """Moves `emergency` to the top of the intent ranking when warranted."""
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get(INTENT_NAME_KEY) in (None, EMERGENCY):
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            emergency = next((r for r in ranking if r.get(INTENT_NAME_KEY) == EMERGENCY), None)
            near = emergency is not None and emergency[PREDICTED_CONFIDENCE_KEY] >= self._config["min_confidence"] and (
                intent.get(PREDICTED_CONFIDENCE_KEY, 0.0) - emergency[PREDICTED_CONFIDENCE_KEY] <= self._config["margin"]
            )
            text = message.get(TEXT) or ""
            if near or self.has_red_flag(text):
                promote(message, EMERGENCY, float(self._config["confidence"]))
        return messages

