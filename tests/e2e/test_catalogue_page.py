"""The shared catalogue's public page in a real browser: at 375 px in English and Arabic,
searched with JavaScript off (a plain GET form), no sideways scrolling, axe clean; and the
shared skill's own page naming its defining issuer."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import screenshot, serious_violations
from tests.factories import ACHIEVEMENT

NARROW = {"width": 375, "height": 740}


@pytest.fixture(scope="module")
def skill(site: dict[str, Any]) -> dict[str, Any]:
    """A Competency that another issuer (``wmfr``) shares in the catalogue."""
    server = site["server"]
    admin = server.cli("tokens", "create", "--admin").strip().splitlines()[-1]
    client = httpx.Client(base_url=server.base_url, timeout=30)
    client.headers["Authorization"] = f"Bearer {admin}"
    client.post(
        "/api/v1/issuers", json={"slug": "wmfr", "name": "Wikimédia France"}
    ).raise_for_status()
    token = client.post("/api/v1/issuers/wmfr/tokens", json={}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    body = ACHIEVEMENT | {
        "achievementType": "Competency",
        "shared": True,
        "name": {"en": "Organising an edit-a-thon", "ar": "تنظيم ماراثون تحرير"},
        "description": {"en": "Ran an edit-a-thon.", "ar": "نظّم ماراثون تحرير."},
    }
    made = client.post("/api/v1/issuers/wmfr/achievements", json=body)
    made.raise_for_status()
    client.close()
    return dict(made.json())


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_the_catalogue_is_searched_without_javascript_at_375px(
    browser: Any,
    axe_context: Any,
    axe_source: str,
    site: dict[str, Any],
    skill: dict[str, Any],
    lang: str,
    direction: str,
) -> None:
    base = site["server"].base_url
    context = browser.new_context(viewport=NARROW, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/catalogue?lang={lang}")
    assert page.locator("html").get_attribute("dir") == direction
    page.fill("#q", "edit-a-thon")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_load_state()
    assert "q=edit-a-thon" in page.url
    found = page.locator(f'h2 a[href="/achievements/{skill["id"]}"]')
    assert found.count() == 1
    assert found.inner_text() == skill["name"][lang]
    assert page.locator('a[href="/issuers/wmfr"]').count() >= 1
    overflow = int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))
    assert overflow <= 0
    screenshot(page, f"catalogue-{lang}-375px")
    found.click()
    page.wait_for_load_state()
    assert page.locator('.hero a[href="/issuers/wmfr"]').count() == 1
    context.close()
    for path in (f"/catalogue?lang={lang}&q=edit", f"/achievements/{skill['id']}?lang={lang}"):
        checked = axe_context.new_page()
        checked.set_viewport_size(NARROW)
        checked.goto(base + path)
        assert serious_violations(checked, axe_source) == [], path
        checked.close()
