"""The generated badge: a coloured disc with the achievement name and the issuer, as SVG text
(the viewer's fonts draw it) or drawn with Pillow in the fonts of ``render.fonts``."""

from __future__ import annotations

import colorsys
import functools
import hashlib
import io
import unicodedata
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from PIL import Image as PillowImage
from PIL import ImageDraw

from badgeservice.render.fonts import pillow_font
from badgeservice.render.text import fits, fitted, wrap

BADGE_SIZE = 512
_SVG_FONTS = "'Noto Sans', 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"


@dataclass(frozen=True)
class BadgeFace:
    """What a generated badge shows."""

    name: str
    issuer_name: str
    seed: str


def generated_svg(face: BadgeFace) -> bytes:
    """The generated badge as SVG text (the viewer's fonts draw the name)."""
    red, green, blue = colour(face.seed)
    size, title_size, line_height = BADGE_SIZE, 40, 48
    lines = wrap(face.name, lambda s: _svg_width(s, title_size) <= 340, 4)
    top = 236 - (len(lines) - 1) * line_height / 2
    texts = [
        f'<text x="256" y="{top + i * line_height:g}" dominant-baseline="central" '
        f'font-size="{title_size}" font-weight="bold">{escape(line)}</text>'
        for i, line in enumerate(lines)
    ]
    issuer = wrap(face.issuer_name, lambda s: _svg_width(s, 22) <= 280, 1)[0]
    label = quoteattr(face.name)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}" role="img" aria-label={label}>'
        f"<title>{escape(face.name)}</title>"
        f'<circle cx="256" cy="256" r="248" fill="#{red:02x}{green:02x}{blue:02x}"/>'
        '<circle cx="256" cy="256" r="226" fill="none" stroke="#fff" stroke-opacity="0.7" '
        'stroke-width="6"/>'
        f'<g fill="#fff" text-anchor="middle" font-family="{_SVG_FONTS}">{"".join(texts)}'
        '<text x="256" y="400" dominant-baseline="central" font-size="22">'
        f"{escape(issuer)}</text></g></svg>"
    ).encode()


def _svg_width(text: str, size: int) -> float:
    """A guess at the drawn width: wide (CJK) characters count 1 em, others 0.6 em."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text) * size


def generated_png(face: BadgeFace, size: int = BADGE_SIZE) -> bytes:
    """The generated badge drawn with Pillow, in 64 colours (a flat picture: about 14 KB)."""
    badge = draw_badge(face, size)
    return png_bytes(badge.quantize(colors=64, method=PillowImage.Quantize.FASTOCTREE))


def draw_badge(face: BadgeFace, size: int) -> PillowImage.Image:
    """The badge at ``size`` pixels; drawn at twice the size and reduced, for smooth edges."""
    scale = 2 * size / BADGE_SIZE
    image = PillowImage.new("RGBA", (2 * size, 2 * size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse([(256 - 248) * scale] * 2 + [(256 + 248) * scale] * 2, fill=colour(face.seed))
    ring, width = [(256 - 226) * scale] * 2 + [(256 + 226) * scale] * 2, round(6 * scale)
    draw.ellipse(ring, outline=(255, 255, 255, 180), width=width)
    title, lines = fitted(face.name, (round(40 * scale),), 340 * scale, 4)
    top = 236 - (len(lines) - 1) * 24
    for i, line in enumerate(lines):
        draw.text((256 * scale, (top + i * 48) * scale), line, font=title, fill="#fff", anchor="mm")
    small = pillow_font(face.issuer_name, round(22 * scale), bold=False)
    issuer = wrap(face.issuer_name, functools.partial(fits, small, 280 * scale), 1)[0]
    draw.text((256 * scale, 400 * scale), issuer, font=small, fill="#fff", anchor="mm")
    return image.resize((size, size), PillowImage.Resampling.LANCZOS)


def colour(seed: str) -> tuple[int, int, int]:
    """A dark colour (white text on it passes WCAG AA) chosen by the achievement id."""
    hue = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:2], "big") / 65536
    red, green, blue = colorsys.hls_to_rgb(hue, 0.28, 0.55)
    return round(red * 255), round(green * 255), round(blue * 255)


def png_bytes(image: PillowImage.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")  # optimize=True: 3-4x the time for 2% fewer bytes
    return buffer.getvalue()
