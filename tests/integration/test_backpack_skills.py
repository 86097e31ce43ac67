"""The backpack shows the learner's verified skills by framework (items their active
credentials align to) and the skills map's opt-out."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.services import frameworks
from tests.accounts import sign_in_as
from tests.factories import ACHIEVEMENT, ISSUER_API, issue_over_api

CAPACITIES = [
    {"id": 7, "skill_wikidata_item": "Q7",
     "labels": {"en": "Organising events", "de": "Veranstaltungen organisieren"}},
]  # fmt: skip


def test_the_backpack_lists_verified_skills_in_the_pages_language(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    frameworks.import_framework(
        session, "capx", json.dumps(CAPACITIES).encode(), now=now, actor="t"
    )
    session.commit()
    (found,), _ = frameworks.search_items(session, "events")
    alignment = frameworks.alignment_of(found[0], found[1], "en")
    body = ACHIEVEMENT | {"alignments": [alignment]}
    achievement = client.post(f"{ISSUER_API}/achievements", json=body, headers=headers).json()
    issued = issue_over_api(
        client, headers, achievement["id"], recipient={"email": "ada@example.org"}
    )
    session.rollback()  # the read above ends before the session writes (SQLite)
    sign_in_as(client, session, "ada@example.org", "ada")
    page = client.get("/me?lang=de", headers={"Accept": "text/html"}).text
    assert "Wikimedia Capacity Exchange" in page
    assert "Veranstaltungen organisieren" in page
    assert 'name="excluded"' in page
    client.post(f"{ISSUER_API}/credentials/{issued['id']}/revoke", json={}, headers=headers)
    page = client.get("/me?lang=en", headers={"Accept": "text/html"}).text
    assert "Organising events" not in page
    assert "names a skill of an imported framework yet" in page
