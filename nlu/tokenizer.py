"""Whitespace tokenizer that gives every token a normalised lemma for the featurizers.

Normalising the message text itself would shift the character offsets of the
annotated entities (dropping tashkeel or tatweel shortens the text). Instead each
token keeps its original text and offsets, and its lemma carries the normalised
form (`nlu.normalise.normalise_word`); `CountVectorsFeaturizer` reads lemmas by
default (`use_lemma: true`), so "وجدة"/"وجده", "3ndi"/"aandi" and "Fès"/"fes"
become the same features while entities still point at what the person wrote.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer
from rasa.shared.nlu.constants import ACTION_TEXT, TEXT
from rasa.shared.nlu.training_data.message import Message

from nlu.normalise import normalise_word


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class NormalisingTokenizer(WhitespaceTokenizer):
    """Splits on whitespace and punctuation; lemmas are spelling-normalised."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "NormalisingTokenizer":
        """Creates the tokenizer (it has nothing to train)."""
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        """Tokenizes like WhitespaceTokenizer, then normalises the lemma of each text token."""
        tokens: List[Token] = super().tokenize(message, attribute)
        if attribute not in (TEXT, ACTION_TEXT):
            return tokens
        for token in tokens:
            token.lemma = normalise_word(token.text) or token.text
        return tokens
