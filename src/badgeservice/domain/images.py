"""What an uploaded achievement image may be: a PNG or an SVG, small, and well-formed; a PNG
at most ``MAX_SIDE`` pixels each way, an SVG cleaned of everything that runs or loads.

An SVG is parsed with defusedxml (no DTD, no entities, no external references) and written
back without what a browser would run or fetch when the file is opened on its own (a baked
``.svg`` download is such a file): ``<script>``, ``<foreignObject>``, elements of other XML
vocabularies (XHTML runs scripts too), ``on…`` event attributes, ``javascript:`` values,
animations that set a link or a handler, every ``href`` that is not a ``#fragment`` (or, on an
``<image>``, a ``data:`` PNG, JPEG, GIF or WebP within the size limit; an ``<image>`` or
``<use>`` left without one goes), and in CSS ``@import`` and ``url(…)`` to anything but a
fragment (CSS with escapes, ``@font-face`` or ``image-set`` is dropped whole). Processing
instructions and comments are dropped. An SVG too costly to draw (too deep, or too many
elements once ``<use>`` references are expanded) is refused. The same cleaning runs again
before an image stored earlier is rasterised, printed or baked.

See: https://www.w3.org/TR/SVG2/interact.html#ScriptElement and
https://www.w3.org/TR/png-3/#11IHDR
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import struct
import zlib
from xml.etree import ElementTree

import defusedxml
import defusedxml.ElementTree
from PIL import Image as PillowImage

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_SIDE = 4096  # pixels, each way, for an uploaded PNG and a raster inside an SVG
MAX_SVG_ELEMENTS = 20_000  # with <use> expanded: about a second to draw at most
MAX_SVG_DEPTH = 100
PNG = "image/png"
SVG = "image/svg+xml"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# Vocabularies kept besides SVG: metadata that editors write and browsers never run.
KEPT_NAMESPACES = frozenset(
    {
        SVG_NS,
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://purl.org/dc/elements/1.1/",
        "http://creativecommons.org/ns#",
        "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://www.inkscape.org/namespaces/inkscape",
    }
)
REMOVED_ELEMENTS = frozenset({"script", "foreignObject", "handler", "listener"})
ANIMATIONS = frozenset({"set", "animate", "animateMotion", "animateTransform", "animateColor"})
IMAGE_ELEMENTS = frozenset({"image", "feImage"})
REFERRING_ELEMENTS = IMAGE_ELEMENTS | {"use"}
DATA_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp);base64,([A-Za-z0-9+/=\s]*)", re.I)
_CSS_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
# CSS that can load without url(…), or hide it behind escapes: dropped whole.
_CSS_REFUSED = re.compile(r"\\|@import|@font-face|image-set|cross-fade|image\(", re.IGNORECASE)
_IGNORED = re.compile(r"[\s\x00-\x1f]+")
ElementTree.register_namespace("xlink", XLINK_NS)
# Pillow refuses to open (DecompressionBombError) anything over twice this, wherever it runs.
PillowImage.MAX_IMAGE_PIXELS = MAX_SIDE * MAX_SIDE


class ImageRejectedError(ValueError):
    pass


def accept_image(content: bytes, max_bytes: int = MAX_IMAGE_BYTES) -> tuple[str, bytes]:
    """The media type of a valid PNG or SVG and the bytes to store (a PNG as it is, an SVG
    cleaned), or ``ImageRejectedError`` saying what is wrong."""
    if len(content) > max_bytes:
        raise ImageRejectedError(f"the image is larger than {max_bytes} bytes")
    if content.startswith(PNG_SIGNATURE):
        _check_png(content)
        return PNG, content
    if b"<svg" in content[:4096]:
        return SVG, clean_svg(content)
    raise ImageRejectedError("the image is neither a PNG nor an SVG")


def sniff_image(content: bytes, max_bytes: int = MAX_IMAGE_BYTES) -> str:
    """The media type of a valid PNG or SVG, or ``ImageRejectedError`` saying what is wrong."""
    return accept_image(content, max_bytes)[0]


def png_size(content: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR, read without decoding anything."""
    if not content.startswith(PNG_SIGNATURE) or content[12:16] != b"IHDR" or len(content) < 24:
        raise ImageRejectedError("the PNG does not start with IHDR")
    width, height = struct.unpack(">II", content[16:24])
    return int(width), int(height)


def within_limit(width: int, height: int) -> bool:
    return 0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE


def usable_png(content: bytes) -> bool:
    """Whether a stored PNG is within the size limit (read from its header): one stored before
    there was a limit is never decoded."""
    try:
        return within_limit(*png_size(content))
    except ImageRejectedError:
        return False


def _check_png(content: bytes) -> None:
    """Walk the chunks: lengths in bounds, CRCs right, IHDR first, IEND last; the size within
    ``MAX_SIDE`` (from the header: nothing is decoded).

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
        if first:
            width, height = png_size(content)
            if not within_limit(width, height):
                raise ImageRejectedError(
                    f"the PNG is {width}x{height} pixels; the limit is {MAX_SIDE}x{MAX_SIDE}"
                )
        if kind == b"IEND":
            return
        offset, first = end, False
    raise ImageRejectedError("the PNG has no IEND chunk")


# -- SVG ----------------------------------------------------------------------------------------


def clean_svg(content: bytes) -> bytes:
    """The SVG without scripts, handlers and external references (see the module docstring),
    as UTF-8; ``ImageRejectedError`` when it cannot be parsed safely or is no SVG."""
    try:
        root = defusedxml.ElementTree.fromstring(content, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise ImageRejectedError("SVG with a DOCTYPE or entities is refused") from exc
    except ElementTree.ParseError as exc:
        raise ImageRejectedError(f"the SVG is not well-formed XML: {exc}") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ImageRejectedError("the XML document is not an SVG image")
    _check_depth(root)
    _clean_element(root)
    _check_drawn_elements(root)
    for element in root.iter():  # SVG as the default namespace: plain <svg>, <circle>, …
        if element.tag.startswith(f"{{{SVG_NS}}}"):
            element.tag = _split(element.tag)[1]
    attributes = dict(root.attrib)
    root.attrib.clear()
    root.attrib.update({"xmlns": SVG_NS, **attributes})
    return ElementTree.tostring(root, encoding="unicode").encode()


def _check_depth(root: ElementTree.Element) -> None:
    """Refuse nesting deeper than ``MAX_SVG_DEPTH`` (walked without recursion)."""
    level: list[tuple[ElementTree.Element, int]] = [(root, 1)]
    while level:
        element, depth = level.pop()
        if depth > MAX_SVG_DEPTH:
            raise ImageRejectedError(f"the SVG is nested more than {MAX_SVG_DEPTH} levels deep")
        level.extend((child, depth + 1) for child in element)


def _check_drawn_elements(root: ElementTree.Element) -> None:
    """Refuse an SVG whose elements, with every ``<use>`` expanded, exceed
    ``MAX_SVG_ELEMENTS``: a few nested ``<use>`` can make a renderer draw billions."""
    by_id = {e.get("id"): e for e in root.iter() if e.get("id")}
    sizes: dict[int, int] = {}

    def size(element: ElementTree.Element, depth: int) -> int:
        if id(element) in sizes:
            return sizes[id(element)]
        if depth > MAX_SVG_DEPTH:  # only a <use> cycle gets here (nesting is checked)
            raise ImageRejectedError("the SVG has a <use> that refers to itself")
        total = 1 + sum(size(child, depth + 1) for child in element)
        if _split(element.tag)[1] == "use":
            href = element.get("href", element.get(f"{{{XLINK_NS}}}href", ""))
            target = by_id.get(href.strip()[1:])
            total += size(target, depth + 1) if target is not None else 0
        if total > MAX_SVG_ELEMENTS:
            raise ImageRejectedError(
                f"the SVG draws more than {MAX_SVG_ELEMENTS} elements (with <use> expanded)"
            )
        sizes[id(element)] = total
        return total

    size(root, 1)


def _split(tag: str) -> tuple[str, str]:
    namespace, _, local = tag.rpartition("}")
    return namespace.lstrip("{"), local


def _clean_element(element: ElementTree.Element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str) or not _kept(child):
            element.remove(child)  # comments and processing instructions are not str tags
        else:
            _clean_element(child)
    local = _split(element.tag)[1]
    for name, value in list(element.attrib.items()):
        cleaned = _clean_attribute(local, _split(name)[1].lower(), value)
        if cleaned is None:
            del element.attrib[name]
        else:
            element.attrib[name] = cleaned
    if local == "style" and element.text:
        element.text = _clean_css(element.text)


def _kept(element: ElementTree.Element) -> bool:
    namespace, local = _split(element.tag)
    if namespace not in KEPT_NAMESPACES or local in REMOVED_ELEMENTS:
        return False
    if local in ANIMATIONS:
        target = _split(element.get("attributeName", ""))[1].split(":")[-1].strip().lower()
        return target != "href" and not target.startswith("on")
    if local in REFERRING_ELEMENTS:  # pointless (and refused by some renderers) without one
        href = element.get("href", element.get(f"{{{XLINK_NS}}}href"))
        return href is not None and _clean_attribute(local, "href", href) is not None
    return True


def _clean_attribute(element: str, name: str, value: str) -> str | None:
    """The value to keep, or ``None`` to drop the attribute."""
    plain = _IGNORED.sub("", value).lower()
    if name.startswith("on") or "javascript:" in plain or "vbscript:" in plain:
        return None
    if name == "href":
        if value.strip().startswith("#"):
            return value
        return value if element in IMAGE_ELEMENTS and _small_data_image(value) else None
    if name == "style" or "url(" in plain:
        return _clean_css(value)
    return value


def _clean_css(css: str) -> str:
    if _CSS_REFUSED.search(css):
        return ""
    return _CSS_URL.sub(lambda m: m[0] if m[2].strip().startswith("#") else "none", css)


def _small_data_image(url: str) -> bool:
    """A base64 ``data:`` raster image that Pillow names and whose header is within the size
    limit (read lazily: nothing is decoded)."""
    match = DATA_IMAGE.fullmatch(url.strip())
    if match is None:
        return False
    try:
        data = base64.b64decode(_IGNORED.sub("", match[2]), validate=True)
        with PillowImage.open(io.BytesIO(data)) as image:
            return image.format in {"PNG", "JPEG", "GIF", "WEBP"} and within_limit(*image.size)
    except (binascii.Error, OSError, ValueError, PillowImage.DecompressionBombError):
        return False
