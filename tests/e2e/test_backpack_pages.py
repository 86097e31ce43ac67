"""The backpack and the public profile in a real browser: en, ja, ar at 375 px, accessible,
and visibility toggled by a plain form with JavaScript turned off."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from badgeservice.db.models import User
from tests.e2e.conftest import screenshot, serious_violations, signed_in_cookie

NARROW = {"width": 375, "height": 740}
EMAIL = "ada@example.org"  # the e2e site's credential is issued to it


@pytest.fixture(scope="module")
def learner(site: dict[str, Any]) -> dict[str, Any]:
    """Ada, with a public profile, signed in by a session row (the sign-in routes' result)."""
    ada = User(handle="ada-lovelace", display_name="Ada Lovelace", profile_public=True)
    cookie = signed_in_cookie(site["server"], EMAIL, ada)
    return {"cookie": cookie, "handle": "ada-lovelace", "credential": site["credential"]}


@pytest.fixture
def signed_in_page(browser: Any, learner: dict[str, Any]) -> Iterator[Any]:
    """A 375 px page signed in as Ada, JavaScript off: every form must work without it."""
    context = browser.new_context(viewport=NARROW, java_script_enabled=False)
    context.add_cookies([learner["cookie"]])
    yield context.new_page()
    context.close()


def _no_sideways_scrolling(browser: Any, url: str, cookie: dict[str, Any] | None) -> int:
    context = browser.new_context(viewport=NARROW)
    if cookie:
        context.add_cookies([cookie])
    page = context.new_page()
    page.goto(url)
    overflow = int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))
    context.close()
    return overflow


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ja", "ltr"), ("ar", "rtl")])
def test_backpack_in_three_languages_at_375px(
    browser: Any,
    signed_in_page: Any,
    axe_context: Any,
    axe_source: str,
    site: dict[str, Any],
    learner: dict[str, Any],
    lang: str,
    direction: str,
) -> None:
    base = site["server"].base_url
    page = signed_in_page
    page.goto(f"{base}/me?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("html").get_attribute("dir") == direction
    card = page.locator(f"#c-{learner['credential']['id']}")
    assert card.is_visible()
    assert card.locator("input[type=checkbox]").count() == 3
    if lang != "en":
        assert "Your backpack" not in page.locator("h1").inner_text()
    screenshot(page, f"backpack-{lang}-375px")
    assert _no_sideways_scrolling(browser, f"{base}/me?lang={lang}", learner["cookie"]) <= 0
    axe_context.add_cookies([learner["cookie"]])
    checked = axe_context.new_page()
    checked.goto(f"{base}/me?lang={lang}")
    assert serious_violations(checked, axe_source) == []


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ja", "ltr"), ("ar", "rtl")])
def test_public_profile_in_three_languages_at_375px(
    browser: Any,
    axe_context: Any,
    axe_source: str,
    site: dict[str, Any],
    learner: dict[str, Any],
    lang: str,
    direction: str,
) -> None:
    base = site["server"].base_url
    context = browser.new_context(viewport=NARROW, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/people/{learner['handle']}?lang={lang}")
    assert page.locator("html").get_attribute("dir") == direction
    assert page.locator("h1").inner_text() == "Ada Lovelace"
    screenshot(page, f"profile-{lang}-375px")
    context.close()
    url = f"{base}/people/{learner['handle']}?lang={lang}"
    assert _no_sideways_scrolling(browser, url, None) <= 0
    checked = axe_context.new_page()
    checked.goto(url)
    assert serious_violations(checked, axe_source) == []


def test_toggling_visibility_without_javascript(
    signed_in_page: Any, site: dict[str, Any], learner: dict[str, Any]
) -> None:
    base, credential = site["server"].base_url, learner["credential"]
    page = signed_in_page
    page.goto(f"{base}/me?lang=en")
    card = page.locator(f"#c-{credential['id']}")
    card.locator("input[name=page_public]").uncheck()
    card.locator("input[name=on_profile]").check()
    card.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "notice=saved" in page.url
    assert page.locator("[role=status]").inner_text() == "Your choice is saved."
    assert not page.locator(f"#c-{credential['id']} input[name=page_public]").is_checked()
    hidden = httpx.get(credential["url"], headers={"Accept": "text/html"}, timeout=30)
    assert hidden.status_code == 404
    assert "This credential is private" in hidden.text
    profile = httpx.get(f"{base}/people/{learner['handle']}/badges.json", timeout=30).json()
    assert profile["badges"] == []  # on the profile, but its page is hidden
    page.goto(credential["url"])
    assert "Only you can see this" in page.locator("main").inner_text()
    page.goto(f"{base}/me?lang=en")
    page.locator(f"#c-{credential['id']} input[name=page_public]").check()
    page.locator(f"#c-{credential['id']} button[type=submit]").click()
    page.wait_for_load_state()
    shown = httpx.get(f"{base}/people/{learner['handle']}/badges.json", timeout=30).json()
    assert [badge["url"] for badge in shown["badges"]] == [credential["url"]]
    page.goto(f"{base}/people/{learner['handle']}")
    assert page.locator(f"a[href='/credentials/{credential['id']}']").count() == 1
