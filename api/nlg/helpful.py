"""The "Was this helpful?" buttons of an answer to a health or rights question, and what their payload says.

The buttons go with the answer itself (one optional tap, no extra message). Their payload names
the message and the language it was asked in; the gateway takes it before the bot
(api/gateways/helpful.py), so a tap never reaches the dialogue and never becomes part of the
conversation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from api.core.languages import SUPPORTED_LANGUAGES
from api.nlg.catalogs import CatalogSnapshot
from api.nlg.render import Button, RenderedResponse

PAYLOAD_PREFIX = "/helpful"
TITLE_KEYS = {True: "helpful.yes", False: "helpful.no"}


@dataclass(frozen=True)
class HelpfulAnswer:
    """One tap: which message, in which language, helped or not."""

    msgid: str
    language: str
    helpful: bool


def payload_for(answer: HelpfulAnswer) -> str:
    """`/helpful{"msgid": ..., "language": ..., "helpful": true}` (Rasa's intent-with-entities form)."""
    body = {"msgid": answer.msgid, "language": answer.language, "helpful": answer.helpful}
    return PAYLOAD_PREFIX + json.dumps(body, separators=(",", ":"))


def is_helpful_payload(text: str) -> bool:
    """Whether a message is (or looks like) a tap on one of these buttons."""
    return text.strip().startswith(PAYLOAD_PREFIX + "{")


def answer_in(text: str) -> HelpfulAnswer | None:
    """The tap a payload stands for, or None when it is not a well-formed one."""
    if not is_helpful_payload(text):
        return None
    try:
        body = json.loads(text.strip()[len(PAYLOAD_PREFIX):])
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    msgid, language, helpful = body.get("msgid"), body.get("language"), body.get("helpful")
    if not isinstance(msgid, str) or language not in SUPPORTED_LANGUAGES or not isinstance(helpful, bool):
        return None
    return HelpfulAnswer(msgid, language, helpful)


def with_helpful_buttons(rendered: RenderedResponse, snapshot: CatalogSnapshot, name: str) -> RenderedResponse:
    """The answer with its two buttons added after its own, when `name` is an answer that asks."""
    spec = snapshot.specs.get(name)
    if spec is None or not spec.asks_helpful:
        return rendered
    language = rendered.requested_language
    added = []
    for helpful, key in TITLE_KEYS.items():
        title = snapshot.resolve(key, language)
        if title is None:  # the catalogs lack the title: better no question than an empty button
            return rendered
        added.append(Button(title=title.text, payload=payload_for(HelpfulAnswer(name, language, helpful))))
    return replace(rendered, buttons=(*rendered.buttons, *added))
