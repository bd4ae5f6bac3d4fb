"""The rights card: a PNG with the right to care in French and Arabic side by side, to show at reception."""

from __future__ import annotations

import io
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import arabic_reshaper
from bidi import get_display
from PIL import Image, ImageDraw, ImageFont

from api.core.languages import RTL_LANGUAGES
from api.nlg.catalogs import CatalogSnapshot

WIDTH = 1080
MARGIN = 48
GUTTER = 40
TITLE_SIZE, TEXT_SIZE, HEADER_SIZE = 40, 30, 30
LINE_GAP = 1.35
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


@lru_cache(maxsize=8)
def _font(weight: str, size: int) -> ImageFont.FreeTypeFont:
    # BASIC layout: the text is already shaped and in visual order (arabic-reshaper + python-bidi);
    # letting raqm reorder it again would reverse it back.
    return ImageFont.truetype(str(font_path(weight)), size, layout_engine=ImageFont.Layout.BASIC)


def _visual(line: str, rtl: bool) -> str:
    return get_display(arabic_reshaper.reshape(line)) if rtl else line


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int, rtl: bool) -> list[str]:
    """Lines (in reading order, shaped for display) that fit `width` pixels."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}".strip()
            if current and font.getlength(_visual(candidate, rtl)) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        lines.append(current)
    return [_visual(line, rtl) for line in lines]


def _draw_block(draw: ImageDraw.ImageDraw, lines: list[str], font: ImageFont.FreeTypeFont, left: int,
                width: int, top: int, rtl: bool, fill: str) -> int:
    step = int(font.size * LINE_GAP)
    for line in lines:
        x = left + width - int(font.getlength(line)) if rtl else left
        draw.text((x, top), line, font=font, fill=fill)
        top += step
    return top


def _text(snapshot: CatalogSnapshot, key: str, language: str) -> tuple[str, bool]:
    resolved = snapshot.resolve(key, language)
    if resolved is None:
        raise LookupError(f"the catalogs have no {key!r}")
    return resolved.text, resolved.language in RTL_LANGUAGES


def render_rights_card(snapshot: CatalogSnapshot, language: str) -> bytes:
    """The card as PNG bytes: a line in the person's language, then French and Arabic columns."""
    column = (WIDTH - 2 * MARGIN - GUTTER) // 2
    header_text, header_rtl = _text(snapshot, "rights_card.show_at_reception", language)
    header = wrap(header_text, _font("bold", HEADER_SIZE), WIDTH - 2 * MARGIN, header_rtl)
    columns = []
    for lang in ("fr", "ar"):
        title, rtl = _text(snapshot, "rights_card.title", lang)
        body, _ = _text(snapshot, "rights_card.text", lang)
        columns.append((wrap(title, _font("bold", TITLE_SIZE), column, rtl),
                        wrap(body, _font("regular", TEXT_SIZE), column, rtl), rtl))
    header_height = len(header) * int(HEADER_SIZE * LINE_GAP)
    column_height = max(len(t) * int(TITLE_SIZE * LINE_GAP) + 20 + len(b) * int(TEXT_SIZE * LINE_GAP)
                        for t, b, _ in columns)
    height = MARGIN + header_height + 30 + column_height + MARGIN
    image = Image.new("RGB", (WIDTH, height), BACKGROUND)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH - 1, 12), fill=ACCENT)
    top = _draw_block(draw, header, _font("bold", HEADER_SIZE), MARGIN, WIDTH - 2 * MARGIN, MARGIN,
                      header_rtl, ACCENT)
    draw.line((MARGIN, top + 10, WIDTH - MARGIN, top + 10), fill=RULE, width=2)
    top += 30
    middle = MARGIN + column + GUTTER // 2
    draw.line((middle, top, middle, height - MARGIN), fill=RULE, width=2)
    for index, (title_lines, body_lines, rtl) in enumerate(columns):
        left = MARGIN + index * (column + GUTTER)
        y = _draw_block(draw, title_lines, _font("bold", TITLE_SIZE), left, column, top, rtl, INK) + 20
        _draw_block(draw, body_lines, _font("regular", TEXT_SIZE), left, column, y, rtl, INK)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
