"""The console's wanted skills: staff find a skill of the imported frameworks and add it, see
its gap from the issuer's credentials (nobody, few, covered), remove it, and import a Capacity
Exchange organisation's wanted capacities; a viewer reads but cannot change them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.services import frameworks, issuers, skills_needs
from tests.factories import ACHIEVEMENT, ISSUER_API
from tests.integration.console.conftest import HTML, ConsoleClient, csrf_of

PAGE = "/console/wmde/wanted-skills"
CAPACITIES = [
    {"id": 1, "skill_wikidata_item": "Q1", "labels": {"en": "Community", "de": "Gemeinschaft"}},
    {"id": 7, "skill_wikidata_item": "Q7", "skill_type": [1],
     "labels": {"en": "Organising events", "de": "Veranstaltungen organisieren"}},
]  # fmt: skip


def _import(session: Session) -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    frameworks.import_framework(
        session, "capx", json.dumps(CAPACITIES).encode(), now=now, actor="t"
    )
    session.commit()


def _post(client: TestClient, action: str, **fields: str) -> httpx.Response:
    data = {"csrf": csrf_of(client, PAGE)} | fields
    return client.post(f"{PAGE}/{action}", data=data, headers=HTML, follow_redirects=False)


def _wanted(session: Session) -> list[tuple[str, str]]:
    session.rollback()
    entries = skills_needs.list_wanted(session, issuers.get_issuer(session, "wmde"))
    return [(e.code, e.source) for e in entries]


def test_staff_add_a_wanted_skill_see_its_gap_and_remove_it(
    console_client: ConsoleClient,
    session: Session,
    client: TestClient,
    headers: dict[str, str],
) -> None:
    _import(session)
    owner = console_client("owner")
    page = owner.get(PAGE, headers=HTML)
    assert page.status_code == 200, page.text
    assert "No wanted skill yet." in page.text
    assert 'href="/console/wmde/wanted-skills" aria-current="page"' in page.text
    found = owner.get(f"{PAGE}?q=veranstaltungen", headers=HTML)
    assert "Add “Organising events”" in found.text
    added = _post(owner, "add", framework="capx", code="Q7")
    assert added.status_code == 303
    assert _wanted(session) == [("Q7", "manual")]
    assert "Nobody holds it" in owner.get(PAGE, headers=HTML).text

    alignment = {
        "targetName": "Organising events",
        "targetUrl": "http://www.wikidata.org/entity/Q7",
        "targetType": "ext:WikidataItem",
    }
    aligned = ACHIEVEMENT | {"alignments": [alignment]}
    made = client.post(f"{ISSUER_API}/achievements", json=aligned, headers=headers)
    assert made.status_code == 201, made.text
    body = {"achievementId": made.json()["id"], "recipient": {"email": "ada@example.org"}}
    assert client.post(f"{ISSUER_API}/credentials", json=body, headers=headers).status_code == 201
    shown = owner.get(PAGE, headers=HTML).text
    assert "Few hold it" in shown
    assert "fewer than 5" in shown  # one person: the count itself is never shown

    removed = _post(owner, "remove", framework="capx", code="Q7")
    assert removed.status_code == 303
    assert _wanted(session) == []


def test_a_capx_export_is_imported_and_its_unknown_capacities_named(
    console_client: ConsoleClient, session: Session
) -> None:
    _import(session)
    owner = console_client("owner")
    export = {"organization": {"wanted_capacities": ["Q1", "Q99"]}}
    imported = _post(owner, "capx", export=json.dumps(export))
    assert imported.status_code == 200, imported.text
    assert "Q99" in imported.text
    assert _wanted(session) == [("Q1", "capx")]
    german = owner.get(PAGE, headers=HTML | {"Accept-Language": "de"}).text
    assert "Gemeinschaft" in german
    broken = _post(owner, "capx", export="{not json")
    assert broken.status_code == 422
    assert 'aria-invalid="true"' in broken.text
    assert "{not json" in broken.text
    missing = _post(owner, "capx", export='{"organization": {}}')
    assert missing.status_code == 422
    unknown = _post(owner, "add", framework="capx", code="Q12345")
    assert unknown.status_code == 422
    assert "This skill is not in the imported frameworks." in unknown.text
    cleared = _post(owner, "clear")
    assert cleared.status_code == 303
    assert _wanted(session) == []
    assert _post(owner, "nonsense").status_code in {404, 405}


def test_a_viewer_reads_the_wanted_skills_but_cannot_change_them(
    console_client: ConsoleClient, session: Session
) -> None:
    _import(session)
    viewer = console_client("viewer")
    page = viewer.get(PAGE, headers=HTML)
    assert page.status_code == 200
    assert "Add a skill" not in page.text
    owner = console_client("owner")
    token = csrf_of(owner, PAGE)
    refused = viewer.post(f"{PAGE}/add", data={"csrf": token, "framework": "capx", "code": "Q1"},
                          headers=HTML)  # fmt: skip
    assert refused.status_code == 403
    assert _wanted(session) == []
    forged = owner.post(f"{PAGE}/add", data={"csrf": "forged", "framework": "capx", "code": "Q1"},
                        headers=HTML)  # fmt: skip
    assert forged.status_code == 403
    assert _wanted(session) == []
