"""The one font finder of every rendering: badge images, share images and certificates.

Fonts come first from the Python packages that ship them (installed with our dependencies, so
they are there in any image, ``python:slim`` included), then from the system's font folders
(Debian's ``fonts-noto-*``, ``fonts-dejavu-core``, ``fonts-liberation`` file names). Each
script has its sources in order; a variable font (``wght`` axis) serves both weights, a system
family has a file per weight. Nothing is read from the network; font files are read when used.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageFont

SYSTEM_FONT_DIRS: tuple[Path, ...] = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
REGULAR_WEIGHT, BOLD_WEIGHT = 400, 700


@dataclass(frozen=True)
class Sources:
    """Where one script's font may be: a package's file (``package:path``), then system
    file names, regular and bold."""

    package: str | None
    regular: tuple[str, ...]
    bold: tuple[str, ...]


# In order of preference for text the first script's font lacks (badges pick by coverage).
SCRIPTS: dict[str, Sources] = {
    "latin": Sources(
        "fontpkg_noto_sans:files/NotoSans[wdth,wght].ttf",
        ("NotoSans-Regular.ttf", "DejaVuSans.ttf", "LiberationSans-Regular.ttf"),
        ("NotoSans-Bold.ttf", "DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf"),
    ),
    "arabic": Sources(
        "fontpkg_noto_sans_arabic:files/NotoSansArabic[wdth,wght].ttf",
        ("NotoSansArabic-Regular.ttf", "NotoNaskhArabic-Regular.ttf"),
        ("NotoSansArabic-Bold.ttf", "NotoNaskhArabic-Bold.ttf"),
    ),
    "hebrew": Sources(None, ("NotoSansHebrew-Regular.ttf",), ("NotoSansHebrew-Bold.ttf",)),
    "devanagari": Sources(
        None, ("NotoSansDevanagari-Regular.ttf",), ("NotoSansDevanagari-Bold.ttf",)
    ),
    # Regular only on PyPI: Japanese bold text is drawn in the regular weight.
    "japanese": Sources(
        "noto_cjk_sans_jp_regular:NotoSansCJKjp-Regular.otf",
        ("NotoSansCJKjp-Regular.otf", "NotoSansCJK-Regular.ttc", "DroidSansFallbackFull.ttf"),
        ("NotoSansCJKjp-Bold.otf", "NotoSansCJK-Bold.ttc", "DroidSansFallbackFull.ttf"),
    ),
}
CERTIFICATE_SCRIPTS = ("latin", "japanese", "arabic")  # ``latin`` is the one required


@dataclass(frozen=True)
class Font:
    """A font file; ``variable`` when its weight is set on a ``wght`` axis."""

    path: Path
    variable: bool = False
    packaged: bool = False


def package_file(where: str) -> Path | None:
    """The file ``package:path`` inside an installed package, if both exist."""
    package, _, name = where.partition(":")
    try:
        path = Path(str(files(package).joinpath(name)))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


def script_fonts(script: str, *, bold: bool = False) -> list[Font]:
    """Every installed font of ``script``, best first."""
    sources = SCRIPTS[script]
    system = _system_files(SYSTEM_FONT_DIRS)
    names = sources.bold if bold else sources.regular
    found = [Font(system[name]) for name in names if name in system]
    packaged = package_file(sources.package) if sources.package else None
    if packaged is None:
        return found
    font = Font(packaged, variable="wght" in packaged.name, packaged=True)
    # A static packaged font has one weight: for bold, a system bold file comes first.
    return [*found, font] if bold and not font.variable else [font, *found]


def find_font(script: str, *, bold: bool = False) -> Font | None:
    fonts = script_fonts(script, bold=bold)
    return fonts[0] if fonts else None


def find_fonts(scripts: tuple[str, ...] = CERTIFICATE_SCRIPTS) -> dict[str, Path]:
    """Each script's regular font that is installed, by script name."""
    found = {script: find_font(script) for script in scripts}
    return {script: font.path for script, font in found.items() if font is not None}


def missing_fonts(scripts: tuple[str, ...] = CERTIFICATE_SCRIPTS) -> list[str]:
    return sorted(set(scripts) - set(find_fonts(scripts)))


def font_for(text: str, *, bold: bool = False) -> Font | None:
    """The first font (see ``_candidates``) with a glyph for every character of ``text``,
    else the one with the most; ``None`` when no installed font has any."""
    needed = {ord(c) for c in text if not c.isspace()}
    best: tuple[int, Font] | None = None
    for font in _candidates(bold):
        covered = len(needed & coverage(font.path))
        if covered == len(needed):
            return font
        if best is None or covered > best[0]:
            best = (covered, font)
    return best[1] if best is not None and best[0] > 0 else None


def _candidates(bold: bool) -> list[Font]:
    """Every installed font in ``SCRIPTS`` order, the packages' of the right weight first (the
    same text looks the same on every machine), then the system's."""
    fonts = [font for script in SCRIPTS for font in script_fonts(script, bold=bold)]
    return sorted(fonts, key=lambda font: not (font.packaged and (font.variable or not bold)))


def pillow_font(text: str, size: int, *, bold: bool) -> ImageFont.FreeTypeFont:
    """``font_for(text)`` loaded by Pillow at ``size`` (a variable font set to the weight);
    Pillow's own font when none is installed. Loaded per use: FreeType faces are not shared
    between threads."""
    font = font_for(text, bold=bold)
    if font is None:
        return ImageFont.load_default(size)  # type: ignore[return-value]  # FreeType is built in
    loaded = ImageFont.truetype(font.path, size, index=0)
    if font.variable:
        weight = float(BOLD_WEIGHT if bold else REGULAR_WEIGHT)
        loaded.set_variation_by_axes(
            [
                weight if axis["name"] in (b"Weight", "Weight") else float(axis["default"] or 0)
                for axis in loaded.get_variation_axes()
            ]
        )
    return loaded


def font_dirs() -> list[str]:
    """The folders holding the fonts above (package folders first), for resvg's ``font_dirs``."""
    dirs = [
        str(path.parent)
        for sources in SCRIPTS.values()
        if sources.package and (path := package_file(sources.package)) is not None
    ]
    return [*dict.fromkeys(dirs), *(str(d) for d in SYSTEM_FONT_DIRS if d.is_dir())]


@functools.cache
def _system_files(roots: tuple[Path, ...]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for root in roots:
        for directory, _dirs, names in os.walk(root):
            for name in names:
                found.setdefault(name, Path(directory) / name)
    return found


@functools.cache
def coverage(path: Path) -> frozenset[int]:
    """The code points ``path`` (its first face) has glyphs for; empty for a broken file."""
    try:
        with TTFont(path, fontNumber=0, lazy=True) as font:
            return frozenset(font.getBestCmap() or {})
    except Exception:  # a broken font file is skipped, whatever fontTools raises
        return frozenset()
