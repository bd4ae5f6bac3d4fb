"""The languages the assistant speaks (codes fixed by the NLU contract) and how to pick one."""

from __future__ import annotations

SUPPORTED_LANGUAGES: tuple[str, ...] = ("fr", "en", "ar", "ary", "wo", "ln", "ff", "emk", "sus", "bci")
RTL_LANGUAGES: frozenset[str] = frozenset({"ar", "ary"})
DEFAULT_LANGUAGE = "fr"

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


def negotiate_language(accept_language: str) -> str:
    """The best supported language of an Accept-Language header, by quality; French otherwise."""
    candidates: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        code = normalise_language_tag(tag)
        if code:
            candidates.append((-quality, position, code))
    return min(candidates)[2] if candidates else DEFAULT_LANGUAGE
