"""The console's learning packs in a real browser: an owner creates a pack through the form
(an achievement step and an activity with a resource, in a group), sees it listed with its
public page; the list, the editor, its errors, the report and the delete page are checked
with axe-core (no serious or critical finding) and at 375 px without sideways scrolling, in
English and Arabic."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import screenshot, serious_violations
from tests.e2e.test_console import OWNER, console_site, sign_in
from tests.e2e.test_console_achievements import WIDER_THAN_THE_WINDOW
from tests.factories import ACHIEVEMENT
from tests.oauth_provider import OAuthProvider
from tests.server import Server

__all__ = ["console_site"]  # the fixture, shared with test_console
Site = tuple[Server, OAuthProvider, httpx.Client]
ISSUER = "/api/v1/issuers/wmde"


def an_achievement(api: httpx.Client) -> str:
    found = api.get(f"{ISSUER}/achievements").json()["items"]
    if found:
        return str(found[0]["id"])
    return str(api.post(f"{ISSUER}/achievements", json=ACHIEVEMENT).json()["id"])


def test_an_owner_creates_a_pack_through_the_form(page: Any, console_site: Site) -> None:
    server, _, api = console_site
    achievement = an_achievement(api)
    sign_in(page, console_site, OWNER)
    page.goto(f"{server.base_url}/console/wmde/packs?lang=en")
    page.click("a[href='/console/wmde/packs/new']")
    page.fill("#slug", "e2e-first-steps")
    page.select_option("#audience", "partner")
    page.fill("#name-en", "First steps")
    page.fill("#groups-0-key", "any")
    page.fill("#groups-0-required", "1")
    page.select_option("#steps-0-achievementId", achievement)
    page.select_option("#steps-0-required", "no")
    page.fill("#steps-0-group", "any")
    page.select_option("#steps-1-kind", "activity")
    page.fill("#steps-1-url", "https://meta.wikimedia.org/wiki/Help:Contents")
    page.fill("#steps-1-title-en", "Read the help pages")
    page.select_option("#steps-1-required", "no")
    page.fill("#steps-1-resources-0-url", "https://example.org/video")
    page.fill("#steps-1-resources-0-title-en", "A video")
    page.click("ul.actions button[value=save]")
    assert page.locator(".notice").inner_text() == "The pack is saved."
    screenshot(page, "console-pack-saved")
    pack = api.get(f"{ISSUER}/packs/e2e-first-steps").json()
    assert [s["kind"] for s in pack["steps"]] == ["achievement", "activity"]
    assert pack["audience"] == "partner"
    page.goto(f"{server.base_url}/console/wmde/packs?lang=en")
    assert "First steps" in page.locator("table").inner_text()
    page.click("a[href='/issuers/wmde/packs/e2e-first-steps']")
    assert page.locator("h1").inner_text() == "First steps"


def a_pack(api: httpx.Client) -> str:
    if api.get(f"{ISSUER}/packs/e2e-pages").status_code != 200:
        step = {"kind": "achievement", "achievementId": an_achievement(api)}
        body = {"slug": "e2e-pages", "name": {"en": "Pages", "ar": "صفحات"}, "steps": [step]}
        api.post(f"{ISSUER}/packs", json=body).raise_for_status()
    return "/console/wmde/packs/e2e-pages"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_pack_pages_are_accessible_and_fit_375px(
    browser: Any, axe_source: str, console_site: Site, lang: str
) -> None:
    server, _, api = console_site
    pack = a_pack(api)
    context = browser.new_context(viewport={"width": 1024, "height": 800}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, console_site, OWNER, lang)
    found = {}
    for name, path, act in [
        ("list", "/console/wmde/packs", None),
        ("new", "/console/wmde/packs/new", None),
        ("errors", "/console/wmde/packs/new", "ul.actions button[value=save]"),
        ("edit", f"{pack}/edit", None),
        ("report", f"{pack}/report", None),
        ("delete", f"{pack}/delete", None),
    ]:
        for width in (1024, 375):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(f"{server.base_url}{path}?lang={lang}")
            page.wait_for_load_state("load")
            assert page.locator("html").get_attribute("lang") == lang
            if act:
                page.click(act)
                page.wait_for_load_state("load")
            assert page.locator("h1").count() == 1, name
            screenshot(page, f"console-packs-{name}-{lang}-{width}")
            if width == 375:
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                wide = page.evaluate(WIDER_THAN_THE_WINDOW)
                assert overflow <= 0, (name, overflow, wide)
            else:
                found[name] = serious_violations(page, axe_source)
    context.close()
    assert found == {name: [] for name in found}
