"""A learner's credential in a real browser: languages, verifying, downloads, accessibility."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import screenshot, serious_violations


def credential_url(site: dict[str, Any]) -> str:
    return str(site["credential"]["url"])


@pytest.mark.parametrize(
    ("lang", "direction", "verify_label"),
    [("en", "ltr", "Verify this credential"), ("ja", "ltr", None), ("ar", "rtl", None)],
)
def test_credential_page_in_three_languages(
    page: Any, site: dict[str, Any], lang: str, direction: str, verify_label: str | None
) -> None:
    page.goto(f"{credential_url(site)}?lang={lang}")
    root = page.locator("html")
    assert root.get_attribute("lang") == lang
    assert root.get_attribute("dir") == direction
    heading = page.locator("h1").inner_text()
    assert heading.strip()
    assert "Ada Lovelace" in page.locator("main").inner_text()
    verify_link = page.locator("a.button.primary")
    assert verify_link.is_visible()
    if verify_label:
        assert verify_link.inner_text() == verify_label
    else:  # translated: not the English words
        assert verify_link.inner_text() != "Verify this credential"
    screenshot(page, f"credential-{lang}")


def test_narrow_screen_has_no_sideways_scrolling(browser: Any, site: dict[str, Any]) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    narrow = context.new_page()
    narrow.goto(f"{credential_url(site)}?lang=ar")
    overflow = narrow.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    screenshot(narrow, "credential-ar-320px")
    context.close()
    assert overflow <= 0


def test_click_through_to_a_green_checklist(page: Any, site: dict[str, Any]) -> None:
    page.goto(f"{credential_url(site)}?lang=en")
    page.locator("a.button.primary").click()
    page.wait_for_url("**/verify**")
    page.locator("button[type=submit]").click()
    page.wait_for_load_state()
    verdict = page.locator(".verdict")
    assert "ok" in (verdict.get_attribute("class") or ""), page.locator("main").inner_text()
    assert page.locator(".checks li.failed, .checks li.error").count() == 0
    screenshot(page, "verify-green")


def test_downloaded_baked_png_verifies(page: Any, site: dict[str, Any]) -> None:
    page.goto(f"{credential_url(site)}?lang=en")
    with page.expect_download() as download_info:
        page.locator("a[href$='.png'][download]").click()
    path = download_info.value.path()
    content = Path(path).read_bytes()
    assert content.startswith(b"\x89PNG")
    server = site["server"]
    response = httpx.post(
        f"{server.base_url}/api/v1/verify",
        content=content,
        headers={"Content-Type": "image/png"},
        timeout=30,
    )
    report = response.json()
    assert report["verified"] is True, report
    assert report["format"] == "png"


@pytest.mark.parametrize(
    "path",
    [
        "{credential}?lang=en",
        "{credential}?lang=ar",
        "{credential}?lang=ja",
        "/verify?lang=de",
        "/issuers/wmde?lang=fr",
        "/achievements/{achievement}?lang=es",
    ],
)
def test_axe_finds_no_serious_violations(
    axe_context: Any, site: dict[str, Any], axe_source: str, path: str
) -> None:
    base = site["server"].base_url
    url = path.format(credential=credential_url(site), achievement=site["achievement"]["id"])
    page = axe_context.new_page()
    page.goto(url if url.startswith("http") else base + url)
    serious = serious_violations(page, axe_source)
    name = path.split("?")[0].strip("/{}").split("/")[0] or "page"
    screenshot(page, f"axe-{name}-{path.rsplit('=', 1)[1]}")
    assert serious == []
