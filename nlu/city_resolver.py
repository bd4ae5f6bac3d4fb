"""Turns every `city` entity into the canonical town name and finds towns the extractors missed.

The lookup table matches whole words only, so "فوجدة" (in Oujda) or "بطنجة" slip
through, and the model may tag a misspelt town ("oujdda"). This component runs
after the extractors and the synonym mapper: it maps each city value to the
gazetteer's canonical name (spelling-normalised, Arabic proclitics removed,
close misspellings accepted), drops duplicates of the same span, and adds the
towns found among the tokens that no extractor reported.

A message that is nothing but a town name ("وجدة", "Zaïo", "tiznit !") says where the person
is: its intent becomes `inform_location`. The classifier learnt that from a few bare names per
language only; typed alone, 71 of the gazetteer's 213 spellings (homographs aside) were not understood or read
as something else ("barkan" as thanks, "زايو" as yes, "سلا" as a greeting), which at a yes/no
question could answer it. Only exact spellings count, not misspellings, and never a homograph
("safi" is also "OK" in Darija), and an emergency that EmergencyRedFlags promoted stays one; the
classifier's own weak guess of an emergency (0.13 for "ورزازات") would have ended as not understood.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from nlu.emergency import EMERGENCY
from nlu.ranking import promote
from nlu.towns import TOWNS_FILE, Gazetteer, gazetteer

CITY = "city"
INFORM_LOCATION = "inform_location"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class CityResolver(GraphComponent):
    """Canonicalises and completes `city` entities from data/towns.yml."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """`towns_file`: the gazetteer (default: the repository's data/towns.yml); `place_only_confidence`:
        what `inform_location` reports for a message that is only a town name."""
        return {"towns_file": None, "place_only_confidence": 0.9}

    def __init__(self, towns: Gazetteer, config: Optional[Dict[Text, Any]] = None) -> None:
        """Keeps the gazetteer."""
        self._towns = towns
        self._config = {**self.get_default_config(), **(config or {})}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "CityResolver":
        """Reads the gazetteer named in the config."""
        path = config.get("towns_file")
        return cls(gazetteer(Path(path) if path else TOWNS_FILE), config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Rewrites `city` values to canonical names and adds missed towns."""
        for message in messages:
            entities = [e for e in message.get(ENTITIES, []) if e.get(ENTITY_ATTRIBUTE_TYPE) != CITY]
            cities = self._resolved(message.get(ENTITIES, []))
            cities += self._found_in_tokens(message.get(TOKENS_NAMES[TEXT], []), message.get(TEXT) or "", cities)
            message.set(ENTITIES, entities + sorted(cities, key=lambda e: e[ENTITY_ATTRIBUTE_START]),
                        add_to_output=True)
            confidence = float(self._config["place_only_confidence"])
            if self.is_place_only(message.get(TEXT) or "", cities) and not _sure_emergency(message, confidence):
                promote(message, INFORM_LOCATION, confidence)
        return messages

    def is_place_only(self, text: str, cities: List[Dict[str, Any]]) -> bool:
        """The text is one town's exact spelling (not a homograph), with nothing else but spaces and punctuation."""
        if len(cities) != 1:
            return False
        start, end = cities[0][ENTITY_ATTRIBUTE_START], cities[0][ENTITY_ATTRIBUTE_END]
        if any(char.isalnum() for char in text[:start] + text[end:]):
            return False
        return self._towns.canonical(text[start:end], allow_homographs=False, fuzzy=False) is not None

    def _resolved(self, entities: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        cities: List[Dict[str, Any]] = []
        # The widest span wins when two extractors report overlapping cities.
        for entity in sorted((e for e in entities if e.get(ENTITY_ATTRIBUTE_TYPE) == CITY),
                             key=lambda e: e[ENTITY_ATTRIBUTE_START] - e[ENTITY_ATTRIBUTE_END]):
            if any(_overlap(entity, kept) for kept in cities):
                continue
            name = self._towns.canonical(str(entity[ENTITY_ATTRIBUTE_VALUE]))
            cities.append({**entity, ENTITY_ATTRIBUTE_VALUE: name or entity[ENTITY_ATTRIBUTE_VALUE]})
        return cities

    def _found_in_tokens(self, tokens: List[Token], text: str, known: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        found: List[Dict[str, Any]] = []
        i = 0
        while i < len(tokens):
            match = self._longest_match(tokens, i, text)
            if match is None:
                i += 1
                continue
            end_index, name = match
            entity = {
                ENTITY_ATTRIBUTE_TYPE: CITY,
                ENTITY_ATTRIBUTE_START: tokens[i].start,
                ENTITY_ATTRIBUTE_END: tokens[end_index].end,
                ENTITY_ATTRIBUTE_VALUE: name,
                EXTRACTOR: type(self).__name__,
            }
            if not any(_overlap(entity, other) for other in known + found):
                found.append(entity)
            i = end_index + 1
        return found

    def _longest_match(self, tokens: List[Token], i: int, text: str) -> Optional[Tuple[int, str]]:
        for size in range(min(self._towns.max_words, len(tokens) - i), 0, -1):
            span = text[tokens[i].start:tokens[i + size - 1].end]
            name = self._towns.canonical(span, allow_homographs=False, fuzzy=False)
            if name:
                return i + size - 1, name
        return None


def _sure_emergency(message: Message, confidence: float) -> bool:
    """The intent is an emergency at least as sure as `confidence` (EmergencyRedFlags promoted it)."""
    intent = message.get(INTENT) or {}
    return bool(intent.get(INTENT_NAME_KEY) == EMERGENCY and intent.get(PREDICTED_CONFIDENCE_KEY, 0.0) >= confidence)


def _overlap(a: Dict[str, Any], b: Dict[str, Any]) -> bool:
    return bool(a[ENTITY_ATTRIBUTE_START] < b[ENTITY_ATTRIBUTE_END] and b[ENTITY_ATTRIBUTE_START] < a[ENTITY_ATTRIBUTE_END])
