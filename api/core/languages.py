"""The languages the assistant speaks (codes fixed by the NLU contract) and how to pick one."""

from __future__ import annotations

from collections.abc import Sequence

from babel.core import negotiate_locale

from sante_contract import DEFAULT_LANGUAGE, RTL_LANGUAGES
from sante_contract import LANGUAGES as SUPPORTED_LANGUAGES

__all__ = ["DEFAULT_LANGUAGE", "RTL_LANGUAGES", "SUPPORTED_LANGUAGES", "negotiate_language", "normalise_language_tag"]

# Browser and Telegram language tags that map onto ours (Bambara readers get Malinké, its closest).
_TAG_ALIASES = {"bm": "emk", "man": "emk", "mnk": "emk", "fuc": "ff", "fuf": "ff", "ful": "ff",
                "wol": "wo", "lin": "ln", "sus": "sus", "bci": "bci"}


def normalise_language_tag(tag: str) -> str | None:
    """Map a tag such as `ar-MA`, `ary`, `fr_FR` or `bm` onto a supported code, or None."""
    tag = tag.strip().lower().replace("_", "-")
    if not tag:
        return None
    if tag in ("ar-ma", "ary"):
        return "ary"
    primary = tag.split("-", 1)[0]
    primary = _TAG_ALIASES.get(primary, primary)
    return primary if primary in SUPPORTED_LANGUAGES else None


def negotiate_language(accept_language: str, available: Sequence[str] = SUPPORTED_LANGUAGES,
                       default: str = DEFAULT_LANGUAGE) -> str:
    """The best of `available` for an Accept-Language header, by quality then order (Babel's negotiation);
    `default` when none fits. Our aliases (`ar-MA` → `ary`, `bm` → `emk`) are tried before each tag itself."""
    preferred: list[str] = []
    for tag in _by_quality(accept_language):
        alias = normalise_language_tag(tag)
        preferred += [alias, tag] if alias else [tag]
    return negotiate_locale(preferred, list(available), sep="-", aliases={}) or default


def _by_quality(accept_language: str) -> list[str]:
    """The tags of the header, highest `q` first (equal ones in their order); `q=0` means not wanted."""
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, *params = (piece.strip() for piece in part.split(";"))
        quality = 1.0
        for name, _, value in (param.partition("=") for param in params):
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, position, tag))
    return [tag for _, _, tag in sorted(weighted)]
