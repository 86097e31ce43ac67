"""The console's achievement editor in a real browser: an owner creates a two-language
achievement with an image, adds a language, previews the credential page in German, saves;
the list, the editor, its errors and its preview are checked with axe-core (no serious or
critical finding) and at 375 px without sideways scrolling, in English and Arabic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import screenshot, serious_violations
from tests.e2e.test_console import OWNER, console_site, sign_in
from tests.factories import make_png
from tests.oauth_provider import OAuthProvider
from tests.server import Server

__all__ = ["console_site"]  # the fixture, shared with test_console
Site = tuple[Server, OAuthProvider, httpx.Client]
# What sticks out of the window, to say why a page scrolls sideways.
WIDER_THAN_THE_WINDOW = (
    "Array.from(document.querySelectorAll('body *'))"
    ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).slice(0, 5)"
    ".map(e => e.tagName + '.' + e.className)"
)


def fill_editor(page: Any, image: Path) -> None:
    page.fill("#name-en", "Editing basics")
    page.fill("#description-en", "Edited an article.")
    page.fill("#narrative-en", "Attend the workshop.")
    page.select_option("#addLanguage", "de")
    page.click("button[value=add-language]")
    page.fill("#name-de", "Grundlagen")
    page.fill("#description-de", "Einen Artikel bearbeitet.")
    page.click("button[value=add-alignment]")
    page.fill("#alignments-0-targetName", "edit wikis")
    page.fill("#alignments-0-targetUrl", "http://data.europa.eu/esco/skill/x")
    page.set_input_files("#image", str(image))


def test_an_owner_creates_an_achievement_with_a_preview_first(
    page: Any, console_site: Site, tmp_path: Path
) -> None:
    server = console_site[0]
    image = tmp_path / "badge.png"
    image.write_bytes(make_png(64, 64))
    sign_in(page, console_site, OWNER)
    page.goto(f"{server.base_url}/console/wmde/achievements/new?lang=en")
    fill_editor(page, image)
    page.select_option("#previewLanguage", "de")
    page.click("button[value=preview]")
    preview = page.locator("#preview")
    assert "Grundlagen" in preview.inner_text()
    assert preview.locator("img.badge").get_attribute("src").startswith("data:image/png")
    screenshot(page, "console-achievement-preview")
    page.set_input_files("#image", str(image))
    page.click(".editor-actions button[value=save]")
    assert page.locator(".notice").inner_text() == "The achievement is saved."
    page.goto(f"{server.base_url}/console/wmde/achievements")
    assert "Editing basics" in page.locator("table").inner_text()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_achievement_pages_are_accessible_and_fit_375px(
    browser: Any, axe_source: str, console_site: Site, lang: str
) -> None:
    server = console_site[0]
    context = browser.new_context(viewport={"width": 1024, "height": 800}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, console_site, OWNER, lang)
    found = {}
    for name, path, act in [
        ("list", "/console/wmde/achievements", None),
        ("new", "/console/wmde/achievements/new", None),
        ("errors", "/console/wmde/achievements/new", ".editor-actions button[value=save]"),
        ("preview", "/console/wmde/achievements/new", "button[value=preview]"),
    ]:
        for width in (1024, 375):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(f"{server.base_url}{path}?lang={lang}")
            page.wait_for_load_state("load")
            if act:
                if name == "preview":
                    page.fill("#name-" + lang, "Editing basics")
                    page.fill("#description-" + lang, "Edited an article.")
                    page.fill("#narrative-" + lang, "Attend the workshop.")
                page.click(act)
            screenshot(page, f"console-achievements-{name}-{lang}-{width}")
            if width == 375:
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                wide = page.evaluate(WIDER_THAN_THE_WINDOW)
                assert overflow <= 0, (name, overflow, wide)
            else:
                found[name] = serious_violations(page, axe_source)
    context.close()
    assert found == {name: [] for name in found}


def test_the_skill_picker_adds_a_framework_item_and_is_accessible(
    browser: Any, axe_source: str, console_site: Site, tmp_path: Path
) -> None:
    """With the Capacity Exchange's capacities imported (the CLI), an owner finds a skill by
    a German word and adds it: the alignment row is filled in; axe finds nothing serious and
    the picker fits 375 px."""
    server = console_site[0]
    capacities = [
        {"id": 7, "skill_wikidata_item": "Q7",
         "labels": {"en": "Organising events", "de": "Veranstaltungen organisieren"}},
    ]  # fmt: skip
    file = tmp_path / "capacities.json"
    file.write_text(json.dumps(capacities))
    server.cli("frameworks", "import", "capx", str(file))
    context = browser.new_context(viewport={"width": 1024, "height": 800}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, console_site, OWNER)
    page.goto(f"{server.base_url}/console/wmde/achievements/new?lang=en")
    page.fill("#skillQuery", "veranstaltungen")
    page.click("button[value=find-skills]")
    page.click("button[value='pick-skill:capx:Q7']")
    assert page.input_value("#alignments-0-targetUrl") == "http://www.wikidata.org/entity/Q7"
    assert page.input_value("#alignments-0-targetName") == "Organising events"
    assert page.input_value("#alignments-0-targetType") == "ext:WikidataItem"
    page.fill("#skillQuery", "events")
    page.click("button[value=find-skills]")
    screenshot(page, "console-skill-picker")
    assert serious_violations(page, axe_source) == []
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    context.close()
