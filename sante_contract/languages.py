"""The language codes fixed by the NLU contract: the model, the actions, the catalogs and the API share them."""

from __future__ import annotations

LANGUAGES: tuple[str, ...] = ("fr", "en", "ar", "ary", "wo", "ln", "ff", "emk", "sus", "bci")
# The language of the contract's fallback, spoken by most migrants in Morocco.
DEFAULT_LANGUAGE = "fr"
RTL_LANGUAGES: frozenset[str] = frozenset({"ar", "ary"})
# The six languages of the 2020 COVID-19 campaign material; their texts await native-speaker review.
COMMUNITY_LANGUAGES: tuple[str, ...] = ("wo", "ln", "ff", "emk", "sus", "bci")
