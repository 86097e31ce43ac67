"""The issuer console in a real browser: the real server (a subprocess) with the local OAuth
provider (tests/oauth_provider.py). An owner made by ``badgeservice issuers add-owner`` signs
in with Wikimedia and works through the console; a viewer sees it and cannot change it. Every
console page is checked with axe-core (no serious or critical finding), at 375 px without
sideways scrolling, and photographed into test-artifacts/e2e/console-*.png; the page weights
land in test-artifacts/e2e/console-page-weights.json."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ARTIFACTS, arrive, screenshot, serious_violations
from tests.factories import ACHIEVEMENT, make_png
from tests.oauth_provider import CLIENT_ID, OAuthProvider, running_provider
from tests.server import Server, running_server

OWNER = {"sub": "e2e-owner", "username": "Olga Owner"}
VIEWER = {"sub": "e2e-viewer", "username": "Vic Viewer"}


@pytest.fixture(scope="module")
def console_site(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Server, OAuthProvider, httpx.Client]]:
    with running_provider("set below") as provider:
        env = {
            "BADGESERVICE_WIKIMEDIA_OAUTH_URL": provider.rest_url,
            "BADGESERVICE_WIKIMEDIA_CLIENT_ID": CLIENT_ID,
        }
        with running_server(tmp_path_factory.mktemp("e2e-console"), **env) as server:
            provider.redirect_uri = server.base_url + "/auth/wikimedia/callback"
            admin = server.cli("tokens", "create", "--admin").strip().splitlines()[-1]
            api = httpx.Client(base_url=server.base_url, timeout=30)
            api.headers["Authorization"] = f"Bearer {admin}"
            issuer = {"slug": "wmde", "name": "Wikimedia Deutschland"}
            api.post("/api/v1/issuers", json=issuer).raise_for_status()
            server.cli("issuers", "add-owner", "wmde", "--username", OWNER["username"])
            server.cli("issuers", "add-owner", "wmde", "--username", "Vic_Viewer", "--role",
                       "viewer")  # fmt: skip
            yield server, provider, api


def sign_in(page: Any, site: tuple[Server, OAuthProvider, httpx.Client], user: dict[str, str],
            lang: str = "en") -> None:  # fmt: skip
    """Signs ``user`` in with Wikimedia from the console's sign-in page."""
    server, provider, _ = site
    provider.reset()
    provider.user = dict(user)
    page.goto(f"{server.base_url}/console?lang={lang}")
    page.locator("main a[href^='/auth/wikimedia/login']").click()
    # The redirect chain (the wiki's authorize page, the callback's token exchange) runs
    # beside every other browser test on a loaded CI machine: wait for the URL, not for
    # every subresource of the page, and say where the browser stopped if it never arrives.
    arrive(page, f"{server.base_url}/console/wmde", server, wait_until="commit", timeout=90_000)
    page.wait_for_load_state("load")


def test_a_visitor_is_asked_to_sign_in_and_lands_in_the_console(
    page: Any, console_site: tuple[Server, OAuthProvider, httpx.Client]
) -> None:
    server = console_site[0]
    page.goto(f"{server.base_url}/console/wmde")
    assert page.locator("h1").inner_text() == "Sign in to the issuer console"
    screenshot(page, "console-sign-in")
    sign_in(page, console_site, OWNER)
    assert page.locator("h1").inner_text() == "Wikimedia Deutschland"
    assert page.locator(".console-who .role").inner_text() == "Owner"
    screenshot(page, "console-overview")


def test_a_viewer_sees_the_overview_without_the_issue_actions(
    page: Any, console_site: tuple[Server, OAuthProvider, httpx.Client]
) -> None:
    sign_in(page, console_site, VIEWER)
    nav = page.locator("nav.console-nav").inner_text()
    assert "Issue" not in nav.split()
    assert "Audit trail" in nav
    assert page.locator(".console-who .role").inner_text() == "Viewer"


GOOD_CSV = "name,email\nAda Lovelace,ada@example.org\nGrace Hopper,grace@example.org\n"
BAD_CSV = "name,email\nAda Lovelace,ada@example.org\nGrace Hopper,grace-at-example.org\n"


def create_achievement(page: Any, base_url: str, image: Path) -> None:
    """A two-language achievement with an image, made in the editor."""
    page.goto(f"{base_url}/console/wmde/achievements/new?lang=en")
    page.fill("#name-en", "Wikipedia editing basics")
    page.fill("#description-en", "Completed the editing workshop.")
    page.fill("#narrative-en", "Attend the workshop and edit an article.")
    page.select_option("#addLanguage", "de")
    page.click("button[value=add-language]")
    page.fill("#name-de", "Grundlagen der Wikipedia-Bearbeitung")
    page.fill("#description-de", "Hat den Bearbeitungsworkshop abgeschlossen.")
    page.fill("#narrative-de", "Am Workshop teilnehmen und einen Artikel bearbeiten.")
    page.set_input_files("#image", str(image))
    page.click(".editor-actions button[value=save]")
    assert page.locator(".notice").is_visible()
    screenshot(page, "console-journey-1-achievement")


def check_csv(page: Any, path: Path, text: str) -> None:
    """Uploads a CSV file on the Issue page (or the preview's upload-again form)."""
    path.write_text(text)
    page.set_input_files("#csv-file", str(path))
    page.select_option("#csv-achievement", label="Wikipedia editing basics")
    page.get_by_role("button", name=re.compile("Check the file")).click()
    page.wait_for_load_state()


def test_an_owner_defines_issues_from_a_fixed_csv_and_revokes_and_a_viewer_cannot(
    browser: Any, console_site: tuple[Server, OAuthProvider, httpx.Client], tmp_path: Path
) -> None:
    server = console_site[0]
    owner = browser.new_context(viewport={"width": 1024, "height": 800}).new_page()
    sign_in(owner, console_site, OWNER)
    image = tmp_path / "badge.png"
    image.write_bytes(make_png(64, 64))
    create_achievement(owner, server.base_url, image)

    owner.goto(f"{server.base_url}/console/wmde/issue")
    check_csv(owner, tmp_path / "bad.csv", BAD_CSV)
    assert owner.locator("tr.row-error").count() == 1
    assert owner.locator("form[action$='/issue/csv']").count() == 0  # nothing can be issued
    screenshot(owner, "console-journey-2-preview-with-an-error")
    check_csv(owner, tmp_path / "fixed.csv", GOOD_CSV)
    assert owner.locator("tr.row-error").count() == 0
    screenshot(owner, "console-journey-3-preview-fixed")
    owner.get_by_role("button", name="Issue 2 credentials").click()
    owner.wait_for_url(re.compile(r".*/console/wmde/batches/[0-9a-f-]+(\?.*)?$"))
    screenshot(owner, "console-journey-4-progress")
    owner.wait_for_selector("caption", timeout=30_000)  # the result table, once finished
    assert owner.locator("progress").get_attribute("value") == "2"
    screenshot(owner, "console-journey-5-results")
    owner.locator("table a").first.click()
    owner.wait_for_load_state()
    credential_page = owner.url
    owner.fill("#revoke-reason", "Issued by mistake")
    owner.check("#revoke-confirm")
    owner.get_by_role("button", name="Revoke the credential").click()
    owner.wait_for_load_state()
    assert "revoked" in owner.locator("main").inner_text().lower()
    screenshot(owner, "console-journey-6-revoked")

    viewer = browser.new_context(viewport={"width": 1024, "height": 800}).new_page()
    sign_in(viewer, console_site, VIEWER)
    viewer.goto(credential_page)
    assert viewer.locator("form[action$='/suspend']").count() == 0
    csrf = viewer.locator("input[name=csrf]").first.get_attribute("value")
    refused = viewer.request.post(
        credential_page + "/suspend", form={"csrf": csrf, "reason": "no"}, max_redirects=0
    )
    assert refused.status == 403
    viewer.goto(f"{server.base_url}/console/wmde/issue")
    assert viewer.locator("h1").inner_text() == "Not allowed"
    screenshot(viewer, "console-journey-7-viewer-refused")


def page_weight(page: Any) -> dict[str, int]:
    """Bytes the page's document and its resources took on the wire (and decoded)."""
    entries = page.evaluate(
        "() => [performance.getEntriesByType('navigation')[0],"
        " ...performance.getEntriesByType('resource')]"
        ".map(e => [e.name, e.transferSize, e.decodedBodySize])"
    )
    return {
        "requests": len(entries),
        "transfer_bytes": sum(int(e[1]) for e in entries),
        "decoded_bytes": sum(int(e[2]) for e in entries),
    }


def record_weights(weights: dict[str, dict[str, int]]) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "console-page-weights.json"
    known = json.loads(path.read_text()) if path.is_file() else {}
    path.write_text(json.dumps(known | weights, indent=2, sort_keys=True) + "\n")


CONSOLE_PAGES = [
    "",
    "/achievements",
    "/achievements/new",
    "/achievements/{achievement}",
    "/packs",
    "/packs/new",
    "/issue",
    "/issue/event",
    "/batches",
    "/batches/{batch}",
    "/credentials",
    "/credentials/{credential}",
    "/wanted-skills",
    "/members",
    "/profile",
    "/tokens",
    "/audit",
]


def console_pages(api: httpx.Client) -> list[str]:
    """Every console page of ``wmde``, with real ids (made over the API when missing)."""
    issuer = "/api/v1/issuers/wmde"
    found = api.get(f"{issuer}/achievements").json()["items"]
    achievement = found[0]["id"] if found else None
    if achievement is None:
        achievement = api.post(f"{issuer}/achievements", json=ACHIEVEMENT).json()["id"]
    batches = api.get(f"{issuer}/batches").json()["items"]
    if not batches:
        body = {"achievementId": achievement, "recipients": [{"email": "ada@example.org"}]}
        batches = [api.post(f"{issuer}/batches", json=body).json()]
    credential = api.get(f"{issuer}/credentials").json()["items"]
    ids = {"achievement": achievement, "batch": batches[0]["id"]}
    ids["credential"] = credential[0]["id"] if credential else "none-yet"
    return ["/console/wmde" + page.format(**ids) for page in CONSOLE_PAGES]


@pytest.mark.parametrize("lang", ["en", "ja", "ar"])
def test_every_console_page_is_accessible_and_fits_375px(
    browser: Any,
    axe_source: str,
    console_site: tuple[Server, OAuthProvider, httpx.Client],
    lang: str,
    tmp_path: Path,
) -> None:
    server, _, api = console_site
    pages = console_pages(api)
    context = browser.new_context(viewport={"width": 1024, "height": 800}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, console_site, OWNER, lang)
    found, weights = {}, {}
    for path in pages:
        for width in (1024, 375):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(f"{server.base_url}{path}?lang={lang}")
            assert page.locator("html").get_attribute("lang") == lang
            assert page.locator("h1").count() == 1, path
            name = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "id", path.removeprefix("/console/"))
            screenshot(page, f"console-{name.replace('/', '-')}-{lang}-{width}")
            if width == 375:
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, (path, overflow)
            else:
                weights[f"{re.sub(r'[0-9a-f]{8}-[0-9a-f-]{27}', '{id}', path)} ({lang})"] = (
                    page_weight(page)
                )
                found[path] = serious_violations(page, axe_source)
    page.goto(f"{server.base_url}/console/wmde/issue?lang={lang}")
    (tmp_path / "bad.csv").write_text(BAD_CSV)
    page.set_input_files("#csv-file", str(tmp_path / "bad.csv"))
    page.locator("form[action$='/issue/preview'] button[type=submit]").click()
    page.wait_for_load_state()
    found["csv preview"] = serious_violations(page, axe_source)
    context.close()
    record_weights(weights)
    assert found == {path: [] for path in [*pages, "csv preview"]}
