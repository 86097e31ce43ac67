"""A horizontal bar chart as SVG markup, for a page to put inline: labelled values in, text out.

Each bar has its label on a line above it and its value written beside it, so a label of any
length and script fits (long ones are shortened, the full text stays in the bar's ``<title>``).
A value that may not be shown (``None``: under a privacy threshold) is drawn as an empty,
dashed outline up to ``ceiling`` with its text ("fewer than 5"), never as its size.

The chart is an image to assistive technology (``role="img"``, named by its ``<title>`` and
``<desc>``); the page gives the same numbers in a table. Colours are presentation attributes
(no ``style``), so it draws the same under a strict CSP and on its own. Right-to-left charts
(``rtl``) mirror the geometry and set ``direction``, so text anchors at the right edge.

See: https://www.w3.org/TR/SVG2/text.html#TextAnchoringProperties
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

WIDTH = 480
PAD = 8
ROW = 46  # label line + bar
BAR_HEIGHT = 16
VALUE_ROOM = 130  # beside the longest bar, for its text
LABEL_COLUMNS = 56  # about what a 14 px line of WIDTH holds; wide (CJK) characters count 2
BLUE = "#0b53b8"
INK = "#1b1b1b"
MUTED = "#4d4d4d"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None  # None: not shown; drawn as an outline up to the chart's ceiling
    text: str  # the value as written beside the bar ("12", "fewer than 5")
    fill: str = BLUE


def _fitted(text: str, columns: int = LABEL_COLUMNS) -> str:
    """``text`` cut to about ``columns`` columns, with an ellipsis when cut."""
    used = 0
    for index, character in enumerate(text):
        used += 2 if unicodedata.east_asian_width(character) in "WF" else 1
        if used > columns:
            return text[: max(index - 1, 0)].rstrip() + "…"
    return text


def _attributes(**values: object) -> str:
    return " ".join(
        f'{name.rstrip("_").replace("_", "-")}="{escape(str(value), quote=True)}"'
        for name, value in values.items()
    )


def _bar(bar: Bar, top: int, length: float, *, rtl: bool) -> str:
    """One row: the label line, the bar (or the outline of a hidden value), its text."""
    start = WIDTH - PAD if rtl else PAD
    x = start - length if rtl else start
    after = (start - length - 6) if rtl else (start + length + 6)
    if bar.value is None:
        shape = _attributes(
            x=f"{x:.1f}",
            y=top + 22,
            width=f"{length:.1f}",
            height=BAR_HEIGHT,
            fill="none",
            stroke=bar.fill,
            stroke_width=1.5,
            stroke_dasharray="4 3",
            class_="bar hidden",
        )
    else:
        shape = _attributes(
            x=f"{x:.1f}",
            y=top + 22,
            width=f"{length:.1f}",
            height=BAR_HEIGHT,
            fill=bar.fill,
            class_="bar",
        )
    label, text = escape(bar.label), escape(bar.text)
    return (
        f"<g><title>{label}: {text}</title>"
        f"<text {_attributes(x=start, y=top + 15, font_size=14, fill=INK)}>"
        f"{escape(_fitted(bar.label))}</text>"
        f"<rect {shape}/>"
        f"<text {_attributes(x=f'{after:.1f}', y=top + 35, font_size=13, fill=MUTED)}>"
        f"{text}</text></g>"
    )


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str = "",
    chart_id: str = "chart",
    ceiling: int = 0,
    rtl: bool = False,
) -> str:
    """The SVG element (markup, every text escaped) of one bar per entry of ``bars``, scaled
    to the largest shown value (at least ``ceiling``, the length of a hidden value)."""
    largest = max([ceiling, *(b.value for b in bars if b.value is not None)])
    room = WIDTH - 2 * PAD - VALUE_ROOM
    height = len(bars) * ROW + PAD
    rows = [
        _bar(
            bar,
            index * ROW + PAD // 2,
            room * (ceiling if bar.value is None else bar.value) / largest if largest else 0,
            rtl=rtl,
        )
        for index, bar in enumerate(bars)
    ]
    head = _attributes(
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {WIDTH} {height}",
        width=WIDTH,
        height=height,
        role="img",
        aria_labelledby=f"{chart_id}-title {chart_id}-desc",
        direction="rtl" if rtl else "ltr",
        font_family="system-ui, sans-serif",
        class_="chart",
        id=chart_id,
    )
    return (
        f"<svg {head}>"
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
        + "".join(rows)
        + "</svg>"
    )
