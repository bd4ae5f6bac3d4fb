"""What a person would receive on each channel if an entry held a given text: the real renderers, no copy.

The draft is laid over the catalogs as they are (a new snapshot, nothing written), then rendered
by api/nlg/render.py exactly as the NLG endpoint renders it, and shaped by each gateway's own
functions: the web chat's buttons, Telegram's inline keyboard and 4096-character parts,
WhatsApp's numbered choices and 1600-character parts, the phone line's recording or voice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from api.audio.index import audio_url
from api.core.languages import RTL_LANGUAGES
from api.gateways import voice, whatsapp
from api.gateways.telegram_keyboard import keyboard_for
from api.gateways.telegram_sending import MAX_CAPTION_CHARS as TELEGRAM_CAPTION_CHARS
from api.gateways.telegram_sending import MAX_TEXT_CHARS as TELEGRAM_TEXT_CHARS
from api.gateways.text_parts import split_text
from api.nlg.catalogs import CatalogSnapshot, Entry
from api.nlg.helpful import with_helpful_buttons
from api.nlg.render import FSI, PDI, RenderedResponse, UnknownResponse, render_from_snapshot
from api.nlg.source import button_note
from api.outbox.messages import BotReply


@dataclass(frozen=True)
class ChannelPreview:
    """One channel's rendering: the messages (parts) as sent, the buttons as shown, the length against the limit."""

    channel: str
    parts: tuple[str, ...]
    buttons: tuple[str, ...]
    numbered: bool
    length: int
    limit: int | None
    rtl: bool
    note: str = ""

    @property
    def over_limit(self) -> bool:
        """Longer than one message of the channel: it arrives cut in several."""
        return self.limit is not None and self.length > self.limit


@dataclass(frozen=True)
class Preview:
    """Every channel's rendering of one message in one language."""

    requested_language: str
    served_language: str
    falls_back: bool
    channels: tuple[ChannelPreview, ...]


def with_draft(snapshot: CatalogSnapshot, language: str, msgid: str, text: str, reviewed: bool) -> CatalogSnapshot:
    """The catalogs as they would be once the draft is saved."""
    entries = dict(snapshot.entries)
    entries[language] = {**entries.get(language, {}), msgid: Entry(text=text, fuzzy=not reviewed)}
    return replace(snapshot, entries=entries)


def sample_variables(snapshot: CatalogSnapshot, key: str) -> dict[str, str]:
    """Each placeholder shown as its own name in brackets, so the editor sees where a value goes."""
    spec = snapshot.specs.get(key)
    return {name: f"[{name}]" for name in (spec.placeholders if spec is not None else {})}


def rendered_message(snapshot: CatalogSnapshot, msgid: str) -> str:
    """The message a text belongs to: a button title's message, or the text's own key."""
    return msgid.split(".button.", 1)[0] if ".button." in msgid else msgid


def translator_notes(snapshot: CatalogSnapshot, msgid: str) -> list[str]:
    """The notes locales/source.yml gives translators for this text (the `#.` comments of the template, unwrapped)."""
    spec = snapshot.specs.get(rendered_message(snapshot, msgid))
    if spec is None:
        return []
    if msgid == spec.key:
        return spec.translator_notes()
    number = int(msgid.rsplit(".", 1)[1])
    return [button_note(spec, number, spec.buttons[number - 1])] if 0 < number <= len(spec.buttons) else []


def _reply(rendered: RenderedResponse) -> BotReply:
    return BotReply(text=rendered.text, image=rendered.image,
                    buttons=rendered.buttons)


def _web(reply: BotReply, rtl: bool) -> ChannelPreview:
    return ChannelPreview("web", (reply.text,), tuple(b.title for b in reply.buttons), False, len(reply.text),
                          None, rtl)


def _telegram(reply: BotReply, rtl: bool) -> ChannelPreview:
    markup = keyboard_for(reply.buttons)
    titles = tuple(button.text for row in (markup.inline_keyboard if markup else ()) for button in row)
    if reply.image and len(reply.text) <= TELEGRAM_CAPTION_CHARS:
        return ChannelPreview("telegram", (reply.text,), titles, False, len(reply.text), TELEGRAM_CAPTION_CHARS,
                              rtl, note="caption")
    parts = tuple(split_text(reply.text, TELEGRAM_TEXT_CHARS))
    return ChannelPreview("telegram", parts, titles, False, len(reply.text), TELEGRAM_TEXT_CHARS, rtl)


def _whatsapp(reply: BotReply, rtl: bool) -> ChannelPreview:
    body = whatsapp.render_with_choices(reply)
    return ChannelPreview("whatsapp", tuple(whatsapp.split_body(body)), (), bool(reply.buttons), len(body),
                          whatsapp.MAX_BODY_CHARS, rtl)


def _voice(snapshot: CatalogSnapshot, key: str, language: str, variables: Mapping[str, str]) -> ChannelPreview:
    if audio_url(key, language) is not None or voice.audio_file(language, key).is_file():
        return ChannelPreview("voice", (), (), False, 0, None, False, note="recording")
    spoken = voice.spoken_language(language)
    text = render_from_snapshot(snapshot, key, spoken, variables).text.replace(FSI, "").replace(PDI, "")
    note = "speech" if spoken == language else "speech_in_french"
    return ChannelPreview("voice", (text,), (), False, len(text), None, spoken in RTL_LANGUAGES, note=note)


def preview(snapshot: CatalogSnapshot, language: str, msgid: str, public_base_url: str) -> Preview:
    """Render the message `msgid` belongs to, for a person reading `language`, on every channel."""
    key = rendered_message(snapshot, msgid)
    variables = sample_variables(snapshot, key)
    try:
        # With the "Was this helpful?" buttons, as the NLG endpoint sends an answer that asks.
        rendered = with_helpful_buttons(render_from_snapshot(snapshot, key, language, variables, public_base_url),
                                        snapshot, key)
    except UnknownResponse:
        return Preview(language, language, True, ())
    reply = _reply(rendered)
    rtl = rendered.language in RTL_LANGUAGES
    channels = (_web(reply, rtl), _telegram(reply, rtl), _whatsapp(reply, rtl),
                _voice(snapshot, key, language, variables))
    return Preview(rendered.requested_language, rendered.language, rendered.is_fallback, channels)
