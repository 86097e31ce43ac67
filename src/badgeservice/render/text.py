"""Fitting text into boxes for the raster images: wrapping by words, shrinking, the direction."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable

from PIL import ImageFont

from badgeservice.render.fonts import pillow_font


def wrap(text: str, fits: Callable[[str], bool], max_lines: int) -> list[str]:
    """Lines of whole words that fit (a word too long is split), the last one cut with "…"."""
    lines: list[str] = []
    for word in text.split():
        if lines and fits(f"{lines[-1]} {word}"):
            lines[-1] = f"{lines[-1]} {word}"
            continue
        pieces = [""]
        for character in word:
            if pieces[-1] and not fits(pieces[-1] + character):
                pieces.append("")
            pieces[-1] += character
        lines.extend(pieces)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and not fits(last + "…"):
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last.rstrip() + "…"]
    return lines or [""]


def fitted(
    text: str, sizes: tuple[int, ...], width: float, max_lines: int
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The bold font of the largest size at which ``text`` fits in ``max_lines`` lines."""
    for size in sizes:
        font = pillow_font(text, size, bold=True)
        lines = wrap(text, functools.partial(fits, font, width), max_lines + 1)
        if len(lines) <= max_lines:
            return font, lines
    return font, wrap(text, functools.partial(fits, font, width), max_lines)


def fits(font: ImageFont.FreeTypeFont, width: float, text: str) -> bool:
    return font.getlength(text) <= width


def is_rtl(text: str) -> bool:
    """Whether the first strong character is right-to-left (Arabic, Hebrew, …)."""
    strong = (d for d in map(unicodedata.bidirectional, text) if d in ("L", "R", "AL"))
    return next(strong, "L") != "L"
