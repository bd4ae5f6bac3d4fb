"""How a person wants to be contacted, said in their own words at the escalation form's contact question.

The question offers two buttons ("Réponse écrite ici", "Appel téléphonique"); a button, its number or
words of its title are taken before the NLU (api/outbox/choices.py). People also answer "par
téléphone", "écrivez-moi ici", "عيطو ليا": the words of data/contact_modes.yml say which way they mean.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Dict, FrozenSet, Optional

import yaml

from nlu.normalise import normalise_text

CONTACT_WORDS_FILE = Path(__file__).resolve().parents[1] / "data" / "contact_modes.yml"
MODES = ("chat", "callback")
_WORD = re.compile(r"\w+")


def _words(text: str) -> FrozenSet[str]:
    return frozenset(_WORD.findall(normalise_text(text)))


@lru_cache(maxsize=2)
def contact_words(path: Path = CONTACT_WORDS_FILE) -> Dict[str, FrozenSet[str]]:
    """Each way of being contacted, and the negations, as normalised words."""
    with path.open(encoding="utf-8") as handle:
        listed = yaml.safe_load(handle)
    return {name: frozenset().union(*(_words(str(word)) for word in listed[name]))
            for name in (*MODES, "negations")}


def contact_mode_in(text: str) -> Optional[str]:
    """The way of being contacted the message names, if it names one way only and negates nothing."""
    said = _words(text)
    words = contact_words()
    if not said or said & words["negations"]:
        return None
    named = [mode for mode in MODES if said & words[mode]]
    return named[0] if len(named) == 1 else None
