"""The pictures of a credential: its achievement image with the signed credential baked in
(PNG or SVG), a 1200x630 Open Graph share image, and a QR code of its public page.

The image baked is the one the credential names (``credentialSubject.achievement.image``), so a
later change of the achievement's image does not change an issued credential's picture. Only
an image we store (an uploaded PNG or SVG, named by its ``/images/{id}`` URL) is used as it is;
an external image URL is never fetched while answering a request (slow, gone or hostile), so
such credentials, and those without an image, get a generated badge: a coloured disc with the
achievement name, as SVG text or drawn with Pillow. The PNG of an SVG achievement (and its
share image) is the SVG drawn by resvg, after the same cleaning as at upload (nothing is loaded
from outside, fonts are the installed ones); the SVG of a PNG achievement embeds the PNG. A PNG
larger than the upload limit (stored before there was one) is never decoded: the generated badge
stands in for it. Everything is a pure function of the stored credential, the stored images and
the installed fonts, so rendered bytes are kept in a small in-process cache.
"""

from __future__ import annotations

import base64
import colorsys
import functools
import hashlib
import io
import json
import os
import struct
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast
from xml.sax.saxutils import escape, quoteattr

import resvg_py
import segno
from fontTools.ttLib import TTFont
from PIL import Image as PillowImage
from PIL import ImageDraw, ImageFont, ImageOps
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, Image
from badgeservice.domain.images import ImageRejectedError, clean_svg, png_size, within_limit
from badgeservice.domain.urls import ImageUrl, parse_own_url
from badgeservice.services import achievements
from badgeservice.vc import BakingError, bake

PNG = "image/png"
SVG = "image/svg+xml"
SHARE_SIZE = (1200, 630)
SHARE_BADGE = 440  # the badge's square on the share image
BADGE_SIZE = 512
CACHE_BYTES = 32 * 1024 * 1024
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
# Tried in order; the first that has a glyph for every character of the text is used.
# (Debian's fonts-noto-core, fonts-dejavu-core, fonts-liberation, fonts-noto-cjk file names.)
_BOLD_FONTS = [
    "NotoSans-Bold.ttf",
    "DejaVuSans-Bold.ttf",
    "LiberationSans-Bold.ttf",
    "NotoSansArabic-Bold.ttf",
    "NotoSansHebrew-Bold.ttf",
    "NotoSansDevanagari-Bold.ttf",
    "NotoSansCJK-Bold.ttc",
    "DroidSansFallbackFull.ttf",
]
_REGULAR_FONTS = [
    "NotoSans-Regular.ttf",
    "DejaVuSans.ttf",
    "LiberationSans-Regular.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansHebrew-Regular.ttf",
    "NotoSansDevanagari-Regular.ttf",
    "NotoSansCJK-Regular.ttc",
    "DroidSansFallbackFull.ttf",
]
_SVG_FONTS = "'Noto Sans', 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif"


@dataclass(frozen=True)
class BadgeImage:
    """An image ready to bake: ``generated`` when it is our badge, not the issuer's image."""

    content: bytes
    media_type: str
    generated: bool


@dataclass(frozen=True)
class BadgeFace:
    """What a generated badge shows."""

    name: str
    issuer_name: str
    seed: str


class _Cache:
    """A least-recently-used map of rendered bytes, bounded by their total size."""

    def __init__(self, max_bytes: int) -> None:
        self._items: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self._size, self._max_bytes = 0, max_bytes
        self._lock = threading.Lock()

    def get_or_make(self, key: tuple[str, ...], make: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        value = make()  # outside the lock: two threads may render the same bytes once each
        with self._lock:
            if key not in self._items and len(value) <= self._max_bytes:
                self._items[key] = value
                self._size += len(value)
                while self._size > self._max_bytes:
                    self._size -= len(self._items.popitem(last=False)[1])
        return value


_cache = _Cache(CACHE_BYTES)


# -- what a credential shows ------------------------------------------------------------------


def stored_credential(credential: Credential) -> dict[str, Any] | str:
    """What is baked: the compact VC-JWT of a jwt credential, else the signed JSON-LD."""
    return credential.jwt or cast(dict[str, Any], json.loads(credential.document))


def _achievement(document: dict[str, Any]) -> dict[str, Any]:
    subject = document.get("credentialSubject", {})
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement", {}) if isinstance(subject, dict) else {}
    return achievement if isinstance(achievement, dict) else {}


def _face(credential: Credential) -> BadgeFace:
    document = json.loads(credential.document)
    achievement, issuer = _achievement(document), document.get("issuer", {})
    issuer_name = issuer.get("name", "") if isinstance(issuer, dict) else ""
    name = achievement.get("name")
    return BadgeFace(
        name=name if isinstance(name, str) else "",
        issuer_name=issuer_name if isinstance(issuer_name, str) else "",
        seed=str(achievement.get("id") or credential.achievement_id),
    )


def _stored_image(session: Session, credential: Credential, base_url: str) -> Image | None:
    """The uploaded image the credential names, if it is ours and its issuer's."""
    image = _achievement(json.loads(credential.document)).get("image")
    url = image.get("id") if isinstance(image, dict) else image
    own = parse_own_url(base_url, url) if isinstance(url, str) else None
    if not isinstance(own, ImageUrl):
        return None
    stored = achievements.find_image(session, own.image_id)
    return stored if stored is not None and stored.issuer_id == credential.issuer_id else None


def badge_image(
    session: Session, credential: Credential, media_type: str, base_url: str
) -> BadgeImage:
    """The unbaked image for ``image/png`` or ``image/svg+xml``: the issuer's (an SVG cleaned,
    drawn for a PNG; a PNG as it is, embedded for an SVG), else the generated badge."""
    stored = _stored_image(session, credential, base_url)
    content: bytes | None = None
    if stored is not None and stored.media_type == PNG and usable_png(stored.content):
        content = stored.content if media_type == PNG else svg_embedding_png(stored.content)
    elif stored is not None and stored.media_type == SVG:
        content = _clean(stored.content)
        if content is not None and media_type == PNG:
            content = rasterised(content, BADGE_SIZE)
    if content is None:
        return _generated(_face(credential), media_type)
    return BadgeImage(content, media_type, generated=False)


def _generated(face: BadgeFace, media_type: str) -> BadgeImage:
    return BadgeImage(
        (generated_svg if media_type == SVG else generated_png)(face), media_type, True
    )


def baked_image(session: Session, credential: Credential, media_type: str, base_url: str) -> bytes:
    """The image with the stored credential baked in; an issuer's image that cannot carry it
    (say an SVG in another encoding) is replaced by the generated badge."""

    def make() -> bytes:
        image = badge_image(session, credential, media_type, base_url)
        signed = stored_credential(credential)
        try:
            return bake(image.content, signed)
        except BakingError:
            if image.generated:
                raise
            return bake(_generated(_face(credential), media_type).content, signed)

    return _cache.get_or_make((str(credential.id), credential.sha256, media_type), make)


def share_image(session: Session, credential: Credential, base_url: str) -> bytes:
    """The 1200x630 Open Graph image: the badge beside the achievement name and issuer."""

    def make() -> bytes:
        stored, picture = _stored_image(session, credential, base_url), None
        if stored is not None and stored.media_type == PNG and usable_png(stored.content):
            picture = _open_png(stored.content)
        elif stored is not None and stored.media_type == SVG:
            svg = _clean(stored.content)
            png = rasterised(svg, SHARE_BADGE) if svg is not None else None
            picture = _open_png(png) if png is not None else None
        return render_share(_face(credential), picture)

    return _cache.get_or_make((str(credential.id), credential.sha256, "share"), make)


@functools.lru_cache(maxsize=256)
def qr_svg(url: str) -> bytes:
    """A QR code (error correction M) of ``url`` as an SVG, dark on white."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=5, border=4, dark="#000", light="#fff", xmldecl=False, title=url
    )
    return buffer.getvalue()


# -- SVG ----------------------------------------------------------------------------------------


def _clean(svg: bytes) -> bytes | None:
    try:
        return clean_svg(svg)
    except ImageRejectedError:
        return None


def rasterised(svg: bytes, size: int) -> bytes | None:
    """A cleaned SVG drawn by resvg to fit a ``size`` square, as PNG; ``None`` when resvg
    cannot draw it. Hrefs are fragments or data images by then, so nothing is read from
    files or the network; text uses the installed fonts only."""
    try:
        png = resvg_py.svg_to_bytes(
            svg_string=svg.decode("utf-8"),
            width=size,
            height=size,
            skip_system_fonts=True,
            font_dirs=[str(d) for d in FONT_DIRS if d.is_dir()],
        )
    except (ValueError, UnicodeDecodeError):
        return None
    return bytes(png)


def svg_embedding_png(png: bytes) -> bytes:
    """An SVG showing ``png`` at its own size (a ``data:`` image), to bake the SVG form into."""
    width, height = struct.unpack(">II", png[16:24])  # IHDR, right after the signature
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><image width="{width}" height="{height}" '
        f'href="data:image/png;base64,{data}"/></svg>'
    ).encode()


def generated_svg(face: BadgeFace) -> bytes:
    """The generated badge as SVG text (the viewer's fonts draw the name)."""
    red, green, blue = _colour(face.seed)
    size, title_size, line_height = BADGE_SIZE, 40, 48
    lines = _wrap(face.name, lambda s: _svg_width(s, title_size) <= 340, 4)
    top = 236 - (len(lines) - 1) * line_height / 2
    texts = [
        f'<text x="256" y="{top + i * line_height:g}" dominant-baseline="central" '
        f'font-size="{title_size}" font-weight="bold">{escape(line)}</text>'
        for i, line in enumerate(lines)
    ]
    issuer = _wrap(face.issuer_name, lambda s: _svg_width(s, 22) <= 280, 1)[0]
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


# -- PNG ----------------------------------------------------------------------------------------


def generated_png(face: BadgeFace, size: int = BADGE_SIZE) -> bytes:
    """The generated badge drawn with Pillow, in 64 colours (a flat picture: about 14 KB)."""
    badge = _draw_badge(face, size)
    return _png_bytes(badge.quantize(colors=64, method=PillowImage.Quantize.FASTOCTREE))


def _draw_badge(face: BadgeFace, size: int) -> PillowImage.Image:
    """The badge at ``size`` pixels; drawn at twice the size and reduced, for smooth edges."""
    scale = 2 * size / BADGE_SIZE
    image = PillowImage.new("RGBA", (2 * size, 2 * size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse([(256 - 248) * scale] * 2 + [(256 + 248) * scale] * 2, fill=_colour(face.seed))
    ring, width = [(256 - 226) * scale] * 2 + [(256 + 226) * scale] * 2, round(6 * scale)
    draw.ellipse(ring, outline=(255, 255, 255, 180), width=width)
    title, lines = _fitted(face.name, (round(40 * scale),), 340 * scale, 4)
    top = 236 - (len(lines) - 1) * 24
    for i, line in enumerate(lines):
        draw.text((256 * scale, (top + i * 48) * scale), line, font=title, fill="#fff", anchor="mm")
    small = _font(face.issuer_name, round(22 * scale), bold=False)
    issuer = _wrap(face.issuer_name, functools.partial(_fits, small, 280 * scale), 1)[0]
    draw.text((256 * scale, 400 * scale), issuer, font=small, fill="#fff", anchor="mm")
    return image.resize((size, size), PillowImage.Resampling.LANCZOS)


def render_share(face: BadgeFace, picture: PillowImage.Image | None) -> bytes:
    """Badge (the issuer's PNG, else the generated one) on one side, the name on the other;
    mirrored for a right-to-left name."""
    width, height = SHARE_SIZE
    canvas = PillowImage.new("RGB", SHARE_SIZE, (246, 247, 249))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, height - 16, width, height), fill=_colour(face.seed))
    rtl = _is_rtl(face.name)
    box = SHARE_BADGE
    badge = ImageOps.contain(picture, (box, box)) if picture else _draw_badge(face, box)
    left = (width - 70 - box if rtl else 70) + (box - badge.width) // 2
    canvas.paste(badge, (left, (height - badge.height) // 2), badge)
    title, lines = _fitted(face.name, (64, 52, 44), 560, 3)
    step = round(title.size * 1.22)
    small = _font(face.issuer_name, 34, bold=False)
    issuer = _wrap(face.issuer_name, functools.partial(_fits, small, 560), 1)[0]
    x, anchor = (630, "ra") if rtl else (570, "la")
    y = (height - len(lines) * step - 64) // 2
    for i, line in enumerate(lines):
        draw.text((x, y + i * step), line, font=title, fill=(17, 17, 17), anchor=anchor)
    draw.text((x, y + len(lines) * step + 24), issuer, font=small, fill=(68, 68, 68), anchor=anchor)
    return _png_bytes(canvas)


def usable_png(content: bytes) -> bool:
    """Whether a stored PNG is within the upload limit (read from its header)."""
    try:
        return within_limit(*png_size(content))
    except ImageRejectedError:
        return False


def _open_png(content: bytes) -> PillowImage.Image | None:
    """The PNG as RGBA, or ``None`` when Pillow cannot (or should not) decode it."""
    try:
        with PillowImage.open(io.BytesIO(content), formats=["PNG"]) as image:
            if not within_limit(*image.size):  # the header only: nothing is decoded yet
                return None
            return image.convert("RGBA")
    except (OSError, ValueError, SyntaxError, PillowImage.DecompressionBombError):
        return None


def _png_bytes(image: PillowImage.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")  # optimize=True: 3-4x the time for 2% fewer bytes
    return buffer.getvalue()


# -- text -----------------------------------------------------------------------------------------


def _wrap(text: str, fits: Callable[[str], bool], max_lines: int) -> list[str]:
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


def _fitted(
    text: str, sizes: tuple[int, ...], width: float, max_lines: int
) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The bold font of the largest size at which ``text`` fits in ``max_lines`` lines."""
    for size in sizes:
        font = _font(text, size, bold=True)
        lines = _wrap(text, functools.partial(_fits, font, width), max_lines + 1)
        if len(lines) <= max_lines:
            return font, lines
    return font, _wrap(text, functools.partial(_fits, font, width), max_lines)


def _fits(font: ImageFont.FreeTypeFont, width: float, text: str) -> bool:
    return font.getlength(text) <= width


def _is_rtl(text: str) -> bool:
    """Whether the first strong character is right-to-left (Arabic, Hebrew, …)."""
    strong = (d for d in map(unicodedata.bidirectional, text) if d in ("L", "R", "AL"))
    return next(strong, "L") != "L"


def _colour(seed: str) -> tuple[int, int, int]:
    """A dark colour (white text on it passes WCAG AA) chosen by the achievement id."""
    hue = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:2], "big") / 65536
    red, green, blue = colorsys.hls_to_rgb(hue, 0.28, 0.55)
    return round(red * 255), round(green * 255), round(blue * 255)


def _font(text: str, size: int, *, bold: bool) -> ImageFont.FreeTypeFont:
    """The first installed font with a glyph for every character, else the one with the most;
    Pillow's own font when none is installed. Loaded per use: FreeType faces are not
    shared between threads."""
    needed = {ord(c) for c in text if not c.isspace()}
    files = _font_files()
    best: tuple[int, Path] | None = None
    for name in _BOLD_FONTS if bold else _REGULAR_FONTS:
        path = files.get(name)
        if path is None:
            continue
        covered = len(needed & _coverage(path))
        if covered == len(needed):
            return ImageFont.truetype(path, size, index=0)
        if best is None or covered > best[0]:
            best = (covered, path)
    if best is not None and best[0] > 0:
        return ImageFont.truetype(best[1], size, index=0)
    return ImageFont.load_default(size)  # type: ignore[return-value]  # FreeType is built in


@functools.cache
def _font_files() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for root in FONT_DIRS:
        for directory, _dirs, names in os.walk(root):
            for name in names:
                found.setdefault(name, Path(directory) / name)
    return found


@functools.cache
def _coverage(path: Path) -> frozenset[int]:
    try:
        with TTFont(path, fontNumber=0, lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception:  # a broken font file is skipped, whatever fontTools raises
        return frozenset()
