"""Shared learning packs: an issuer shares a pack; another issuer's pack has it as a step
(`packIssuer`) and steps of shared skills; completing it awards the other issuer's pack
credential, signed by that issuer; a pack others use stays shared and is not deleted; the
public list of shared packs."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, PackAward
from badgeservice.services.issuers import get_issuer
from tests.factories import ACHIEVEMENT, ISSUER_API, bearer, create_issuer, create_token

OTHER_API = "/api/v1/issuers/wmfr"
SKILL = ACHIEVEMENT | {"achievementType": "Competency", "shared": True}


def _other(session: Session) -> dict[str, str]:
    issuer = create_issuer(session, slug="wmfr", name="Wikimédia France")
    return bearer(create_token(session, issuer))


def _made(client: TestClient, api: str, headers: dict[str, str], body: dict[str, Any]) -> str:
    made = client.post(f"{api}/achievements", json=body, headers=headers)
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def _pack(client: TestClient, api: str, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    response = client.post(f"{api}/packs", json={"name": {"en": body["slug"]}} | body,
                           headers=headers)  # fmt: skip
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_another_issuers_pack_builds_on_a_shared_pack_and_awards_its_own_credential(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    skill = _made(client, ISSUER_API, headers, SKILL | {"name": {"en": "Citing sources"}})
    _pack(client, ISSUER_API, headers, slug="basics", shared=True,
          steps=[{"kind": "achievement", "achievementId": skill}])  # fmt: skip
    other = _other(session)
    award = _made(client, OTHER_API, other, ACHIEVEMENT | {"name": {"en": "Parcours"}})
    own = _made(client, OTHER_API, other, ACHIEVEMENT | {"name": {"en": "Atelier"}})
    parcours = _pack(client, OTHER_API, other, slug="parcours", achievementId=award, steps=[
        {"kind": "pack", "packSlug": "basics", "packIssuer": "wmde"},
        {"kind": "achievement", "achievementId": own},
    ])  # fmt: skip
    assert parcours["steps"][0] | {"resources": []} == {
        "kind": "pack", "required": True, "packSlug": "basics", "packIssuer": "wmde",
        "resources": [],
    }  # fmt: skip
    page = client.get("/issuers/wmfr/packs/parcours", headers={"Accept": "text/html"})
    assert 'href="/issuers/wmde/packs/basics"' in page.text

    recipient = {"email": "ada@example.org"}
    for api, token, achievement in ((ISSUER_API, headers, skill), (OTHER_API, other, own)):
        body = {"achievementId": achievement, "recipient": recipient}
        assert client.post(f"{api}/credentials", json=body, headers=token).status_code == 201
    session.rollback()
    awarded = session.scalars(
        select(Credential).where(Credential.achievement_id == uuid.UUID(award))
    ).all()
    assert [c.issuer_id for c in awarded] == [get_issuer(session, "wmfr").id]
    assert len(session.scalars(select(PackAward)).all()) == 1

    query = {"recipient": "ada@example.org"}
    progress = client.get(f"{OTHER_API}/packs/parcours/progress", params=query, headers=other)
    progress = progress.json()
    assert progress["complete"] is True
    assert progress["award"]["credential"].endswith(str(awarded[0].id))


def test_a_pack_others_build_on_stays_shared_and_is_not_deleted(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    skill = _made(client, ISSUER_API, headers, SKILL)
    _pack(client, ISSUER_API, headers, slug="basics", shared=True,
          steps=[{"kind": "achievement", "achievementId": skill}])  # fmt: skip
    _pack(client, ISSUER_API, headers, slug="private",
          steps=[{"kind": "achievement", "achievementId": skill}])  # fmt: skip
    other = _other(session)
    refused = client.post(f"{OTHER_API}/packs", headers=other, json={
        "slug": "mine", "name": {"en": "Mine"},
        "steps": [{"kind": "pack", "packSlug": "private", "packIssuer": "wmde"}]})  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "/body/steps/0/packSlug"
    _pack(client, OTHER_API, other, slug="mine",
          steps=[{"kind": "pack", "packSlug": "basics", "packIssuer": "wmde"}])  # fmt: skip

    unshare = client.patch(f"{ISSUER_API}/packs/basics", json={"shared": False}, headers=headers)
    assert unshare.status_code == 409, unshare.text
    assert unshare.json()["code"] == "pack_in_use"
    deleted = client.delete(f"{ISSUER_API}/packs/basics", headers=headers)
    assert deleted.status_code == 409
    unshared = client.patch(f"{ISSUER_API}/packs/private", json={"shared": True}, headers=headers)
    assert unshared.status_code == 200  # sharing one nobody uses is free, and so is unsharing
    again = client.patch(f"{ISSUER_API}/packs/private", json={"shared": False}, headers=headers)
    assert again.status_code == 200


def test_the_shared_packs_are_listed_for_everyone(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    skill = _made(client, ISSUER_API, headers, SKILL)
    steps = [{"kind": "achievement", "achievementId": skill}]
    _pack(client, ISSUER_API, headers, slug="welcome", shared=True, steps=steps,
          name={"en": "Welcome pack", "de": "Willkommenspaket"})  # fmt: skip
    _pack(client, ISSUER_API, headers, slug="hidden", steps=steps)
    listed = client.get("/api/v1/catalogue/packs").json()
    assert [(p["issuer"], p["slug"]) for p in listed["items"]] == [("wmde", "welcome")]
    assert listed["total"] == 1
    found = client.get("/api/v1/catalogue/packs", params={"q": "willkommen"}).json()
    assert found["total"] == 1
    assert client.get("/api/v1/catalogue/packs", params={"q": "nothing"}).json()["total"] == 0
    assert client.get("/api/v1/catalogue/packs", params={"limit": 0}).status_code == 422
