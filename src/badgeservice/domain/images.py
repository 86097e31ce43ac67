"""What an uploaded achievement image may be: a PNG or an SVG, small, and well-formed."""

from __future__ import annotations

import re
import struct
import zlib
from xml.etree import ElementTree

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_IMAGE_BYTES = 2 * 1024 * 1024
_SVG_NAMESPACE = "{http://www.w3.org/2000/svg}svg"
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class ImageRejectedError(ValueError):
    pass


def sniff_image(content: bytes, max_bytes: int = MAX_IMAGE_BYTES) -> str:
    """The media type of a valid PNG or SVG, or ``ImageRejectedError`` saying what is wrong."""
    if len(content) > max_bytes:
        raise ImageRejectedError(f"the image is larger than {max_bytes} bytes")
    if content.startswith(PNG_SIGNATURE):
        _check_png(content)
        return "image/png"
    if b"<svg" in content[:4096]:
        _check_svg(content)
        return "image/svg+xml"
    raise ImageRejectedError("the image is neither a PNG nor an SVG")


def _check_png(content: bytes) -> None:
    """Walk the chunks: lengths in bounds, CRCs right, IHDR first, IEND last.

    See: https://www.w3.org/TR/png-3/#5Chunk-layout
    """
    offset, first = len(PNG_SIGNATURE), True
    while offset + 12 <= len(content):
        (length,) = struct.unpack(">I", content[offset : offset + 4])
        kind = content[offset + 4 : offset + 8]
        end = offset + 12 + length
        if end > len(content):
            raise ImageRejectedError("the PNG is truncated")
        (crc,) = struct.unpack(">I", content[end - 4 : end])
        if zlib.crc32(content[offset + 4 : end - 4]) != crc:
            raise ImageRejectedError(f"the PNG chunk {kind!r} has a bad CRC")
        if first and kind != b"IHDR":
            raise ImageRejectedError("the PNG does not start with IHDR")
        if kind == b"IEND":
            return
        offset, first = end, False
    raise ImageRejectedError("the PNG has no IEND chunk")


def _check_svg(content: bytes) -> None:
    if _DTD.search(content):
        raise ImageRejectedError("SVG with a DOCTYPE or entities is refused")
    try:
        root = ElementTree.fromstring(content)  # noqa: S314 (DTDs refused above)
    except ElementTree.ParseError as exc:
        raise ImageRejectedError(f"the SVG is not well-formed XML: {exc}") from exc
    if root.tag != _SVG_NAMESPACE:
        raise ImageRejectedError("the XML document is not an SVG image")
