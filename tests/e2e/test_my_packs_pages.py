"""A learner's learning packs in a real browser: from the backpack to the list of packs (with
one suggested for a skill they lack) to their progress through one pack and to its public
page, JavaScript off; each page under its CSP, at 375 px without sideways scrolling and axe
clean, in English, Japanese and Arabic (right to left)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from badgeservice.db.models import User
from tests.e2e.conftest import screenshot, serious_violations, signed_in_cookie
from tests.e2e.test_site_pages import watched
from tests.factories import ACHIEVEMENT

NARROW = {"width": 375, "height": 740}
EMAIL = "grace@example.org"
WIKIDATA = "http://www.wikidata.org/entity/"
API = "/api/v1/issuers/wmde"
# The skills map's e2e test imports the same capacities: importing twice changes nothing.
CAPACITIES = [
    {"id": n, "skill_wikidata_item": f"Q{n}", "labels": labels}
    for n, labels in (
        (1, {"en": "Organising events", "ar": "تنظيم الفعاليات"}),
        (2, {"en": "Mentoring newcomers", "ar": "إرشاد القادمين الجدد"}),
        (3, {"en": "Writing documentation", "ar": "كتابة التوثيق"}),
    )
]


def _achievement(client: httpx.Client, en: str, ar: str, *qids: str) -> str:
    alignments = [{"targetName": q, "targetUrl": WIKIDATA + q, "targetCode": q} for q in qids]
    body = ACHIEVEMENT | {"name": {"en": en, "ar": ar}, "alignments": alignments}
    made = client.post(f"{API}/achievements", json=body)
    made.raise_for_status()
    return str(made.json()["id"])


def _pack(client: httpx.Client, slug: str, en: str, ar: str, steps: list[Any], **more: Any) -> None:
    body = {"slug": slug, "name": {"en": en, "ar": ar}, "audience": "newcomer", "steps": steps}
    client.post(f"{API}/packs", json=body | more).raise_for_status()


@pytest.fixture(scope="module")
def on_packs(site: dict[str, Any]) -> dict[str, Any]:
    """A path of two badges and a course, with a pack badge; Grace holds the first badge. A
    second pack's badge is aligned to a capacity Grace lacks."""
    server, client = site["server"], site["client"]
    admin = server.cli("tokens", "create", "--admin").strip().splitlines()[-1]
    with httpx.Client(base_url=server.base_url, timeout=30) as plain:
        plain.post(
            "/api/v1/frameworks/capx/import",
            json=CAPACITIES,
            headers={"Authorization": f"Bearer {admin}"},
        ).raise_for_status()
    first = _achievement(client, "First edit", "أول تعديل")
    cite = _achievement(client, "Citing sources", "الاستشهاد بالمصادر")
    award = _achievement(client, "Editor's path", "مسار المحرر")
    docs = _achievement(client, "Documentation", "التوثيق", "Q3")
    course = {
        "kind": "activity",
        "url": "https://example.org/course",
        "title": {"en": "A short course", "ar": "دورة قصيرة"},
        "resources": [{"url": "https://example.org/video", "title": {"en": "A video"}}],
    }
    steps = [{"kind": "achievement", "achievementId": a} for a in (first, cite)] + [course]
    _pack(client, "e2e-path", "The editor's path", "مسار المحرر", steps, achievementId=award)
    docs_step = [{"kind": "achievement", "achievementId": docs}]
    _pack(client, "e2e-docs", "Writing help pages", "كتابة صفحات المساعدة", docs_step)
    body = {"achievementId": first, "recipient": {"email": EMAIL, "name": "Grace Hopper"}}
    client.post(f"{API}/credentials", json=body).raise_for_status()
    # Grace is left out of the skills map, whose pages the skills map's e2e test counts.
    grace = User(handle="grace", display_name="Grace Hopper", skills_map_excluded=True)
    return {"base": server.base_url, "cookie": signed_in_cookie(server, EMAIL, grace)}


def test_from_the_backpack_to_a_packs_progress_without_javascript(
    browser: Any, on_packs: dict[str, Any]
) -> None:
    base = on_packs["base"]
    context = browser.new_context(viewport=NARROW, java_script_enabled=False)
    context.add_cookies([on_packs["cookie"]])
    page = context.new_page()
    page.goto(f"{base}/me?lang=en")
    page.click("a[href='/me/packs']")
    page.wait_for_url(f"{base}/me/packs")
    assert page.locator("h1").inner_text() == "Your learning packs"
    card = page.locator("li.card", has=page.locator("a[href='/me/packs/wmde/e2e-path']"))
    assert "1 of 2 steps done" in card.inner_text()
    suggested = page.locator("li.card", has=page.locator("a[href='/issuers/wmde/packs/e2e-docs']"))
    assert "Writing documentation" in suggested.inner_text()
    page.click("a[href='/me/packs/wmde/e2e-path']")
    page.wait_for_url(f"{base}/me/packs/wmde/e2e-path")
    assert page.locator("h1").inner_text() == "The editor's path"
    assert page.locator("li.step-done").count() == 1
    assert page.locator("li.step-open").count() == 2
    clr = page.locator("a[href='/me/clr/wmde/e2e-path.json']")
    assert clr.is_visible()
    with page.expect_download() as download:
        clr.click()
    assert download.value.suggested_filename == "clr-wmde-e2e-path.json"
    page.click("a[href='/issuers/wmde/packs/e2e-path']")
    page.wait_for_url(f"{base}/issuers/wmde/packs/e2e-path")
    assert page.locator("h1").inner_text() == "The editor's path"
    page.click("a[href='/me/packs/wmde/e2e-path']")  # back to the progress from the pack
    page.wait_for_url(f"{base}/me/packs/wmde/e2e-path")
    assert page.locator("li.step-done").count() == 1
    context.close()


PAGES = ("/me/packs", "/me/packs/wmde/e2e-path", "/issuers/wmde/packs/e2e-path")


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ja", "ltr"), ("ar", "rtl")])
def test_the_pack_pages_at_375px_under_their_csp_and_axe_clean(
    browser: Any,
    axe_context: Any,
    axe_source: str,
    on_packs: dict[str, Any],
    lang: str,
    direction: str,
) -> None:
    base = on_packs["base"]
    context = browser.new_context(viewport=NARROW)
    context.add_cookies([on_packs["cookie"]])
    page = context.new_page()
    seen = watched(page, base)
    for path in PAGES:
        response = page.goto(f"{base}{path}?lang={lang}")
        assert response is not None
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("dir") == direction
        if lang != "en":
            assert "Your learning packs" not in page.locator("body").inner_text()
        overflow = int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))
        assert overflow <= 0, path
        screenshot(page, f"my-packs{path.replace('/', '-')}-{lang}-375px")
    assert seen == {"csp": [], "elsewhere": [], "errors": []}
    context.close()
    axe_context.add_cookies([on_packs["cookie"]])
    for path in PAGES:
        checked = axe_context.new_page()
        checked.set_viewport_size(NARROW)
        checked.goto(f"{base}{path}?lang={lang}")
        assert serious_violations(checked, axe_source) == [], path
        checked.close()
