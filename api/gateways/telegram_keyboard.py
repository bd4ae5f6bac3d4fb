"""Telegram inline keyboards: Rasa payloads as callback data within Telegram's 64-byte limit."""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from api.outbox.messages import Button

MAX_CALLBACK_BYTES = 64
# Rasa payloads start with "/", so a leading "#" marks a short id standing for a longer payload.
SHORT_ID_PREFIX = "#"
MAX_REMEMBERED_PAYLOADS = 10_000

_long_payloads: OrderedDict[str, str] = OrderedDict()


def callback_data_for(payload: str) -> str:
    """The payload itself when it fits in 64 bytes, else a short id remembered by this process."""
    if len(payload.encode()) <= MAX_CALLBACK_BYTES and not payload.startswith(SHORT_ID_PREFIX):
        return payload
    short_id = SHORT_ID_PREFIX + hashlib.sha256(payload.encode()).hexdigest()[:24]
    _long_payloads[short_id] = payload
    _long_payloads.move_to_end(short_id)
    while len(_long_payloads) > MAX_REMEMBERED_PAYLOADS:
        _long_payloads.popitem(last=False)
    return short_id


def payload_for(callback_data: str, markup: InlineKeyboardMarkup | None) -> str | None:
    """What a pressed button sends to Rasa.

    A short id this process no longer knows (restart, another instance) falls back to the
    button's title, which the NLU understands like typed text.
    """
    if not callback_data.startswith(SHORT_ID_PREFIX):
        return callback_data
    if callback_data in _long_payloads:
        return _long_payloads[callback_data]
    for row in (markup.inline_keyboard if markup else ()):
        for button in row:
            if button.callback_data == callback_data:
                return button.text
    return None


def keyboard_for(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    """One button per row: titles in any language stay readable on a small screen."""
    if not buttons:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.title, callback_data=callback_data_for(b.payload))]
                                 for b in buttons])
