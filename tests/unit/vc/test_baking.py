"""Baking: PNG iTXt and SVG element, bake/unbake/re-bake, refusals with stable codes."""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any

import pytest

from badgeservice.vc.baking import (
    bake,
    bake_png,
    bake_svg,
    unbake,
    unbake_png,
    unbake_svg,
)
from badgeservice.vc.errors import BakingError

CREDENTIAL: dict[str, Any] = {
    "id": "urn:uuid:1",
    "name": "Café ]]> <b>&amp;",
    "type": ["VerifiableCredential"],
}
JWS = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln"
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="1" data-x="a>b"><rect/></svg>'
)


def chunk(kind: bytes, data: bytes, crc: int | None = None) -> bytes:
    value = zlib.crc32(kind + data) if crc is None else crc
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", value)


def png(*extra: bytes) -> bytes:
    header = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    body = chunk(b"IDAT", zlib.compress(b"\0\0"))
    return b"\x89PNG\r\n\x1a\n" + header + body + b"".join(extra) + chunk(b"IEND", b"")


def chunk_kinds(image: bytes) -> list[bytes]:
    kinds, position = [], 8
    while position < len(image):
        (length,) = struct.unpack(">I", image[position : position + 4])
        kinds.append(image[position + 4 : position + 8])
        position += 12 + length
    return kinds


@pytest.mark.parametrize("credential", [CREDENTIAL, JWS])
def test_png_bakes_one_uncompressed_itxt_chunk_before_iend(credential: Any) -> None:
    baked = bake_png(png(), credential)
    assert chunk_kinds(baked) == [b"IHDR", b"IDAT", b"iTXt", b"IEND"]
    assert b"openbadgecredential\x00\x00\x00\x00\x00" in baked
    assert unbake_png(baked) == credential
    assert unbake(baked) == credential


def test_png_rebaking_replaces_the_credential() -> None:
    baked = bake(bake(png(), CREDENTIAL), JWS)
    assert chunk_kinds(baked).count(b"iTXt") == 1
    assert unbake(baked) == JWS


def test_png_keeps_other_text_chunks() -> None:
    other = chunk(b"iTXt", b"Comment\x00\x00\x00\x00\x00hello")
    baked = bake_png(png(other), CREDENTIAL)
    assert chunk_kinds(baked).count(b"iTXt") == 2
    assert unbake(baked) == CREDENTIAL


def _itxt(flag: int, text: bytes) -> bytes:
    return chunk(b"iTXt", b"openbadgecredential\x00" + bytes([flag, 0]) + b"\x00\x00" + text)


@pytest.mark.parametrize(
    ("image", "code"),
    [
        (b"GIF89a" + b"\0" * 20, "svg_malformed"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 5, "png_chunk_truncated"),
        (png()[:-3], "png_chunk_truncated"),
        (png()[:8] + chunk(b"IHDR", b"\0" * 13, crc=1) + chunk(b"IEND", b""), "png_crc_invalid"),
        (png()[:8] + chunk(b"IDAT", b"") + chunk(b"IEND", b""), "png_structure_invalid"),
        (png() + b"trailing", "png_structure_invalid"),
        (png()[:-12], "png_structure_invalid"),
        (png(), "baking_credential_missing"),
        (png(_itxt(1, zlib.compress(b"{}"))), "png_itxt_compressed"),
        (png(chunk(b"iTXt", b"openbadgecredential\x00\x00")), "png_itxt_invalid"),
        (png(chunk(b"iTXt", b"openbadgecredential")), "png_itxt_invalid"),
        (png(_itxt(0, b"\xff\xfe")), "png_itxt_invalid"),
        (png(_itxt(0, b"{not json")), "baking_credential_invalid"),
        (png(_itxt(0, b"[1, 2]")), "baking_credential_invalid"),
        (png(_itxt(0, b"just text")), "baking_credential_invalid"),
        (b"\0" * 2048, "svg_malformed"),
    ],
)
def test_unbake_refuses_bad_images(image: bytes, code: str) -> None:
    with pytest.raises(BakingError) as info:
        unbake(image)
    assert info.value.code == code


@pytest.mark.parametrize("baker", [bake_png, bake_svg])
def test_bake_refuses_images_over_the_size_cap(baker: Any) -> None:
    image = png() if baker is bake_png else SVG
    with pytest.raises(BakingError) as info:
        baker(image, CREDENTIAL, max_bytes=len(image) - 1)
    assert info.value.code == "baking_image_too_large"


@pytest.mark.parametrize("credential", ["not a jws", 42, ["x"]])
def test_bake_refuses_what_is_not_a_credential(credential: Any) -> None:
    with pytest.raises(BakingError) as info:
        bake(png(), credential)
    assert info.value.code == "baking_credential_invalid"


def test_bake_refuses_what_is_not_bytes() -> None:
    with pytest.raises(BakingError) as info:
        unbake_png("text")  # type: ignore[arg-type]
    assert info.value.code == "baking_image_invalid"


def test_svg_bakes_json_in_cdata_right_after_the_svg_start_tag() -> None:
    baked = bake_svg(SVG, CREDENTIAL)
    text = baked.decode()
    assert (
        'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential><![CDATA[{'
        in text
    )
    assert text.endswith("</openbadges:credential><rect/></svg>")
    assert unbake_svg(baked) == CREDENTIAL
    assert unbake(baked) == CREDENTIAL


def test_svg_bakes_a_jws_in_the_verify_attribute() -> None:
    baked = bake_svg(SVG, JWS)
    assert f'<openbadges:credential verify="{JWS}"/><rect/>' in baked.decode()
    assert unbake(baked) == JWS


@pytest.mark.parametrize("sequence", [[CREDENTIAL, JWS], [JWS, CREDENTIAL], [JWS, JWS, CREDENTIAL]])
def test_svg_rebaking_replaces_the_credential(sequence: list[Any]) -> None:
    baked = SVG
    for credential in sequence:
        baked = bake(baked, credential)
    text = baked.decode()
    assert text.count("openbadges:credential") in (1, 2)
    assert text.count("xmlns:openbadges") == 1
    assert text.endswith("<rect/></svg>")
    assert unbake(baked) == sequence[-1]


def test_svg_reuses_an_existing_openbadges_declaration() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"/>'
    svg = svg.replace(b"/>", b"><g/></svg>")
    assert bake_svg(svg, JWS).decode().count("xmlns:openbadges") == 1


def test_svg_unbakes_an_element_under_another_prefix() -> None:
    plain = {"id": "urn:uuid:2"}
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0"><ob:credential><![CDATA[{json.dumps(plain)}]]></ob:credential></svg>'
    assert unbake(svg.encode()) == plain


@pytest.mark.parametrize(
    ("svg", "code"),
    [
        (
            b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
            "svg_dtd_refused",
        ),
        (b'<!DOCTYPE svg SYSTEM "http://example.com/x.dtd" [ ]><svg/>', "svg_dtd_refused"),
        (b"<svg><rect></svg>", "svg_malformed"),
        (b'<html xmlns="http://www.w3.org/1999/xhtml"/>', "svg_malformed"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "svg_malformed"),
        ('<svg xmlns="http://www.w3.org/2000/svg">é</svg>'.encode("latin-1"), "svg_malformed"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="urn:other"><g/></svg>',
            "svg_namespace_conflict",
        ),
    ],
)
def test_bake_svg_refuses_unsafe_or_malformed_svg(svg: bytes, code: str) -> None:
    with pytest.raises(BakingError) as info:
        bake_svg(svg, JWS)
    assert info.value.code == code


@pytest.mark.parametrize(
    ("svg", "code"),
    [
        (SVG, "baking_credential_missing"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><openbadges:credential'
            b' xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0" verify="nope"/></svg>',
            "baking_credential_invalid",
        ),
    ],
)
def test_unbake_svg_refuses_svgs_without_a_credential(svg: bytes, code: str) -> None:
    with pytest.raises(BakingError) as info:
        unbake_svg(svg)
    assert info.value.code == code


SVG11_DOCTYPE = (
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"'
    b' "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
)
SVG_BODY = b'<svg xmlns="http://www.w3.org/2000/svg" width="1"><rect/></svg>'


@pytest.mark.parametrize(
    "doctype",
    [
        SVG11_DOCTYPE,
        b'<!DOCTYPE svg SYSTEM "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
        b"<!DOCTYPE svg>",
    ],
    ids=["public", "system-only", "bare"],
)
@pytest.mark.parametrize("credential", [CREDENTIAL, JWS], ids=["json", "jwt"])
def test_svg_with_a_standard_doctype_bakes_and_unbakes(doctype: bytes, credential: Any) -> None:
    image = b'<?xml version="1.0" encoding="UTF-8"?>\n' + doctype + b"\n" + SVG_BODY
    baked = bake_svg(image, credential)
    assert baked.startswith(image[: image.index(b"<svg")])
    assert unbake(baked) == credential


@pytest.mark.parametrize(
    "doctype",
    [
        b"<!DOCTYPE svg [ ]>",
        b'<!DOCTYPE svg [<!ENTITY name "Mallory">]>',
        b'<!DOCTYPE svg SYSTEM "x.dtd" [<!ATTLIST svg data-x CDATA "y">]>',
        SVG11_DOCTYPE[:-1] + b' [<!ENTITY % ext SYSTEM "http://127.0.0.1/x.dtd"> %ext;]>',
    ],
    ids=["empty-internal-subset", "entity", "system-with-subset", "parameter-entity"],
)
def test_svg_with_an_internal_dtd_subset_is_refused(doctype: bytes) -> None:
    image = doctype + SVG_BODY.replace(b"<rect/>", b"<title>x</title>")
    with pytest.raises(BakingError) as info:
        unbake_svg(bake_svg_unchecked(image))
    assert info.value.code == "svg_dtd_refused"


def bake_svg_unchecked(image: bytes) -> bytes:
    """A credential element written by hand (bake_svg itself refuses these images)."""
    element = (
        b'<openbadges:credential xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"'
        b' verify="' + JWS.encode() + b'"/>'
    )
    return image.replace(b"<title>", element + b"<title>")


def test_entity_that_only_an_unread_external_dtd_could_define_is_refused() -> None:
    image = SVG11_DOCTYPE + SVG_BODY.replace(b"<rect/>", b"<title>&nbsp;</title>")
    with pytest.raises(BakingError) as info:
        unbake_svg(bake_svg_unchecked(image))
    assert info.value.code == "svg_dtd_refused"


def test_external_dtd_is_never_fetched() -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    hits: list[str] = []

    class Dtd(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            body = b'<!ENTITY who "Mallory"><!ATTLIST svg onload CDATA "alert(1)">'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Dtd)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/evil.dtd".encode()
        doctype = b'<!DOCTYPE svg PUBLIC "-//Evil//DTD" "' + url + b'">'
        plain = bake_svg(doctype + SVG_BODY, CREDENTIAL)
        assert unbake(plain) == CREDENTIAL
        assert b"onload" not in plain
        with pytest.raises(BakingError):
            unbake_svg(plain.replace(b"<rect/>", b"<title>&who;</title>"))
    finally:
        server.shutdown()
    assert hits == []
