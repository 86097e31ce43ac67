"""QR codes of public pages as SVG (the certificate draws its own as vector squares)."""

from __future__ import annotations

import functools
import io

import segno


@functools.lru_cache(maxsize=256)
def qr_svg(url: str) -> bytes:
    """A QR code (error correction M) of ``url`` as an SVG, dark on white."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=5, border=4, dark="#000", light="#fff", xmldecl=False, title=url
    )
    return buffer.getvalue()
