"""Achievements: multilingual definitions, merge-patch edits, images, public documents."""

from __future__ import annotations

import copy
from typing import Any
from xml.etree.ElementTree import canonicalize

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Image
from tests.factories import ACHIEVEMENT, SVG, bearer, create_issuer, create_token, make_png

BASE = "/api/v1/issuers/wmde/achievements"


@pytest.fixture
def issuer_token(session: Session) -> dict[str, str]:
    return bearer(create_token(session, create_issuer(session)))


def create(client: TestClient, headers: dict[str, str], **overrides: Any) -> dict[str, Any]:
    response = client.post(BASE, json=ACHIEVEMENT | overrides, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def count(session: Session, model: type) -> int:
    session.rollback()  # a fresh snapshot (SQLite reads see the one they began with)
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_create_and_read_achievement(client: TestClient, issuer_token: dict[str, str]) -> None:
    created = create(client, issuer_token)
    assert created["languages"] == ["en", "de"]
    assert created["url"] == f"http://localhost:8000/achievements/{created['id']}"
    assert created["alignments"][0]["targetFramework"] == "ESCO"
    fetched = client.get(f"{BASE}/{created['id']}", headers=issuer_token).json()
    assert fetched == created


def test_list_achievements_pages(client: TestClient, issuer_token: dict[str, str]) -> None:
    ids = [create(client, issuer_token, tags=[f"t{i}"])["id"] for i in range(3)]
    page = client.get(f"{BASE}?limit=2&offset=1", headers=issuer_token).json()
    assert page["total"] == 3
    assert [a["id"] for a in page["items"]] == ids[1:]


def test_merge_patch_edits_one_language(client: TestClient, issuer_token: dict[str, str]) -> None:
    created = create(client, issuer_token)
    patch = {"name": {"de": None, "fr": "Les bases"}, "tags": ["a", "b"]}
    response = client.patch(f"{BASE}/{created['id']}", json=patch, headers=issuer_token)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["name"] == {"en": "Wikipedia editing basics", "fr": "Les bases"}
    assert updated["tags"] == ["a", "b"]
    assert updated["revision"] == created["revision"] + 1


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"name": {"de": "nur Deutsch"}}, "/body"),
        ({"defaultLanguage": "klingon"}, "/body/defaultLanguage"),
        ({"name": {"xx-yy-zz": "?"} | ACHIEVEMENT["name"]}, "/body/name"),
        ({"achievementType": "Trophy"}, "/body/achievementType"),
        ({"criteria": {}}, "/body/criteria"),
        ({"alignments": [{"targetName": "x"}]}, "/body/alignments/0/targetUrl"),
        (
            {"resultDescriptions": [{"name": "Score", "resultType": "Vibes"}]},
            "/body/resultDescriptions/0/resultType",
        ),
        ({"colour": "red"}, "/body/colour"),
    ],
)
def test_invalid_achievement_gets_422(
    client: TestClient,
    session: Session,
    issuer_token: dict[str, str],
    change: dict[str, Any],
    pointer: str,
) -> None:
    body = copy.deepcopy(ACHIEVEMENT) | change
    response = client.post(BASE, json=body, headers=issuer_token)
    assert response.status_code == 422, response.text
    assert any(e["pointer"].startswith(pointer) for e in response.json()["errors"])
    assert count(session, Achievement) == 0


def test_invalid_patch_changes_nothing(client: TestClient, issuer_token: dict[str, str]) -> None:
    created = create(client, issuer_token)
    response = client.patch(
        f"{BASE}/{created['id']}", json={"name": {"en": None}}, headers=issuer_token
    )
    assert response.status_code == 422
    assert client.get(f"{BASE}/{created['id']}", headers=issuer_token).json() == created


@pytest.mark.parametrize(
    ("content", "media_type"), [(make_png(), "image/png"), (SVG, "image/svg+xml")]
)
def test_uploaded_image_is_served_immutable(
    client: TestClient, issuer_token: dict[str, str], content: bytes, media_type: str
) -> None:
    created = create(client, issuer_token)
    response = client.put(
        f"{BASE}/{created['id']}/image",
        content=content,
        headers=issuer_token | {"Content-Type": media_type},
    )
    assert response.status_code == 200, response.text
    image_url = response.json()["image"]["url"]
    served = client.get(image_url.removeprefix("http://localhost:8000"))
    if media_type == "image/png":
        assert served.content == content
    else:  # written anew by the cleaning, the same document
        assert canonicalize(served.text) == canonicalize(content.decode())
    assert served.headers["content-type"] == media_type
    assert "immutable" in served.headers["cache-control"]
    again = client.get(
        image_url.removeprefix("http://localhost:8000"),
        headers={"If-None-Match": served.headers["etag"]},
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("content", "media_type", "status"),
    [
        (b"GIF89a....", "image/png", 422),
        (make_png()[:-8], "image/png", 422),
        (make_png()[:23] + b"\x07" + make_png()[24:], "image/png", 422),
        (
            b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg"/>',
            "image/svg+xml",
            422,
        ),
        (b"<svg", "image/svg+xml", 422),
        (make_png(), "image/gif", 415),
    ],
)
def test_bad_images_are_refused(
    client: TestClient,
    session: Session,
    issuer_token: dict[str, str],
    content: bytes,
    media_type: str,
    status: int,
) -> None:
    created = create(client, issuer_token)
    response = client.put(
        f"{BASE}/{created['id']}/image",
        content=content,
        headers=issuer_token | {"Content-Type": media_type},
    )
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert count(session, Image) == 0


def test_oversize_image_gets_413(client: TestClient, issuer_token: dict[str, str]) -> None:
    created = create(client, issuer_token)
    response = client.put(
        f"{BASE}/{created['id']}/image",
        content=make_png() + b"\x00" * 100_000,
        headers=issuer_token | {"Content-Type": "image/png"},
    )
    assert response.status_code == 413


def test_public_achievement_json_ld_and_html(
    client: TestClient, issuer_token: dict[str, str]
) -> None:
    created = create(client, issuer_token)
    path = f"/achievements/{created['id']}"
    document = client.get(path, headers={"Accept": "application/ld+json"}).json()
    assert document["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert document["id"] == created["url"]
    assert document["name"] == "Wikipedia editing basics"
    german = client.get(f"{path}?lang=de", headers={"Accept": "application/ld+json"}).json()
    assert german["name"] == "Grundlagen der Wikipedia-Bearbeitung"
    assert german["inLanguage"] == "de"
    page = client.get(f"{path}?lang=de", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="de" dir="ltr">' in page.text
    assert "Grundlagen der Wikipedia-Bearbeitung" in page.text


def test_public_achievement_escapes_html(client: TestClient, issuer_token: dict[str, str]) -> None:
    created = create(client, issuer_token, name={"en": "<script>alert(1)</script>"})
    page = client.get(f"/achievements/{created['id']}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text


@pytest.mark.parametrize("method", ["GET", "PATCH"])
def test_other_issuer_cannot_reach_achievement(
    client: TestClient, session: Session, issuer_token: dict[str, str], method: str
) -> None:
    created = create(client, issuer_token)
    other = bearer(create_token(session, create_issuer(session, slug="other", name="Other")))
    for path in (f"{BASE}/{created['id']}", f"/api/v1/issuers/other/achievements/{created['id']}"):
        response = client.request(method, path, json={"tags": ["x"]}, headers=other)
        assert response.status_code in {403, 404}
    assert client.get(f"{BASE}/{created['id']}", headers=issuer_token).json() == created


def test_read_only_token_cannot_write(client: TestClient, session: Session) -> None:
    issuer = create_issuer(session)
    reader = bearer(create_token(session, issuer, scopes=["achievements:read"]))
    response = client.post(BASE, json=ACHIEVEMENT, headers=reader)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
