"""Every page in a real browser under its own Content-Security-Policy: nothing is refused,
nothing is loaded from another host, and /docs renders the API from our own files."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import screenshot, serious_violations


def watched(page: Any, base_url: str) -> dict[str, list[str]]:
    """What the page reports: CSP violations (console and event) and requests elsewhere."""
    seen: dict[str, list[str]] = {"csp": [], "elsewhere": [], "errors": []}

    def console(message: Any) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            seen["csp"].append(message.text)

    page.on("console", console)
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    ours = urlsplit(base_url).netloc

    def request(sent: Any) -> None:
        where = urlsplit(sent.url)
        if where.scheme in ("http", "https", "ws", "wss") and where.netloc != ours:
            seen["elsewhere"].append(sent.url)

    page.on("request", request)
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    return seen


def pages(site: dict[str, Any]) -> list[str]:
    credential = site["credential"]
    return [
        "/",
        "/verify",
        f"/verify?url={credential['url']}",
        "/issuers/wmde",
        f"/achievements/{site['achievement']['id']}",
        "/catalogue?q=editing",
        f"/credentials/{credential['id']}",
        "/no-such-page",
        "/docs",
    ]


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_pages_render_with_no_csp_violation(page: Any, site: dict[str, Any], lang: str) -> None:
    base = site["server"].base_url
    seen = watched(page, base)
    for path in pages(site):
        joiner = "&" if "?" in path else "?"
        response = page.goto(f"{base}{path}{joiner}lang={lang}")
        assert response is not None
        assert response.status == (404 if path == "/no-such-page" else 200), path
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        page.wait_for_load_state("networkidle")
        assert page.locator("h1, .swagger-ui").count() >= 1, path
    assert seen == {"csp": [], "elsewhere": [], "errors": []}


def test_docs_render_the_api_offline(page: Any, site: dict[str, Any]) -> None:
    seen = watched(page, site["server"].base_url)
    page.goto(f"{site['server'].base_url}/docs")
    page.locator(".opblock").first.wait_for(timeout=20_000)
    assert page.locator(".opblock").count() > 10
    assert "badgeservice" in page.locator(".info .title").inner_text()
    # A schema reached through a $ref that FastAPI did not list itself.
    page.locator(".opblock-summary", has_text="/batches").first.click()
    page.locator(".opblock-body").first.wait_for()
    screenshot(page, "docs")
    assert seen == {"csp": [], "elsewhere": [], "errors": []}
    assert "Could not resolve reference" not in page.locator("body").inner_text()


def test_home_and_error_pages_have_no_serious_axe_violations(
    axe_context: Any, site: dict[str, Any], axe_source: str
) -> None:
    page = axe_context.new_page()
    found = {}
    for path in ("/?lang=ar", "/no-such-page?lang=de"):
        page.goto(f"{site['server'].base_url}{path}")
        found[path] = serious_violations(page, axe_source)
    assert found == {"/?lang=ar": [], "/no-such-page?lang=de": []}
