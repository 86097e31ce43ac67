"""The public page of the shared catalogue (``/catalogue``: search, pages, the defining
issuer) and the achievement page of a shared skill ("Shared skill, defined by X")."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient

from badgeservice.domain.urls import SITE, achievement_url, catalogue_page_url
from badgeservice.web import catalogue_page
from tests.factories import ACHIEVEMENT, ISSUER_API

HTML = {"Accept": "text/html", "Accept-Language": "en"}
SKILL = ACHIEVEMENT | {"achievementType": "Competency", "shared": True}


def share(client: TestClient, headers: dict[str, str], name: str) -> str:
    body = SKILL | {"name": {"en": name, "de": f"{name} (de)"}}
    made = client.post(f"{ISSUER_API}/achievements", json=body, headers=headers)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def names(page: str) -> list[str]:
    return re.findall(r'<h2><a href="/achievements/[^"]+"[^>]*>([^<]+)</a></h2>', page)


def test_the_catalogue_page_lists_searches_and_pages_the_shared_skills(
    client: TestClient, headers: dict[str, str]
) -> None:
    skill = share(client, headers, "Organising an edit-a-thon")
    private = client.post(f"{ISSUER_API}/achievements", json=ACHIEVEMENT, headers=headers)
    assert private.status_code == 201
    page = client.get(catalogue_page_url(SITE), headers=HTML)
    assert page.status_code == 200
    assert names(page.text) == ["Organising an edit-a-thon"]
    assert f'href="{achievement_url(SITE, uuid.UUID(skill))}"' in page.text
    assert "Shared skill, defined by" in page.text
    assert 'href="/issuers/wmde"' in page.text
    assert '<label for="q">' in page.text

    assert names(client.get("/catalogue", params={"q": "EDIT-A-THON"}, headers=HTML).text)
    empty = client.get("/catalogue", params={"q": "astronomy"}, headers=HTML)
    assert names(empty.text) == []
    assert "No shared skill holds these words." in empty.text

    german = client.get("/catalogue", headers={"Accept": "text/html", "Accept-Language": "de"})
    assert names(german.text) == ["Organising an edit-a-thon (de)"]


def test_the_catalogue_pages_have_links_to_each_other(
    client: TestClient, headers: dict[str, str]
) -> None:
    for n in range(catalogue_page.PAGE_SIZE + 1):
        share(client, headers, f"Skill {n:02d}")
    first = client.get("/catalogue", headers=HTML).text
    assert len(names(first)) == catalogue_page.PAGE_SIZE
    assert 'href="/catalogue?page=2" rel="next"' in first
    second = client.get("/catalogue?page=2", headers=HTML).text
    assert names(second) == [f"Skill {catalogue_page.PAGE_SIZE:02d}"]
    assert 'href="/catalogue" rel="prev"' in second
    assert client.get("/catalogue?page=0", headers=HTML).status_code == 422
    assert client.get("/catalogue?page=x", headers=HTML).status_code == 422


def test_a_shared_skills_page_names_its_defining_issuer(
    client: TestClient, headers: dict[str, str]
) -> None:
    skill = share(client, headers, "Organising an edit-a-thon")
    page = client.get(f"/achievements/{skill}", headers=HTML).text
    assert re.search(r'Shared skill, defined by <a href="/issuers/wmde"[^>]*>', page)
    assert 'href="/catalogue"' in page
    private = client.post(f"{ISSUER_API}/achievements", json=ACHIEVEMENT, headers=headers)
    other = client.get(f"/achievements/{private.json()['id']}", headers=HTML).text
    assert "Shared skill" not in other
    assert "Offered by" in other
