"""The printable certificate of a credential: one landscape page, A4 or US Letter, drawn
with fpdf2.

Text goes through HarfBuzz (``set_text_shaping``) so that Arabic is joined and laid out right
to left by the Unicode bidi algorithm, and through a font fallback chain per script: the
main font follows the label language (Noto Sans, Noto Sans CJK JP or Noto Sans Arabic) and the
other two fill in whatever it lacks, so any name in any of these scripts prints on any page.
The fonts are ``render.fonts.find_fonts()``: from the Python packages that ship them first.

Nothing here reads the network: images arrive as bytes, and fpdf2's resource policy forbids
SVG images from loading anything.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Literal

import segno
from fpdf import FPDF
from fpdf.enums import ResourceAccessPolicy

from badgeservice.domain.credential_state import State
from badgeservice.domain.markdown import markdown_blocks
from badgeservice.render.certificate_labels import LABELS, format_day, is_rtl
from badgeservice.render.fonts import coverage

log = logging.getLogger(__name__)

Paper = Literal["a4", "letter"]
PAPER_FORMATS: dict[str, str] = {"a4": "A4", "letter": "Letter"}
MARGIN = 25.0
QR_SIZE = 34.0
INK = (33, 37, 41)
MUTED = (88, 96, 105)
ACCENT = (22, 78, 140)
ALERT = (176, 0, 32)

MAIN_FONT = {"ja": "japanese", "ar": "arabic"}


@dataclass(frozen=True)
class CertificateContent:
    """What a certificate says; texts as signed in the credential."""

    credential_id: str
    achievement_name: str
    achievement_description: str
    issuer_name: str
    recipient_name: str | None
    valid_from: date
    valid_until: date | None
    page_url: str
    verify_url: str
    state: State = "active"
    state_changed: date | None = None
    badge_image: bytes | None = None
    issuer_image: bytes | None = None


def render_certificate(
    content: CertificateContent, fonts: dict[str, Path], *, language: str, paper: Paper = "a4"
) -> bytes:
    """The certificate as PDF bytes, labels in ``language`` (a key of ``LABELS``)."""
    labels = LABELS[language]
    pdf = _document(content, _fonts_needed(content, labels, fonts, language), language, paper)
    y = _heading(pdf, content, labels)
    y = _achievement(pdf, content, labels, y)
    if content.state != "active":
        _state_banner(pdf, content, labels, language, y + 4)
    _footer(pdf, content, labels, language)
    if content.state != "active":
        _watermark(pdf, labels[content.state])
    return bytes(pdf.output())


def _fonts_needed(
    content: CertificateContent, labels: dict[str, str], fonts: dict[str, Path], language: str
) -> dict[str, Path]:
    """The fonts this certificate draws with: Latin, the language's own, and any other whose
    glyphs a text needs. fpdf2 reads and subsets every font it is given, whether used or not
    (a CJK font is 16 MB): only what is drawn is added."""
    texts = [
        content.achievement_name,
        content.achievement_description,
        content.issuer_name,
        content.recipient_name or "",
        *labels.values(),
    ]
    needed = {ord(char) for text in texts for char in text if not char.isspace()}
    needed -= coverage(fonts["latin"]) if "latin" in fonts else frozenset()
    keep = {"latin", MAIN_FONT.get(language, "latin")}
    keep |= {script for script, path in fonts.items() if needed & coverage(path)}
    return {script: path for script, path in fonts.items() if script in keep}


def _document(
    content: CertificateContent, fonts: dict[str, Path], language: str, paper: Paper
) -> FPDF:
    pdf = FPDF(orientation="L", unit="mm", format=PAPER_FORMATS[paper])
    pdf.resource_access_policy = ResourceAccessPolicy(0)  # no file or URL from an image
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    for script, path in fonts.items():
        pdf.add_font(script, fname=str(path))
    main = MAIN_FONT.get(language, "latin")
    main = main if main in fonts else "latin"
    pdf.set_font(main, size=12)
    pdf.set_fallback_fonts([script for script in fonts if script != main])
    pdf.set_text_shaping(True)
    pdf.set_lang(language)
    pdf.set_title(content.achievement_name)
    pdf.set_author(content.issuer_name)
    pdf.set_creator("badgeservice")
    issued = datetime(*content.valid_from.timetuple()[:3], tzinfo=UTC)
    pdf.set_creation_date(issued)  # the same bytes for the same credential
    pdf.add_page()
    _frame(pdf)
    return pdf


def _frame(pdf: FPDF) -> None:
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, pdf.w - 26, pdf.h - 26)


def _heading(pdf: FPDF, content: CertificateContent, labels: dict[str, str]) -> float:
    y = 22.0
    if content.badge_image and _image(pdf, content.badge_image, (pdf.w - 28) / 2, y, 28):
        y += 31
    else:
        y += 4
    y = _text(pdf, content.issuer_name, y, size=12, color=MUTED, max_lines=1)
    return _text(pdf, labels["title"], y + 1, size=28, color=ACCENT, max_lines=1) + 3


def _achievement(pdf: FPDF, content: CertificateContent, labels: dict[str, str], y: float) -> float:
    if content.recipient_name:
        y = _text(pdf, labels["certifies"], y, size=12, color=MUTED, max_lines=1)
        y = _text(pdf, content.recipient_name, y, size=26, color=INK, max_lines=1, least=14)
        y = _text(pdf, labels["earned"], y + 1, size=12, color=MUTED, max_lines=1)
    y = _text(pdf, content.achievement_name, y, size=22, color=ACCENT, max_lines=2, least=13)
    if content.achievement_description:
        bottom = pdf.h - 62 - (20 if content.state != "active" else 0)  # footer, state banner
        y = _description(pdf, content.achievement_description, y + 1, bottom)
    return y


def _description(pdf: FPDF, text: str, y: float, bottom: float) -> float:
    """The description's Markdown as centred blocks (paragraphs, list items with their bullet
    or number, line breaks kept), as many lines as fit above ``bottom``, the last one cut with
    an ellipsis. Returns the ``y`` below it."""
    size, width = 11.0, pdf.w - 2 * MARGIN
    height = size * 0.45
    pdf.set_font_size(size)
    pdf.set_text_color(*MUTED)
    for block in markdown_blocks(text):
        room = int((bottom - y) // height)
        if room < 1:
            break
        line = f"{'    ' * block.depth}{block.marker} {block.text}" if block.marker else block.text
        lines = _lines(pdf, line, width)
        if len(lines) > room:
            line, lines = _cut(pdf, line, width, room), lines[:room]
        pdf.set_xy(MARGIN, y)
        pdf.multi_cell(width, height, line, align="C")
        y += height * len(lines) + 1
    return y + 0.5


def _state_banner(
    pdf: FPDF, content: CertificateContent, labels: dict[str, str], language: str, y: float
) -> None:
    when = format_day(content.state_changed, language) if content.state_changed else ""
    note = labels[f"{content.state}_note"].replace("{date}", when)
    y = min(y, pdf.h - 76)
    pdf.set_fill_color(*ALERT)
    pdf.rect(MARGIN + 20, y, pdf.w - 2 * MARGIN - 40, 16, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font_size(13)
    pdf.set_xy(MARGIN + 22, y + 1)
    pdf.cell(pdf.w - 2 * MARGIN - 44, 7, labels[content.state], align="C")
    pdf.set_font_size(10)
    pdf.set_xy(MARGIN + 22, y + 8)
    pdf.cell(pdf.w - 2 * MARGIN - 44, 7, note, align="C")


def _footer(pdf: FPDF, content: CertificateContent, labels: dict[str, str], language: str) -> None:
    top = pdf.h - 58
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.2)
    pdf.line(MARGIN, top, pdf.w - MARGIN, top)
    rtl = is_rtl(language)
    qr_x = MARGIN if rtl else pdf.w - MARGIN - QR_SIZE
    _qr_code(pdf, content.page_url, qr_x, top + 6, QR_SIZE)
    links_width = 110.0
    links_x = qr_x + QR_SIZE + 4 if rtl else qr_x - 4 - links_width
    _links(pdf, content, labels, (links_x, top + 7, links_width), "L" if rtl else "R")
    info_width = pdf.w - 2 * MARGIN - QR_SIZE - links_width - 12
    info_x = pdf.w - MARGIN - info_width if rtl else MARGIN
    _issuer_block(pdf, content, labels, language, (info_x, top + 6, info_width))


def _issuer_block(
    pdf: FPDF,
    content: CertificateContent,
    labels: dict[str, str],
    language: str,
    box: tuple[float, float, float],
) -> None:
    x, y, width = box
    align = "R" if is_rtl(language) else "L"
    if content.issuer_image:
        image_x = x + width - 16 if align == "R" else x
        if _image(pdf, content.issuer_image, image_x, y, 16):
            x, width = (x, width - 19) if align == "R" else (x + 19, width - 19)
    lines = [
        (f"{labels['issued_by']}: {content.issuer_name}", 10, INK),
        (f"{labels['issued_on']}: {format_day(content.valid_from, language)}", 10, INK),
    ]
    if content.valid_until:
        until = format_day(content.valid_until, language)
        lines.append((f"{labels['valid_until']}: {until}", 10, INK))
    lines.append((f"{labels['credential_id']}: {content.credential_id}", 7, MUTED))
    for text, size, color in lines:
        pdf.set_font_size(size)
        pdf.set_text_color(*color)
        pdf.set_xy(x, y)
        pdf.multi_cell(width, size * 0.5, _fit_line(pdf, text, width), align=align)
        y += size * 0.5 + 2.5


def _links(
    pdf: FPDF,
    content: CertificateContent,
    labels: dict[str, str],
    box: tuple[float, float, float],
    align: Literal["L", "R"],
) -> None:
    x, y, width = box
    rows = [
        (labels["scan"], 9, MUTED, None),
        (content.page_url, 7, ACCENT, content.page_url),
        (labels["verify"], 9, MUTED, None),
        (content.verify_url.split("?")[0], 7, ACCENT, content.verify_url),
    ]
    for text, size, color, link in rows:
        pdf.set_font_size(size)
        pdf.set_text_color(*color)
        pdf.set_xy(x, y)
        pdf.cell(width, 5, _fit_line(pdf, text, width), align=align, link=link or "")
        y += 6 if link else 5


def _text(
    pdf: FPDF,
    text: str,
    y: float,
    *,
    size: float,
    color: tuple[int, int, int],
    max_lines: int,
    least: float | None = None,
) -> float:
    """Centred text from ``y``: shrunk down to ``least`` points, then cut with an ellipsis,
    to stay within ``max_lines``. Returns the ``y`` below it."""
    width = pdf.w - 2 * MARGIN
    while True:
        pdf.set_font_size(size)
        lines = _lines(pdf, text, width)
        if len(lines) <= max_lines or least is None or size <= least:
            break
        size = max(least, size - 2)
    if len(lines) > max_lines:
        text = _cut(pdf, text, width, max_lines)
    height = size * 0.45
    pdf.set_text_color(*color)
    pdf.set_xy(MARGIN, y)
    pdf.multi_cell(width, height, text, align="C")
    return y + height * min(len(lines), max_lines) + 1.5


def _lines(pdf: FPDF, text: str, width: float) -> list[str]:
    lines = pdf.multi_cell(width, 5, text, dry_run=True, output="LINES")
    assert isinstance(lines, list)
    return [str(line) for line in lines]


def _cut(pdf: FPDF, text: str, width: float, max_lines: int) -> str:
    words = text.split(" ")
    while len(words) > 1 and len(_lines(pdf, " ".join(words) + "…", width)) > max_lines:
        words.pop()
    return " ".join(words) + "…"


def _fit_line(pdf: FPDF, text: str, width: float) -> str:
    while len(text) > 8 and pdf.get_string_width(text) > width:
        text = text[:-2] + "…" if not text.endswith("…") else text[:-3] + "…"
    return text


def _image(pdf: FPDF, data: bytes, x: float, y: float, size: float) -> bool:
    """The image fitted into a ``size`` square; False when fpdf2 cannot read it."""
    try:
        pdf.image(io.BytesIO(data), x=x, y=y, w=size, h=size, keep_aspect_ratio=True)
    except Exception as exc:  # any unreadable image is left out, not fatal
        log.warning("certificate image left out: %s", exc)
        return False
    return True


def _qr_code(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    """The QR code drawn as vector squares (sharp at any print size), linked to ``url``."""
    matrix = segno.make(url, error="m", micro=False).matrix
    module = size / len(matrix)
    pdf.set_fill_color(*INK)
    for row_index, row in enumerate(matrix):
        start = None
        for col_index, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = col_index
            elif not dark and start is not None:
                width = (col_index - start) * module
                pdf.rect(x + start * module, y + row_index * module, width, module, style="F")
                start = None
    pdf.link(x, y, size, size, url)


def _watermark(pdf: FPDF, word: str) -> None:
    """The state word across the page, faint, over everything: a copy cannot hide it."""
    with (
        pdf.local_context(fill_opacity=0.13, text_color=ALERT),
        pdf.rotation(angle=20, x=pdf.w / 2, y=pdf.h / 2),
    ):
        pdf.set_font_size(96)
        pdf.set_xy(0, pdf.h / 2 - 20)
        pdf.cell(pdf.w, 40, word, align="C")
