"""``render.bar_chart``: SVG that parses as XML, every text escaped, hidden values drawn as an
outline up to the ceiling (never their size), right-to-left charts mirrored."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from badgeservice.render.bar_chart import WIDTH, Bar, bar_chart

SVG = "{http://www.w3.org/2000/svg}"


def parsed(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def rects(svg: ET.Element) -> list[dict[str, str]]:
    return [dict(r.attrib) for r in svg.iter(f"{SVG}rect")]


def test_texts_are_escaped_and_the_chart_is_an_image_named_by_its_title() -> None:
    hostile = '</text><script>alert("x")</script> & "quotes"'
    svg = parsed(
        bar_chart([Bar(hostile, 3, "3")], title="A <b>title</b>", chart_id='c"1', ceiling=0)
    )
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == 'c"1-title c"1-desc'
    assert svg.findtext(f"{SVG}title") == "A <b>title</b>"
    assert not list(svg.iter(f"{SVG}script"))
    assert next(t.text for t in svg.iter(f"{SVG}text")) == hostile
    assert svg.find(f"{SVG}g/{SVG}title").text == f"{hostile}: 3"  # type: ignore[union-attr]


def test_bars_scale_to_the_largest_and_a_hidden_value_is_an_outline_to_the_ceiling() -> None:
    svg = parsed(
        bar_chart(
            [Bar("a", 10, "10"), Bar("b", None, "fewer than 5"), Bar("c", 0, "0")],
            title="t",
            ceiling=5,
        )
    )
    full, hidden, zero = rects(svg)
    assert float(hidden["width"]) == pytest.approx(float(full["width"]) / 2)
    assert (hidden["fill"], hidden["class"]) == ("none", "bar hidden")
    assert full["class"] == "bar"
    assert float(zero["width"]) == 0
    assert [t.text for t in svg.iter(f"{SVG}text")][3] == "fewer than 5"


def test_a_right_to_left_chart_is_mirrored() -> None:
    bars = [Bar("مهارة", 4, "4")]
    ltr = rects(parsed(bar_chart(bars, title="t")))[0]
    rtl_svg = parsed(bar_chart(bars, title="t", rtl=True))
    rtl = rects(rtl_svg)[0]
    assert rtl_svg.get("direction") == "rtl"
    assert float(rtl["x"]) + float(rtl["width"]) == pytest.approx(WIDTH - float(ltr["x"]))


def test_long_labels_are_shortened_on_the_chart_and_kept_whole_in_the_title() -> None:
    label = "ウィキペディア" * 20
    svg = parsed(bar_chart([Bar(label, 1, "1")], title="t"))
    shown = str(next(svg.iter(f"{SVG}text")).text)
    assert shown.endswith("…")
    assert len(shown) < 40
    assert svg.find(f"{SVG}g/{SVG}title").text == f"{label}: 1"  # type: ignore[union-attr]


def test_an_empty_chart_still_parses() -> None:
    assert rects(parsed(bar_chart([], title="t"))) == []
