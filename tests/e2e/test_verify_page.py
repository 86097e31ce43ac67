"""The verification page with a report in a real browser: axe-core finds nothing serious
(English and Arabic, desktop and 375 px), nothing scrolls sideways, the badge image loads
under the page's CSP, and "check again" works without JavaScript."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import screenshot, serious_violations


def report_page(context: Any, site: dict[str, Any], lang: str) -> Any:
    """The /verify page showing the report of the site's credential, reached by the form."""
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    page.goto(f"{site['server'].base_url}/verify?lang={lang}&url={site['credential']['url']}")
    page.locator("#recipient").fill("ada@example.org")
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    page.violations = violations
    return page


@pytest.mark.parametrize(("lang", "width"), [("en", 1024), ("ar", 1024), ("en", 375), ("ar", 375)])
def test_report_has_no_serious_axe_violations(
    browser: Any, site: dict[str, Any], axe_source: str, lang: str, width: int
) -> None:
    # axe is injected as a script tag, which the page's CSP (rightly) refuses: bypass it here.
    context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
    page = report_page(context, site, lang)
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator(".checks li").count() >= 10
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    serious = serious_violations(page, axe_source)
    screenshot(page, f"verify-report-{lang}-{width}px")
    context.close()
    assert serious == []
    assert overflow <= 0


def test_report_shows_our_image_and_checks_again_under_the_csp(
    browser: Any, site: dict[str, Any]
) -> None:
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = report_page(context, site, "en")
    badge = page.locator("img.badge")
    assert badge.evaluate("image => image.complete && image.naturalWidth") == 64
    main = page.locator("main").inner_text()
    assert "Ada Lovelace" in main
    assert "ada@example.org" not in main
    recipient = page.locator(".checks li", has_text="It was awarded to the person you named")
    assert "passed" in (recipient.get_attribute("class") or "")
    first = page.locator("time").first.get_attribute("datetime")
    page.locator("form.again button").click()
    page.wait_for_load_state()
    assert "fresh=1" in page.url
    assert "ok" in (page.locator(".verdict").get_attribute("class") or "")
    assert page.locator("time").first.get_attribute("datetime") >= (first or "")
    assert page.violations == []
    screenshot(page, "verify-report-again-375px")
    context.close()
