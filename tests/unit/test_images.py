"""Uploaded images: PNG size limits read from the header, SVGs cleaned of what runs or loads."""

from __future__ import annotations

import base64
from xml.etree import ElementTree

import pytest

from badgeservice.domain.images import (
    MAX_SIDE,
    ImageRejectedError,
    accept_image,
    clean_svg,
)
from tests.factories import SVG, big_png, make_png

SVG_NS = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"


def svg(body: str, root: str = "") -> bytes:
    return (
        f'<svg xmlns="{SVG_NS}" xmlns:xlink="{XLINK}" width="10" height="10"{root}>{body}</svg>'
    ).encode()


def everything(content: bytes) -> list[ElementTree.Element]:
    return list(ElementTree.fromstring(content).iter())


@pytest.mark.parametrize(("width", "height"), [(MAX_SIDE, 1), (1, MAX_SIDE)])
def test_png_at_the_limit_is_accepted(width: int, height: int) -> None:
    content = big_png(width, height)
    assert accept_image(content) == ("image/png", content)


@pytest.mark.parametrize(
    ("width", "height"), [(MAX_SIDE + 1, 1), (1, MAX_SIDE + 1), (13000, 13000)]
)
def test_png_over_the_limit_is_refused_naming_it(width: int, height: int) -> None:
    with pytest.raises(
        ImageRejectedError, match=f"{width}x{height} pixels; the limit is 4096x4096"
    ):
        accept_image(big_png(width, height))


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        '<script xlink:href="https://evil.example/x.js"/>',
        '<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>',
        '<h:script xmlns:h="http://www.w3.org/1999/xhtml">alert(1)</h:script>',
        '<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="https://evil.example/"/>',
        '<set attributeName="href" to="javascript:alert(1)"/>',
        '<animate attributeName="xlink:href" values="javascript:alert(1)"/>',
        '<set attributeName="onclick" to="alert(1)"/>',
    ],
)
def test_elements_that_run_or_load_are_removed(body: str) -> None:
    cleaned = clean_svg(svg(f'<circle r="4"/>{body}'))
    assert [e.tag.split("}")[-1] for e in everything(cleaned)] == ["svg", "circle"]
    assert b"alert" not in cleaned
    assert b"evil" not in cleaned


@pytest.mark.parametrize(
    ("element", "attributes"),
    [
        ("circle", 'onclick="alert(1)" onmouseover="alert(2)"'),
        ("a", 'href="javascript:alert(1)"'),
        ("a", 'xlink:href=" jAvA&#9;sCrIpT:alert(1)"'),
        ("a", 'href="https://evil.example/"'),
        ("image", 'href="https://evil.example/p.png"'),
        ("image", 'xlink:href="file:///etc/passwd"'),
        ("image", 'href="data:image/svg+xml;base64,PHN2Zy8+"'),
        ("use", 'href="https://evil.example/s.svg#a"'),
        ("circle", 'fill="url(https://evil.example/a.svg#g)"'),
        ("circle", "style=\"fill:url('https://evil.example/a')\""),
        ("circle", 'style="fill:u\\72l(https://evil.example/a)"'),
        ("circle", 'style="background:image-set(&quot;https://evil.example/a&quot; 1x)"'),
    ],
)
def test_handlers_and_external_references_are_removed(element: str, attributes: str) -> None:
    cleaned = clean_svg(svg(f"<{element} {attributes}/>", root=' onload="alert(0)"'))
    found = everything(cleaned)
    # an <image> or <use> without a reference left is removed
    kept = [] if element in ("image", "use") else [element]
    assert [e.tag.split("}")[-1] for e in found] == ["svg", *kept]
    for node in found:
        for name, value in node.attrib.items():
            assert not name.split("}")[-1].startswith("on")
            assert "evil" not in value
            assert "javascript" not in value.lower()
            assert "file:" not in value
            assert "data:image/svg" not in value


def test_style_sheets_lose_imports_and_external_urls_but_keep_fragments() -> None:
    style = "@import url(https://evil.example/a.css); .a{fill:url(#g)} .b{fill:url(http://e/x)}"
    kept = clean_svg(svg("<style>.a{fill:url(#g)} .b{fill:url(http://e/x)}</style>"))
    assert ElementTree.fromstring(kept)[0].text == ".a{fill:url(#g)} .b{fill:none}"
    dropped = clean_svg(svg(f"<style>{style}</style>"))
    assert not ElementTree.fromstring(dropped)[0].text


def test_fragments_small_data_images_and_metadata_are_kept() -> None:
    png = base64.b64encode(make_png(4, 4)).decode()
    body = (
        '<defs><linearGradient id="g"/></defs><use href="#g"/><rect fill="url(#g)"/>'
        f'<image xlink:href="data:image/png;base64,{png}"/>'
        '<metadata><dc:title xmlns:dc="http://purl.org/dc/elements/1.1/">Badge</dc:title></metadata>'
    )
    cleaned = ElementTree.fromstring(clean_svg(svg(body)))
    assert cleaned.find(f"{{{SVG_NS}}}use").get("href") == "#g"  # type: ignore[union-attr]
    image = cleaned.find(f"{{{SVG_NS}}}image")
    assert image is not None
    assert image.get(f"{{{XLINK}}}href") == f"data:image/png;base64,{png}"
    assert cleaned.find(".//{http://purl.org/dc/elements/1.1/}title") is not None


def test_data_images_over_the_size_limit_are_removed() -> None:
    data = base64.b64encode(big_png(MAX_SIDE + 1, 2)).decode()
    cleaned = clean_svg(svg(f'<image href="data:image/png;base64,{data}"/><circle r="1"/>'))
    assert [e.tag.split("}")[-1] for e in everything(cleaned)] == ["svg", "circle"]


def test_processing_instructions_and_comments_are_dropped() -> None:
    content = b'<?xml-stylesheet href="https://evil.example/x.css"?><!-- hi -->' + SVG
    cleaned = clean_svg(content)
    assert b"evil" not in cleaned
    assert b"<!--" not in cleaned
    assert b"<?" not in cleaned


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="' + SVG_NS.encode() + b'">&x;</svg>',
            "DOCTYPE",
        ),
        (
            b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
            "DOCTYPE",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><circle></svg>', "not well-formed"),
        (b"<svg><circle/></svg>", "not an SVG image"),
    ],
)
def test_svg_that_cannot_be_parsed_safely_is_refused(content: bytes, message: str) -> None:
    with pytest.raises(ImageRejectedError, match=message):
        accept_image(content)


def test_cleaning_is_stable() -> None:
    once = clean_svg(svg('<circle r="4" onclick="x()"/>'))
    assert clean_svg(once) == once


def use_bomb(levels: int) -> bytes:
    """Each level draws the one below ten times: 10**levels circles from a few hundred bytes."""
    groups = "".join(
        f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * 10 + "</g>" for i in range(1, levels + 1)
    )
    return svg(f'<defs><circle id="l0" r="1"/>{groups}</defs><use href="#l{levels}"/>')


def test_svg_drawing_too_many_elements_through_use_is_refused() -> None:
    assert clean_svg(use_bomb(3))  # about two thousand elements drawn: fine
    with pytest.raises(ImageRejectedError, match="more than 20000 elements"):
        clean_svg(use_bomb(9))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("<g>" * 200 + "</g>" * 200, "nested more than 100 levels deep"),
        ('<g id="a"><use href="#a"/></g>', "refers to itself"),
    ],
)
def test_svg_too_deep_or_self_referring_is_refused(body: str, message: str) -> None:
    with pytest.raises(ImageRejectedError, match=message):
        clean_svg(svg(body))
