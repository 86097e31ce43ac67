"""Learning packs: completion awards the pack credential exactly once (concurrency, retries,
batch re-runs), with the step credentials as evidence; revoking a step revokes nothing and
shows in the report."""

from __future__ import annotations

import functools
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, Issuer, PackAward
from badgeservice.domain.ob_schema import check_achievement_credential
from badgeservice.services import pack_awards, packs
from badgeservice.vc import verify_credential
from tests.factories import ACHIEVEMENT

API = "/api/v1/issuers/wmde"
LEARNER = {"email": "ada@example.org", "name": "Ada"}


def _achievement(client: TestClient, headers: dict[str, str], name: str) -> str:
    body = ACHIEVEMENT | {"name": {"en": name}, "description": {"en": f"About {name}."}}
    response = client.post(f"{API}/achievements", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _issue(client: TestClient, headers: dict[str, str], achievement: str) -> dict[str, Any]:
    body = {"achievementId": achievement, "recipient": LEARNER}
    response = client.post(f"{API}/credentials", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json()["credential"])


def _pack(session: Session, steps: list[str], award: str, slug: str = "basics") -> None:
    issuer = session.scalar(select(Issuer).where(Issuer.slug == "wmde"))
    assert issuer is not None
    fields = {
        "slug": slug,
        "defaultLanguage": "en",
        "name": {"en": "Editing basics"},
        "audience": "newcomer",
        "achievementId": award,
        "steps": [{"kind": "achievement", "achievementId": a} for a in steps]
        + [{"kind": "activity", "url": "https://example.org/video", "title": {"en": "Video"}}],
    }
    packs.create_pack(session, issuer, fields, actor="test")
    session.commit()


def _pack_credentials(session: Session, award: str) -> list[Credential]:
    session.rollback()
    query = select(Credential).where(Credential.achievement_id == uuid.UUID(award))
    return list(session.scalars(query))


def test_completion_awards_once_with_evidence_and_report(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    first, second, award = (_achievement(client, headers, n) for n in ("Edit", "Cite", "Pack"))
    _pack(session, [first, second], award)

    step_one = _issue(client, headers, first)
    assert _pack_credentials(session, award) == []
    step_two = _issue(client, headers, second)
    _issue(client, headers, second)  # a retry (another credential of the last step)

    awarded = _pack_credentials(session, award)
    assert len(awarded) == 1
    document = json.loads(awarded[0].document)
    assert [e["id"] for e in document["evidence"]] == [step_one["id"], step_two["id"]]
    assert {e["name"] for e in document["evidence"]} == {"Edit", "Cite"}
    assert all(e["narrative"] and e["type"] == ["Evidence"] for e in document["evidence"])
    assert (
        document["credentialSubject"]["identifier"] == step_two["credentialSubject"]["identifier"]
    )
    assert check_achievement_credential(document) == []

    @functools.cache
    def fetch(url: str) -> dict[str, Any]:
        return dict(client.get(urlsplit(url).path).json())

    assert verify_credential(document, fetch_json=fetch).to_dict()["verified"] is True

    step_id = step_one["id"].rsplit("/", 1)[1]
    client.post(f"{API}/credentials/{step_id}/revoke", headers=headers).raise_for_status()
    session.rollback()
    pack = packs.get_pack(session, session.get(Issuer, awarded[0].issuer_id), "basics")  # type: ignore[arg-type]
    changed = pack_awards.changed_awards(session, pack, awarded[0].issued_at)
    assert [[str(i) for i in c.inactive] for c in changed] == [[step_id]]
    assert session.get(Credential, awarded[0].id).revoked_at is None  # type: ignore[union-attr]


def test_parallel_completions_issue_one_pack_credential(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    first, second, award = (_achievement(client, headers, n) for n in ("Edit", "Cite", "Pack"))
    _pack(session, [first, second], award)
    _issue(client, headers, first)

    with ThreadPoolExecutor(8) as pool:
        last = list(pool.map(lambda _n: _issue(client, headers, second), range(8)))

    assert len({c["id"] for c in last}) == 8
    assert len(_pack_credentials(session, award)) == 1
    assert session.scalar(select(func.count()).select_from(PackAward)) == 1
