"""Japanese and Arabic are drawn with the fonts from the Python packages alone: the badge PNG,
the share image, an SVG drawn by resvg and the certificate, with the system font folders
pointed at an empty directory (as in a ``python:slim`` image).

"Really drawn" is checked twice: the font chosen has a glyph for every character (fontTools),
and the picture differs from the one drawn when only the Latin font is found (where every
character is the same missing-glyph box, so two different names give the same picture).
"""

from __future__ import annotations

import io
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from badgeservice.render import fonts
from badgeservice.render.badge import BadgeFace, generated_png
from badgeservice.render.certificate import CertificateContent, render_certificate
from badgeservice.render.share import render_share
from badgeservice.render.svg import rasterised
from tests.conftest import require

TEXTS = {
    "ja": ("ウィキペディア編集入門", "ウィキメディア日本", "山田太郎"),
    "ar": ("أساسيات تحرير ويكيبيديا", "ويكيميديا الشام", "ليلى أحمد"),
}
# The same number of characters and words as the names above, other letters.
OTHER_NAME = {"ja": "認定証合格者受講修了書", "ar": "شهاداتك إتمام مشاركاتكم"}
SCRIPT = {"ja": "japanese", "ar": "arabic"}


@pytest.fixture(autouse=True)
def no_system_fonts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(fonts, "SYSTEM_FONT_DIRS", (tmp_path,))
    missing = fonts.missing_fonts()
    require(not missing, f"font packages not installed for {missing}")


def find_only_latin(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on only the Latin font is found: what a machine without the script's draws."""
    nowhere = fonts.Sources(None, (), ())
    found = {script: nowhere for script in fonts.SCRIPTS} | {"latin": fonts.SCRIPTS["latin"]}
    monkeypatch.setattr(fonts, "SCRIPTS", found)


def covered(text: str, font: fonts.Font | None) -> bool:
    """Whether ``font`` has a glyph for every character of ``text`` (fontTools' cmap)."""
    needed = {ord(c) for c in text if not c.isspace()}
    return font is not None and needed <= fonts.coverage(font.path)


@pytest.mark.parametrize("language", ["ja", "ar"])
def test_badge_text_uses_a_packaged_font_with_every_glyph(language: str) -> None:
    name, issuer, _ = TEXTS[language]
    for text, bold in ((name, True), (issuer, False)):
        font = fonts.font_for(text, bold=bold)
        assert font is not None
        assert font.packaged
        assert covered(text, font)
        assert font == fonts.find_font(SCRIPT[language])


@pytest.mark.parametrize("language", ["ja", "ar"])
@pytest.mark.parametrize("draw", ["badge", "share"])
def test_badge_and_share_image_draw_the_glyphs(
    language: str, draw: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, issuer, _ = TEXTS[language]

    def picture(title: str) -> bytes:
        face = BadgeFace(title, issuer, seed="urn:uuid:1")
        return generated_png(face) if draw == "badge" else render_share(face, None)

    drawn, other = picture(name), picture(OTHER_NAME[language])
    find_only_latin(monkeypatch)
    tofu, other_tofu = picture(name), picture(OTHER_NAME[language])
    assert not covered(name, fonts.font_for(name, bold=True))  # the Latin font lacks them
    assert tofu == other_tofu  # missing glyphs: one box for any character
    assert drawn != tofu
    assert drawn != other


@pytest.mark.parametrize("language", ["ja", "ar"])
def test_svg_text_is_drawn_by_resvg_with_the_packaged_fonts(
    language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def svg(text: str) -> bytes:
        return (
            '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="100">'
            f'<text x="10" y="60" font-size="36" font-family="Noto Sans">{text}</text></svg>'
        ).encode()

    name = TEXTS[language][0]
    drawn, other = rasterised(svg(name), 400), rasterised(svg(OTHER_NAME[language]), 400)
    script_font = fonts.find_font(SCRIPT[language])
    assert script_font is not None
    assert str(script_font.path.parent) in fonts.font_dirs()
    find_only_latin(monkeypatch)
    tofu, other_tofu = rasterised(svg(name), 400), rasterised(svg(OTHER_NAME[language]), 400)
    assert drawn is not None
    assert other is not None
    assert tofu is not None
    assert tofu == other_tofu
    assert drawn != tofu
    assert drawn != other


def content(language: str) -> CertificateContent:
    name, issuer, recipient = TEXTS[language]
    return CertificateContent(
        credential_id="urn:uuid:6f1c1b1e-3f4e-4c2a-9d57-0a1b2c3d4e5f",
        achievement_name=name,
        achievement_description="",
        issuer_name=issuer,
        recipient_name=recipient,
        valid_from=date(2026, 5, 1),
        valid_until=None,
        page_url="https://badges.example/credentials/6f1c1b1e",
        verify_url="https://badges.example/verify?url=https://badges.example/credentials/6f1c1b1e",
    )


def text_runs(pdf: bytes) -> list[tuple[str, str]]:
    """(font name, text) of every text run on the page."""
    runs: list[tuple[str, str]] = []

    def visit(text: str, _cm: Any, _tm: Any, font: Any, _size: Any) -> None:
        if text.strip() and font is not None:
            runs.append((str(font.get("/BaseFont", "")), text))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize("language", ["ja", "ar"])
def test_certificate_prints_the_script_in_its_packaged_font(
    language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = fonts.find_fonts()
    assert set(found) == {"latin", "japanese", "arabic"}
    script_font = fonts.find_font(SCRIPT[language])
    assert script_font is not None
    assert script_font.packaged
    pdf = render_certificate(content(language), found, language=language)
    name = TEXTS[language][0]
    assert covered(name, script_font)
    face = "notosanscjkjp" if language == "ja" else "notosansarabic"  # fpdf2's /BaseFont
    runs = text_runs(pdf)
    script_text = "".join(text for font, text in runs if face in font.lower())
    assert {c for c in name if c.isalpha()} <= set(unicodedata.normalize("NFKC", script_text))
    find_only_latin(monkeypatch)
    tofu = render_certificate(content(language), fonts.find_fonts(), language=language)
    assert not any(face in font.lower() for font, _ in text_runs(tofu))
    assert tofu != pdf
