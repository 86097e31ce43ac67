"""Sign in with Wikimedia in a real browser: the real server (a subprocess) configured for the
local OAuth provider (tests/oauth_provider.py), clicked through in en, ja and ar, signed out,
at 375 px, and checked with axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import arrive, screenshot, serious_violations
from tests.oauth_provider import CLIENT_ID, OAuthProvider, running_provider
from tests.server import Server, running_server


@pytest.fixture(scope="module")
def wiki_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, OAuthProvider]]:
    with running_provider("set below") as provider:
        env = {
            "BADGESERVICE_WIKIMEDIA_OAUTH_URL": provider.rest_url,
            "BADGESERVICE_WIKIMEDIA_CLIENT_ID": CLIENT_ID,
        }
        with running_server(tmp_path_factory.mktemp("e2e-sign-in"), **env) as server:
            provider.redirect_uri = server.base_url + "/auth/wikimedia/callback"
            yield server, provider


@pytest.mark.parametrize(
    ("lang", "direction", "signed_in"),
    [
        ("en", "ltr", "You are signed in"),
        ("ja", "ltr", "サインインしています"),
        ("ar", "rtl", "أنت مسجّل الدخول"),
    ],
)
def test_click_through_wikimedia_sign_in_and_out(
    page: Any, wiki_site: tuple[Server, OAuthProvider], lang: str, direction: str, signed_in: str
) -> None:
    server, provider = wiki_site
    provider.reset()
    provider.user = {"sub": f"e2e-{lang}", "username": "Ada Lovelace"}
    page.goto(f"{server.base_url}/auth/sign-in?lang={lang}")
    root = page.locator("html")
    assert (root.get_attribute("lang"), root.get_attribute("dir")) == (lang, direction)
    page.locator("#wikimedia-sign-in").click()
    arrive(page, f"{server.base_url}/auth/sign-in", server)
    main = page.locator("main").inner_text()
    assert signed_in in main, main
    assert "Ada Lovelace" in main
    assert any(path.endswith("/oauth2/resource/profile") for path, _ in provider.requests)
    screenshot(page, f"sign-in-done-{lang}")
    page.locator("form[action='/auth/logout'] button").click()
    page.wait_for_load_state()
    assert page.locator("#wikimedia-sign-in").is_visible()
    assert page.locator("form[action='/auth/logout']").count() == 0


def test_sign_in_page_at_375px_without_sideways_scrolling(
    browser: Any, wiki_site: tuple[Server, OAuthProvider]
) -> None:
    server, _ = wiki_site
    context = browser.new_context(viewport={"width": 375, "height": 700})
    narrow = context.new_page()
    narrow.goto(f"{server.base_url}/auth/sign-in?lang=ar")
    overflow = narrow.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    screenshot(narrow, "sign-in-ar-375px")
    context.close()
    assert overflow <= 0


@pytest.mark.parametrize("path", ["/auth/sign-in", "/auth/email", "/auth/email/unknown-link"])
def test_sign_in_pages_have_no_serious_accessibility_findings(
    axe_context: Any, axe_source: str, wiki_site: tuple[Server, OAuthProvider], path: str
) -> None:
    server, _ = wiki_site
    checked = axe_context.new_page()
    checked.goto(f"{server.base_url}{path}?lang=ja")
    assert serious_violations(checked, axe_source) == []
