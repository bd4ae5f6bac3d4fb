"""What the bot side (Rasa, actions) and the app side (API, gateways) must agree on, in one place.

Pure Python with no dependency, installed in both environments: language codes, the alphabet and
shape of case references, the channel prefixes of conversation ids, the topics of a referral,
the shape of a response Rasa leaves for the API to render.
"""

from sante_contract.channels import CHANNELS, TELEGRAM, VOICE, WEB, WHATSAPP, channel_of
from sante_contract.languages import COMMUNITY_LANGUAGES, DEFAULT_LANGUAGE, LANGUAGES, RTL_LANGUAGES
from sante_contract.references import (
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    REFERENCE_PATTERN,
    REFERENCE_PREFIX,
    is_reference,
)
from sante_contract.rendering import MESSAGE_KEYS, RENDER_KEY, RENDER_SLOTS
from sante_contract.topics import REFERRAL_TOPICS

__all__ = [
    "CHANNELS", "TELEGRAM", "VOICE", "WEB", "WHATSAPP", "channel_of",
    "COMMUNITY_LANGUAGES", "DEFAULT_LANGUAGE", "LANGUAGES", "RTL_LANGUAGES",
    "REFERENCE_ALPHABET", "REFERENCE_LENGTH", "REFERENCE_PATTERN", "REFERENCE_PREFIX", "is_reference",
    "REFERRAL_TOPICS",
    "MESSAGE_KEYS", "RENDER_KEY", "RENDER_SLOTS",
]
