"""The rights card: a PNG with the right to care in French and Arabic side by side, to show at reception."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import arabic_reshaper

# The pure-Python algorithm of python-bidi: it mirrors brackets in right-to-left runs; the newer
# top-level `bidi.get_display` (0.5+) does not, and would draw "(2011)" as ")2011(".
from bidi.algorithm import get_display
from PIL import Image, ImageDraw, ImageFont

from api.core.languages import RTL_LANGUAGES
from api.nlg.catalogs import CatalogSnapshot

WIDTH = 1080
MARGIN = 48
GUTTER = 40
TITLE_SIZE, TEXT_SIZE, HEADER_SIZE = 40, 30, 30
LINE_GAP = 1.35
HEADER_GAP, TITLE_GAP = 30, 20
# The card is shown to reception staff: French and Arabic, whatever the person's language.
CARD_LANGUAGES = ("fr", "ar")
BACKGROUND, INK, ACCENT, RULE = "#ffffff", "#1b1b1b", "#0b5d3b", "#c9d6cf"
# fonts-dejavu-core (Debian) carries Latin and Arabic glyphs, including the Arabic presentation forms
# that arabic-reshaper produces. The paths are the Debian ones; fc-match finds them elsewhere.
FONT_CANDIDATES = {
    "regular": ("DejaVu Sans:style=Book", ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                                           "/usr/share/fonts/dejavu/DejaVuSans.ttf")),
    "bold": ("DejaVu Sans:style=Bold", ("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
                                        "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf")),
}


class FontMissing(RuntimeError):
    """No font able to draw Arabic was found (install the Debian package fonts-dejavu-core)."""


@lru_cache(maxsize=2)
def font_path(weight: str = "regular") -> Path:
    """The file of DejaVu Sans in the given weight, from the usual paths or fontconfig."""
    pattern, paths = FONT_CANDIDATES[weight]
    for candidate in paths:
        if Path(candidate).is_file():
            return Path(candidate)
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True,
                               timeout=5, check=False).stdout.strip()
        if found and "DejaVu" in found and Path(found).is_file():
            return Path(found)
    raise FontMissing("DejaVu Sans not found: install the Debian package fonts-dejavu-core")


# An unassigned code point: what a font draws for it is its "missing glyph" box.
_UNASSIGNED = "\u0378"
# Arabic letters in the presentation forms arabic-reshaper emits (alef, beh initial, lam-alef ligature).
_ARABIC_PROBE = "\ufe8d\ufe91\ufefb"


def _drawn(font: ImageFont.FreeTypeFont, char: str) -> bytes:
    canvas = Image.new("L", (2 * int(font.size), 2 * int(font.size)))
    ImageDraw.Draw(canvas).text((0, 0), char, font=font, fill=255)
    return canvas.tobytes()


def has_glyph(font: ImageFont.FreeTypeFont, char: str) -> bool:
    """Whether the font draws `char` with a glyph of its own rather than its missing-glyph box."""
    return _drawn(font, char) != _drawn(font, _UNASSIGNED)


@lru_cache(maxsize=8)
def _font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    # BASIC layout: the text is already shaped and in visual order (arabic-reshaper + python-bidi);
    # letting raqm reorder it again would reverse it back.
    path = font_path(weight)
    font = ImageFont.truetype(str(path), size, layout_engine=ImageFont.Layout.BASIC)
    if not all(has_glyph(font, char) for char in _ARABIC_PROBE):
        raise FontMissing(f"{path} has no Arabic glyphs: install the Debian package fonts-dejavu-core")
    return font


def visual(line: str, rtl: bool) -> str:
    """A line as drawn: Arabic letters joined (reshaped) and put in display order (bidi)."""
    return get_display(arabic_reshaper.reshape(line)) if rtl else line


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int, rtl: bool) -> tuple[str, ...]:
    """Lines in reading order that fit `width` pixels once drawn."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}".strip()
            if current and font.getlength(visual(candidate, rtl)) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return tuple(lines)


@dataclass(frozen=True)
class TextBlock:
    """One catalog text placed on the card: which message, in which language, cut into lines."""

    key: str
    language: str
    rtl: bool
    weight: str
    size: int
    lines: tuple[str, ...]

    @property
    def font(self) -> ImageFont.FreeTypeFont:
        """The font the block is drawn with."""
        return _font(self.weight, self.size)

    def drawn_lines(self) -> list[str]:
        """The strings handed to Pillow, shaped and in display order."""
        return [visual(line, self.rtl) for line in self.lines]

    def height(self) -> int:
        """Pixels the block takes."""
        return len(self.lines) * int(self.size * LINE_GAP)


@dataclass(frozen=True)
class CardLayout:
    """The card before drawing: a header in the person's language, then French and Arabic columns."""

    header: TextBlock
    columns: tuple[tuple[TextBlock, TextBlock], ...]


def _block(snapshot: CatalogSnapshot, key: str, language: str, weight: str, size: int, width: int) -> TextBlock:
    resolved = snapshot.resolve(key, language)
    if resolved is None:
        raise LookupError(f"the catalogs have no {key!r}; add it to locales/<lang>/LC_MESSAGES/messages.po")
    rtl = resolved.language in RTL_LANGUAGES
    lines = wrap(resolved.text, _font(weight, size), width, rtl)
    return TextBlock(key=key, language=resolved.language, rtl=rtl, weight=weight, size=size, lines=lines)


def card_layout(snapshot: CatalogSnapshot, language: str) -> CardLayout:
    """Which catalog texts go where on the card, wrapped to the card's width."""
    column = (WIDTH - 2 * MARGIN - GUTTER) // 2
    header = _block(snapshot, "rights_card.show_at_reception", language, "bold", HEADER_SIZE, WIDTH - 2 * MARGIN)
    columns = tuple((_block(snapshot, "rights_card.title", lang, "bold", TITLE_SIZE, column),
                     _block(snapshot, "rights_card.text", lang, "regular", TEXT_SIZE, column))
                    for lang in CARD_LANGUAGES)
    return CardLayout(header=header, columns=columns)


def _draw_block(draw: ImageDraw.ImageDraw, block: TextBlock, left: int, width: int, top: int, fill: str) -> int:
    step = int(block.size * LINE_GAP)
    for line in block.drawn_lines():
        # Right-to-left lines are aligned on the right edge of their column.
        x = left + width - int(block.font.getlength(line)) if block.rtl else left
        draw.text((x, top), line, font=block.font, fill=fill)
        top += step
    return top


def render_rights_card(snapshot: CatalogSnapshot, language: str) -> bytes:
    """The card as PNG bytes: a line in the person's language, then French and Arabic columns."""
    layout = card_layout(snapshot, language)
    column = (WIDTH - 2 * MARGIN - GUTTER) // 2
    column_height = max(title.height() + TITLE_GAP + body.height() for title, body in layout.columns)
    height = MARGIN + layout.header.height() + HEADER_GAP + column_height + MARGIN
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH - 1, 12), fill=ACCENT)
    top = _draw_block(draw, layout.header, MARGIN, WIDTH - 2 * MARGIN, MARGIN, ACCENT)
    draw.line((MARGIN, top + 10, WIDTH - MARGIN, top + 10), fill=RULE, width=2)
    top += HEADER_GAP
    middle = MARGIN + column + GUTTER // 2
    draw.line((middle, top, middle, height - MARGIN), fill=RULE, width=2)
    for index, (title, body) in enumerate(layout.columns):
        left = MARGIN + index * (column + GUTTER)
        y = _draw_block(draw, title, left, column, top, INK) + TITLE_GAP
        _draw_block(draw, body, left, column, y, INK)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
