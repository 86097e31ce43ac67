"""Baking: an OB 3.0 credential inside a PNG (``iTXt`` chunk) or an SVG element.

PNG: one uncompressed ``iTXt`` chunk, keyword ``openbadgecredential``, text = the credential
JSON or the compact JWS, placed before ``IEND``. SVG: an ``<openbadges:credential>`` element
(namespace ``https://purl.imsglobal.org/ob/v3p0``) right after the ``<svg>`` start tag, with the
JSON in CDATA or the JWS in a ``verify`` attribute. Re-baking replaces the credential.
The SVG is edited as text at offsets found by expat; a standard DOCTYPE is accepted (its
external DTD is never read), internal DTD subsets and entities are refused.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any, NoReturn
from xml.parsers import expat

from badgeservice.vc.errors import BakingError

__all__ = [
    "MAX_IMAGE_BYTES",
    "OB_NAMESPACE",
    "PNG_KEYWORD",
    "bake",
    "bake_png",
    "bake_svg",
    "unbake",
    "unbake_png",
    "unbake_svg",
]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
MAX_IMAGE_BYTES = 5 * 1024 * 1024
_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")

Credential = dict[str, Any] | str


def _credential_text(credential: Credential) -> str:
    if isinstance(credential, dict):
        return json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
    if isinstance(credential, str) and _JWS.match(credential.strip()):
        return credential.strip()
    raise BakingError("bake a credential object or a compact JWS", code="baking_credential_invalid")


def _parse_credential(text: str) -> Credential:
    """The baked payload: a JSON object (embedded proof) or a compact JWS string."""
    text = text.strip()
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise BakingError(
                "the baked JSON does not parse", code="baking_credential_invalid"
            ) from exc
        if isinstance(value, dict):
            return value
    elif _JWS.match(text):
        return text
    raise BakingError(
        "the baked text is neither JSON nor a compact JWS", code="baking_credential_invalid"
    )


def _check_size(image: bytes, max_bytes: int) -> None:
    if not isinstance(image, bytes | bytearray):
        raise BakingError("an image is bytes", code="baking_image_invalid")
    if len(image) > max_bytes:
        raise BakingError(
            f"the image is larger than {max_bytes} bytes", code="baking_image_too_large"
        )


# -- PNG ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Chunk:
    kind: bytes
    data: bytes

    def to_bytes(self) -> bytes:
        crc = zlib.crc32(self.kind + self.data)
        return struct.pack(">I", len(self.data)) + self.kind + self.data + struct.pack(">I", crc)


def _read_chunks(image: bytes) -> list[_Chunk]:
    """Every chunk, CRCs checked; IHDR first, IEND last, nothing after IEND.

    See: https://www.w3.org/TR/png-3/#5Chunk-layout
    """
    if not image.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG (bad signature)", code="png_signature_invalid")
    chunks, position = [], len(PNG_SIGNATURE)
    while position < len(image):
        if position + 12 > len(image):
            raise BakingError("truncated PNG chunk header", code="png_chunk_truncated")
        length, kind = struct.unpack(">I4s", image[position : position + 8])
        end = position + 12 + length
        if length > 0x7FFFFFFF or end > len(image):
            raise BakingError("truncated PNG chunk", code="png_chunk_truncated")
        data = image[position + 8 : end - 4]
        if struct.unpack(">I", image[end - 4 : end])[0] != zlib.crc32(kind + data):
            raise BakingError(f"bad CRC in PNG chunk {kind!r}", code="png_crc_invalid")
        chunks.append(_Chunk(kind, data))
        position = end
        if kind == b"IEND":
            break
    if (
        not chunks
        or chunks[0].kind != b"IHDR"
        or chunks[-1].kind != b"IEND"
        or position != len(image)
    ):
        raise BakingError(
            "PNG must start with IHDR and end with IEND", code="png_structure_invalid"
        )
    return chunks


def _itxt_keyword(chunk: _Chunk) -> bytes | None:
    return chunk.data.split(b"\0", 1)[0] if chunk.kind == b"iTXt" else None


def _itxt_text(chunk: _Chunk) -> str:
    """The text of an ``iTXt`` chunk (keyword, flags, language, translated keyword, text).

    See: https://www.w3.org/TR/png-3/#11iTXt
    """
    parts = chunk.data.split(b"\0", 1)
    rest = parts[1] if len(parts) == 2 else b""
    if len(rest) < 2:
        raise BakingError("malformed iTXt chunk", code="png_itxt_invalid")
    if rest[0] != 0:
        raise BakingError("the credential iTXt chunk is compressed", code="png_itxt_compressed")
    fields = rest[2:].split(b"\0", 2)
    if len(fields) != 3:
        raise BakingError("malformed iTXt chunk", code="png_itxt_invalid")
    try:
        return fields[2].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError("iTXt text is not UTF-8", code="png_itxt_invalid") from exc


def bake_png(image: bytes, credential: Credential, *, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
    """The PNG with one ``openbadgecredential`` iTXt chunk (replacing any) before ``IEND``.

    See: https://www.imsglobal.org/spec/ob/v3p0/#baking
    """
    _check_size(image, max_bytes)
    text = _credential_text(credential)
    chunks = [c for c in _read_chunks(bytes(image)) if _itxt_keyword(c) != PNG_KEYWORD]
    payload = PNG_KEYWORD + b"\0\0\0" + b"\0" + b"\0" + text.encode("utf-8")
    chunks.insert(len(chunks) - 1, _Chunk(b"iTXt", payload))
    return PNG_SIGNATURE + b"".join(chunk.to_bytes() for chunk in chunks)


def unbake_png(image: bytes, *, max_bytes: int = MAX_IMAGE_BYTES) -> Credential:
    """The credential in the first ``openbadgecredential`` iTXt chunk.

    See: https://www.imsglobal.org/spec/ob/v3p0/#baking
    """
    _check_size(image, max_bytes)
    for chunk in _read_chunks(bytes(image)):
        if _itxt_keyword(chunk) == PNG_KEYWORD:
            return _parse_credential(_itxt_text(chunk))
    raise BakingError(
        "the PNG carries no Open Badges 3.0 credential", code="baking_credential_missing"
    )


# -- SVG ---------------------------------------------------------------------------------------


@dataclass
class _SvgScan:
    """Where things are in an SVG: root start tag, namespace prefixes, credential element."""

    root_start: int = -1
    root_name: str = ""
    depth: int = 0
    prefixes: dict[str, str] = field(default_factory=dict)
    element_start: int = -1
    element_end: int = -1
    verify: str | None = None
    text: list[str] = field(default_factory=list)
    inside: bool = False


def _refuse_dtd(*_args: object) -> NoReturn:
    raise BakingError("SVG with a DTD or entities is refused", code="svg_dtd_refused")


def _check_doctype(
    _name: str, _system_id: str | None, _public_id: str | None, has_internal_subset: int
) -> None:
    """A standard ``<!DOCTYPE svg PUBLIC ... "...svg11.dtd">`` is fine: expat never reads the
    external DTD (parameter entity parsing is off and no external entity handler is set).
    An internal subset ``[...]`` can declare entities and default attributes: refused.

    See: https://www.w3.org/TR/xml/#NT-doctypedecl
    """
    if has_internal_subset:
        _refuse_dtd()


def _guarded_parser() -> expat.XMLParserType:
    """An expat parser that loads nothing external and refuses every entity: declared ones,
    and the ones it would skip because a DTD it never reads might define them (``&nbsp;``)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _check_doctype
    parser.EntityDeclHandler = _refuse_dtd
    parser.UnparsedEntityDeclHandler = _refuse_dtd
    parser.SkippedEntityHandler = _refuse_dtd
    parser.ExternalEntityRefHandler = _refuse_dtd
    return parser


def _scan_svg(data: bytes) -> _SvgScan:
    scan = _SvgScan()
    parser = _guarded_parser()

    def start_ns(prefix: str | None, uri: str) -> None:
        if scan.root_start < 0:
            scan.prefixes[prefix or ""] = uri

    def start(name: str, attributes: dict[str, str]) -> None:
        if scan.depth == 0:
            scan.root_start, scan.root_name = parser.CurrentByteIndex, name
        elif name == f"{OB_NAMESPACE} credential" and scan.element_start < 0:
            scan.element_start, scan.inside = parser.CurrentByteIndex, True
            scan.verify = attributes.get("verify")
        scan.depth += 1

    def end(name: str) -> None:
        scan.depth -= 1
        if scan.inside and name == f"{OB_NAMESPACE} credential":
            scan.inside = False
            scan.element_end = _element_end(data, scan.element_start, parser.CurrentByteIndex)

    def text(value: str) -> None:
        if scan.inside:
            scan.text.append(value)

    parser.StartNamespaceDeclHandler = start_ns
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise BakingError(f"the SVG is not well-formed XML: {exc}", code="svg_malformed") from exc
    if scan.root_name not in (f"{SVG_NAMESPACE} svg", "svg"):
        raise BakingError("the root element is not <svg>", code="svg_malformed")
    return scan


def _element_end(data: bytes, start: int, end_event: int) -> int:
    """Just past an element; expat reports an empty element's end right after its start tag."""
    start_end = _tag_end(data, start)
    return start_end if data[start_end - 2 : start_end] == b"/>" else _tag_end(data, end_event)


def _tag_end(data: bytes, start: int) -> int:
    """The offset just past the tag that begins at ``start`` (quotes respected)."""
    quote = 0
    for position in range(start, len(data)):
        byte = data[position]
        if quote:
            quote = 0 if byte == quote else quote
        elif byte in (0x22, 0x27):
            quote = byte
        elif byte == 0x3E:
            return position + 1
    raise BakingError("unterminated tag", code="svg_malformed")


def _svg_bytes(image: bytes, max_bytes: int) -> bytes:
    _check_size(image, max_bytes)
    data = bytes(image)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError("only UTF-8 SVG is supported", code="svg_malformed") from exc
    return data


def _credential_element(credential: Credential) -> str:
    text = _credential_text(credential)
    if isinstance(credential, str):
        return f'<openbadges:credential verify="{text}"/>'
    cdata = text.replace("]]>", "]]]]><![CDATA[>")
    return f"<openbadges:credential><![CDATA[{cdata}]]></openbadges:credential>"


def bake_svg(image: bytes, credential: Credential, *, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
    """The SVG with one ``<openbadges:credential>`` right after the ``<svg>`` start tag.

    See: https://www.imsglobal.org/spec/ob/v3p0/#baking
    """
    data = _svg_bytes(image, max_bytes)
    scan = _scan_svg(data)
    if scan.prefixes.get("openbadges", OB_NAMESPACE) != OB_NAMESPACE:
        raise BakingError(
            "the prefix 'openbadges' is bound elsewhere", code="svg_namespace_conflict"
        )
    if scan.element_start >= 0:
        data = data[: scan.element_start] + data[scan.element_end :]
    tag_end = _tag_end(data, scan.root_start)
    if data[tag_end - 2 : tag_end] == b"/>":
        raise BakingError("an empty <svg/> has nothing to bake into", code="svg_malformed")
    declaration = b""
    if "openbadges" not in scan.prefixes:
        declaration = f' xmlns:openbadges="{OB_NAMESPACE}"'.encode()
    element = _credential_element(credential).encode("utf-8")
    return data[: tag_end - 1] + declaration + b">" + element + data[tag_end:]


def unbake_svg(image: bytes, *, max_bytes: int = MAX_IMAGE_BYTES) -> Credential:
    """The credential in the first ``<openbadges:credential>``: ``verify`` attribute or CDATA.

    See: https://www.imsglobal.org/spec/ob/v3p0/#baking
    """
    scan = _scan_svg(_svg_bytes(image, max_bytes))
    if scan.element_start < 0:
        raise BakingError(
            "the SVG carries no Open Badges 3.0 credential", code="baking_credential_missing"
        )
    if scan.verify is not None:
        return _parse_credential(scan.verify)
    return _parse_credential("".join(scan.text))


def bake(image: bytes, credential: Credential, *, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
    """Bake into a PNG or an SVG, chosen by the image's first bytes."""
    if bytes(image[:8]) == PNG_SIGNATURE:
        return bake_png(image, credential, max_bytes=max_bytes)
    return bake_svg(image, credential, max_bytes=max_bytes)


def unbake(image_bytes: bytes, *, max_bytes: int = MAX_IMAGE_BYTES) -> Credential:
    """The baked credential of a PNG or SVG: a dict (embedded proof) or a compact JWS string.

    See: https://www.imsglobal.org/spec/ob/v3p0/#baking
    """
    if bytes(image_bytes[:8]) == PNG_SIGNATURE:
        return unbake_png(image_bytes, max_bytes=max_bytes)
    return unbake_svg(image_bytes, max_bytes=max_bytes)
