"""Case references such as `MS-7K3Q9P`: the bot derives one before the backend has the case, the backend keeps it."""

from __future__ import annotations

import re

# No 0/O, 1/I/L, 5/S or 8/B: a reference is read aloud over a bad phone line.
REFERENCE_ALPHABET = "234679ACDEFGHJKMNPQRTUVWXYZ"
REFERENCE_PREFIX = "MS-"
REFERENCE_LENGTH = 6
REFERENCE_PATTERN = re.compile(f"^{REFERENCE_PREFIX}[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}$")


def is_reference(text: str) -> bool:
    """Whether `text` is a well-formed reference (prefix, length and alphabet)."""
    return REFERENCE_PATTERN.match(text) is not None
