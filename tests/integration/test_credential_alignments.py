"""Each issued credential records its achievement's alignment targets (``credential_alignments``),
from the achievement as signed; migration 0015 fills them in for credentials issued before."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, CredentialAlignment
from tests.factories import ACHIEVEMENT, ISSUER_API, issue_over_api

ESCO_URL = ACHIEVEMENT["alignments"][0]["targetUrl"]  # type: ignore[index]


def _targets(session: Session, credential_id: uuid.UUID) -> list[str]:
    query = select(CredentialAlignment.target_url).where(
        CredentialAlignment.credential_id == credential_id
    )
    return sorted(session.scalars(query))


def test_issuing_records_the_alignment_targets_as_signed(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    second = {"targetName": "teach", "targetUrl": "http://www.wikidata.org/entity/Q42"}
    body = ACHIEVEMENT | {"alignments": [*ACHIEVEMENT["alignments"], second, second]}  # type: ignore[misc]
    achievement = client.post(f"{ISSUER_API}/achievements", json=body, headers=headers).json()
    issued = issue_over_api(client, headers, achievement["id"])
    credential_id = uuid.UUID(issued["id"].rsplit("/", 1)[-1])
    assert _targets(session, credential_id) == sorted([ESCO_URL, second["targetUrl"]])

    # Editing the achievement later changes nothing the credential claims.
    patch = {"alignments": []}
    edited = client.patch(
        f"{ISSUER_API}/achievements/{achievement['id']}", json=patch, headers=headers
    )
    assert edited.status_code == 200, edited.text
    assert _targets(session, credential_id) == sorted([ESCO_URL, second["targetUrl"]])


def test_a_credential_without_alignments_records_none(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    body = ACHIEVEMENT | {"alignments": []}
    achievement = client.post(f"{ISSUER_API}/achievements", json=body, headers=headers).json()
    issue_over_api(client, headers, achievement["id"])
    assert session.scalars(select(Credential.id)).all()
    assert session.scalars(select(CredentialAlignment)).all() == []
