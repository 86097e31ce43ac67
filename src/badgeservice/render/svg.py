"""SVG to PNG with resvg, and a PNG wrapped in an SVG."""

from __future__ import annotations

import base64
import struct

import resvg_py

from badgeservice.render.fonts import font_dirs


def rasterised(svg: bytes, size: int) -> bytes | None:
    """A cleaned SVG drawn by resvg to fit a ``size`` square, as PNG; ``None`` when resvg
    cannot draw it. Hrefs are fragments or data images by then, so nothing is read from
    files or the network; text uses the fonts of ``render.fonts`` only (system fonts are
    skipped, the packages' and the system font folders are given)."""
    try:
        png = resvg_py.svg_to_bytes(
            svg_string=svg.decode("utf-8"),
            width=size,
            height=size,
            skip_system_fonts=True,
            font_dirs=font_dirs(),
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
