"""The skills map's pages in a real browser: under their own CSP with nothing refused and no
script error, the SVG charts drawn inline, at 375 px without sideways scrolling, axe clean, in
English and Arabic (right to left)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import screenshot, serious_violations
from tests.e2e.test_site_pages import watched
from tests.factories import ACHIEVEMENT

NARROW = {"width": 375, "height": 740}
WIKIDATA = "http://www.wikidata.org/entity/"


@pytest.fixture(scope="module")
def mapped(site: dict[str, Any]) -> dict[str, Any]:
    """A CapX framework; wmde's credentials for Q1 (6 people) and Q2 (2: hidden); wmde wants
    Q1, Q2 and Q3."""
    server = site["server"]
    admin = server.cli("tokens", "create", "--admin").strip().splitlines()[-1]
    capacities = [
        {"id": n, "skill_wikidata_item": f"Q{n}", "labels": labels}
        for n, labels in (
            (1, {"en": "Organising events", "ar": "تنظيم الفعاليات"}),
            (2, {"en": "Mentoring newcomers", "ar": "إرشاد القادمين الجدد"}),
            (3, {"en": "Writing documentation", "ar": "كتابة التوثيق"}),
        )
    ]
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        client.post(
            "/api/v1/frameworks/capx/import",
            json=capacities,
            headers={"Authorization": f"Bearer {admin}"},
        ).raise_for_status()
    client = site["client"]  # wmde's token
    for qid, people in (("Q1", 6), ("Q2", 2)):
        alignment = {"targetName": qid, "targetUrl": WIKIDATA + qid, "targetCode": qid}
        made = client.post(
            "/api/v1/issuers/wmde/achievements", json=ACHIEVEMENT | {"alignments": [alignment]}
        )
        made.raise_for_status()
        for n in range(people):
            body = {"achievementId": made.json()["id"], "recipient": {"email": f"{qid}-{n}@e.org"}}
            client.post("/api/v1/issuers/wmde/credentials", json=body).raise_for_status()
    wanted = {"items": [{"framework": "capx", "code": q} for q in ("Q1", "Q2", "Q3")]}
    client.put("/api/v1/issuers/wmde/wanted-skills", json=wanted).raise_for_status()
    return site


@pytest.mark.parametrize(("lang", "direction"), [("en", "ltr"), ("ar", "rtl")])
def test_the_skills_maps_render_under_their_csp_at_375px(
    browser: Any,
    axe_context: Any,
    axe_source: str,
    mapped: dict[str, Any],
    lang: str,
    direction: str,
) -> None:
    base = mapped["server"].base_url
    context = browser.new_context(viewport=NARROW)
    page = context.new_page()
    seen = watched(page, base)
    for path, charts in (("/skills-map", 1), ("/issuers/wmde/skills-map", 2)):
        response = page.goto(f"{base}{path}?lang={lang}")
        assert response is not None
        assert response.status == 200
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        page.wait_for_load_state("networkidle")
        assert page.locator("html").get_attribute("dir") == direction
        assert page.locator("svg.chart[role=img]").count() == charts
        assert page.locator("#people-chart rect.bar").count() >= 2
        assert page.locator("#people-chart rect.hidden").count() == 1  # Q2: fewer than 5
        box = page.locator("#people-chart").bounding_box()
        assert box is not None
        assert 0 < box["width"] <= NARROW["width"]
        overflow = int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))
        assert overflow <= 0, path
        screenshot(page, f"skills-map{path.replace('/', '-')}-{lang}-375px")
    assert seen == {"csp": [], "elsewhere": [], "errors": []}
    context.close()
    for path in ("/skills-map", "/issuers/wmde/skills-map"):
        checked = axe_context.new_page()
        checked.set_viewport_size(NARROW)
        checked.goto(f"{base}{path}?lang={lang}")
        assert serious_violations(checked, axe_source) == [], path
        checked.close()
