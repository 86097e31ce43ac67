"""The 1200x630 Open Graph share image: the badge beside the achievement name and issuer."""

from __future__ import annotations

import functools
import io

from PIL import Image as PillowImage
from PIL import ImageDraw, ImageOps

from badgeservice.domain.images import within_limit
from badgeservice.render.badge import BadgeFace, colour, draw_badge, png_bytes
from badgeservice.render.fonts import pillow_font
from badgeservice.render.text import fits, fitted, is_rtl, wrap

SHARE_SIZE = (1200, 630)
SHARE_BADGE = 440  # the badge's square on the share image


def render_share(face: BadgeFace, picture: PillowImage.Image | None) -> bytes:
    """Badge (the issuer's PNG, else the generated one) on one side, the name on the other;
    mirrored for a right-to-left name."""
    width, height = SHARE_SIZE
    canvas = PillowImage.new("RGB", SHARE_SIZE, (246, 247, 249))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, height - 16, width, height), fill=colour(face.seed))
    rtl = is_rtl(face.name)
    box = SHARE_BADGE
    badge = ImageOps.contain(picture, (box, box)) if picture else draw_badge(face, box)
    left = (width - 70 - box if rtl else 70) + (box - badge.width) // 2
    canvas.paste(badge, (left, (height - badge.height) // 2), badge)
    title, lines = fitted(face.name, (64, 52, 44), 560, 3)
    step = round(title.size * 1.22)
    small = pillow_font(face.issuer_name, 34, bold=False)
    issuer = wrap(face.issuer_name, functools.partial(fits, small, 560), 1)[0]
    x, anchor = (630, "ra") if rtl else (570, "la")
    y = (height - len(lines) * step - 64) // 2
    for i, line in enumerate(lines):
        draw.text((x, y + i * step), line, font=title, fill=(17, 17, 17), anchor=anchor)
    draw.text((x, y + len(lines) * step + 24), issuer, font=small, fill=(68, 68, 68), anchor=anchor)
    return png_bytes(canvas)


def open_png(content: bytes) -> PillowImage.Image | None:
    """The PNG as RGBA, or ``None`` when Pillow cannot (or should not) decode it."""
    try:
        with PillowImage.open(io.BytesIO(content), formats=["PNG"]) as image:
            if not within_limit(*image.size):  # the header only: nothing is decoded yet
                return None
            return image.convert("RGBA")
    except (OSError, ValueError, SyntaxError, PillowImage.DecompressionBombError):
        return None
