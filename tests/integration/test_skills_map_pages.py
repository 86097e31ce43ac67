"""The skills map's public pages (``/skills-map``, ``/issuers/{slug}/skills-map``) and their
downloads, on a seeded dataset: the counts shown, the small ones written "fewer than 5" and
never as their number, the charts as SVG that parses and holds one bar per skill, the wanted
skills by gap, declared skills beside verified ones, languages, and error pages."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.db.models import DeclaredSkill, Issuer, WantedSkill
from badgeservice.domain.urls import SITE, skills_map_page_url
from badgeservice.web import i18n
from tests import skills_seed as seed
from tests.factories import create_issuer

HTML = {"Accept": "text/html", "Accept-Language": "en"}
SVG = "{http://www.w3.org/2000/svg}"


def _lookup(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


@pytest.fixture
def dataset(session: Session) -> Issuer:
    """wmde: Q1 held by 7 (6 in English, 1 in French), Q2 by 3; wmfr: Q1 by 2 more. wmde
    wants Q1 (covered), Q2 (few) and Q3 (nobody); 6 people declared they know Q4."""
    wmde = create_issuer(session)
    wmfr = create_issuer(session, slug="wmfr", name="Wikimédia France")
    items = seed.capx_framework(session, ["Q1", "Q2", "Q3", "Q4"])
    q1 = seed.achievement(session, wmde, ["Q1"])
    for n in range(6):
        seed.credential(session, wmde, q1, _lookup(f"p{n}"))
    seed.credential(session, wmde, q1, _lookup("p6"), language="fr")
    seed.credential(session, wmde, q1, _lookup("r"), revoked_at=seed.MOMENT)
    q2 = seed.achievement(session, wmde, ["Q2"])
    for n in range(3):
        seed.credential(session, wmde, q2, _lookup(f"p{n}"))
    french = seed.achievement(session, wmfr, ["Q1"])
    for name in ("f1", "f2"):
        seed.credential(session, wmfr, french, _lookup(name), language="fr")
    for qid in ("Q1", "Q2", "Q3"):
        session.add(WantedSkill(issuer_id=wmde.id, item_id=items[qid].id))
    for n in range(6):
        session.add(
            DeclaredSkill(
                issuer_id=wmde.id,
                person_lookup=_lookup(f"d{n}"),
                item_id=items["Q4"].id,
                kind="known",
            )
        )
    session.commit()
    return wmde


def rows(page: str) -> dict[str, list[str]]:
    """The skills table: label → its cells as text (tags stripped)."""
    table = page.split('aria-labelledby="held-heading"', 1)[1].split("</table>", 1)[0]
    found: dict[str, list[str]] = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]:
        cells = [
            re.sub(r"<[^>]+>", "", c).strip()
            for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        found[cells[0]] = cells[1:]
    return found


def chart(page: str, chart_id: str) -> ET.Element:
    """The inline SVG chart ``chart_id`` of the page, parsed as XML."""
    match = re.search(rf'<svg [^>]*id="{chart_id}".*?</svg>', page, re.S)
    assert match, chart_id
    return ET.fromstring(match.group(0))


def bars(svg: ET.Element) -> list[tuple[str, str, str]]:
    """Each bar as (its title, its class, its fill)."""
    return [
        (
            str(g.findtext(f"{SVG}title")),
            str(g.find(f"{SVG}rect").get("class")),  # type: ignore[union-attr]
            str(g.find(f"{SVG}rect").get("fill")),  # type: ignore[union-attr]
        )
        for g in svg.iter(f"{SVG}g")
    ]


def test_the_deployments_map_shows_counts_and_hides_small_ones(
    client: TestClient, dataset: Issuer
) -> None:
    response = client.get(skills_map_page_url(SITE), headers=HTML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    table = rows(page)
    assert table["Skill Q1"][:2] == ["Wikimedia Capacity Exchange", "9"]
    assert table["Skill Q2"][1] == "fewer than 5"
    # wmfr's 2 are hidden, so wmde's 7 is too: 9 - 7 would give them away.
    assert table["Skill Q1"][-1] == "wmde: fewer than 5wmfr: fewer than 5"
    assert table["Skill Q3"][1] == "0"  # wanted by wmde, held by nobody
    assert "Wanted skills" not in page  # an issuer's section
    svg = chart(page, "people-chart")
    assert svg.get("role") == "img"
    assert svg.findtext(f"{SVG}title") == "People per skill"
    assert bars(svg) == [
        ("Skill Q1: 9", "bar", "#0b53b8"),
        ("Skill Q2: fewer than 5", "bar hidden", "none"),
    ]
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "3" not in texts
    assert "9" in texts
    assert 'href="/skills-map.csv"' in page
    assert 'href="/skills-map.json"' in page
    assert 'href="/issuers/wmfr/skills-map"' in page


def test_an_issuers_map_has_its_wanted_skills_by_gap_and_declared_skills(
    client: TestClient, dataset: Issuer
) -> None:
    page = client.get(skills_map_page_url(SITE, "wmde"), headers=HTML).text
    assert "<h1>Skills map of Wikimedia Deutschland</h1>" in page
    table = rows(page)
    assert table["Skill Q1"][1] == "7"  # wmde's credentials only
    assert table["Skill Q1"][4].count("fewer than 5") == 2  # en 6 and fr 1: both hidden
    assert table["Skill Q4"][1:3] == ["0", "6"]  # declared, never added to the verified count
    assert "Say they know it (declared, not verified)" in page
    wanted = page.split('aria-labelledby="wanted-heading"', 1)[1].split("</table>", 1)[0]
    assert re.findall(r'<tr class="gap-(\w+)">', wanted) == ["nobody", "few", "covered"]
    assert "Fewer than 5 people hold it" in wanted
    gaps = chart(page, "gap-chart")
    assert [title for title, _, _ in bars(gaps)] == [
        "Nobody holds it yet: 1 skill",
        "Fewer than 5 people hold it: 1 skill",
        "Covered: 5 people or more hold it: 1 skill",
    ]
    assert 'href="/issuers/wmde/skills-map.csv"' in page
    assert 'href="/issuers/wmde"' in page


@pytest.mark.parametrize(
    ("query", "accept", "language"),
    [("?lang=de", "en", "de"), ("", "ar, en;q=0.5", "ar"), ("", "ja-JP", "ja")],
)
def test_the_page_speaks_the_visitors_language(
    client: TestClient, dataset: Issuer, query: str, accept: str, language: str
) -> None:
    response = client.get(
        f"/issuers/wmde/skills-map{query}",
        headers={"Accept": "text/html", "Accept-Language": accept},
    )
    assert response.headers["content-language"] == language
    direction = i18n.direction(language)
    assert f'<html lang="{language}" dir="{direction}">' in response.text
    fewer = i18n.gettext(language, "fewer than %(threshold)d") % {"threshold": 5}
    assert fewer != "fewer than 5"
    assert rows(response.text)["Fähigkeit Q2" if language == "de" else "Skill Q2"][1] == fewer
    svg = chart(response.text, "people-chart")
    assert svg.get("direction") == direction
    assert svg.findtext(f"{SVG}title") == i18n.gettext(language, "People per skill")


def test_the_downloads_are_the_same_map(client: TestClient, dataset: Issuer) -> None:
    json_file = client.get(
        skills_map_page_url(SITE, suffix=".json"), headers={"Accept-Language": "de"}
    )
    assert json_file.status_code == 200
    assert 'filename="skills-map.json"' in json_file.headers["content-disposition"]
    assert json_file.json() == client.get("/api/v1/skills-map?lang=de").json()
    csv_file = client.get(skills_map_page_url(SITE, "wmde", ".csv"))
    assert csv_file.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="skills-map-wmde.csv"' in csv_file.headers["content-disposition"]
    table = {row["code"]: row for row in csv.DictReader(io.StringIO(csv_file.text))}
    assert (table["Q1"]["people"], table["Q2"]["people"], table["Q2"]["gap"]) == ("7", "<5", "few")
    again = client.get(
        skills_map_page_url(SITE, "wmde", ".csv"),
        headers={"If-None-Match": csv_file.headers["etag"]},
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/issuers/nobody/skills-map", 404),
        ("/issuers/nobody/skills-map.csv", 404),
        ("/skills-map.xml", 404),
        ("/issuers/wmde/skills-map.pdf", 404),
        ("/issuers/nobody/skills-map.pdf", 404),
    ],
)
def test_bad_addresses_are_pages_in_the_visitors_language(
    client: TestClient, dataset: Issuer, path: str, status: int
) -> None:
    response = client.get(path, headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-language"] == "fr"


def test_an_empty_map_says_so_and_the_map_is_linked(client: TestClient, session: Session) -> None:
    create_issuer(session)
    session.commit()
    page = client.get("/skills-map", headers=HTML).text
    assert "No skill is in the map yet" in page
    assert "<svg" not in page
    issuer = client.get("/issuers/wmde/skills-map", headers=HTML).text
    assert "This issuer has not said which skills it wants." in issuer
    assert 'href="/skills-map"' in client.get("/", headers=HTML).text
    assert 'href="/issuers/wmde/skills-map"' in client.get("/issuers/wmde", headers=HTML).text
