"""The shared catalogue: an issuer shares a Competency; another issuer issues it with its own
signature (single, batch), the defining issuer named as the achievement's creator; the rules
(Competency only, creator set, no unsharing once others issued it) and the public list."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.services.issuers import get_issuer
from tests.factories import ACHIEVEMENT, ISSUER_API, bearer, create_issuer, create_token

OTHER_API = "/api/v1/issuers/wmfr"
SKILL = ACHIEVEMENT | {"achievementType": "Competency", "shared": True}


def _other(session: Session) -> dict[str, str]:
    return bearer(
        create_token(session, create_issuer(session, slug="wmfr", name="Wikimédia France"))
    )


def _share(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    made = client.post(f"{ISSUER_API}/achievements", json=SKILL, headers=headers)
    assert made.status_code == 201, made.text
    return dict(made.json())


def test_another_issuer_issues_a_shared_skill_with_its_own_signature(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    skill = _share(client, headers)
    wmde = get_issuer(session, "wmde")
    assert skill["shared"] is True
    assert skill["creator"] == {"id": wmde.did, "name": wmde.name}
    other = _other(session)
    body = {"achievementId": skill["id"], "recipient": {"email": "ada@example.org"}}
    issued = client.post(f"{OTHER_API}/credentials", json=body, headers=other)
    assert issued.status_code == 201, issued.text
    credential = issued.json()["credential"]
    assert credential["issuer"]["id"] == get_issuer(session, "wmfr").did
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["id"].endswith(skill["id"])
    assert achievement["achievementType"] == "Competency"
    assert achievement["creator"]["id"] == wmde.did
    report = client.post("/api/v1/verify", json=credential).json()
    assert report["verified"] is True, report
    assert next(c for c in report["checks"] if c["id"] == "schema")["outcome"] == "passed"

    # The other issuer's own holders only: wmde's credential of the skill is not "held" there.
    mine = client.post(
        f"{ISSUER_API}/credentials", json=body | {"skipExisting": True}, headers=headers
    )
    assert mine.status_code == 201, mine.text
    again = client.post(
        f"{OTHER_API}/credentials", json=body | {"skipExisting": True}, headers=other
    )
    assert again.status_code == 200, again.text
    assert again.json()["id"] == issued.json()["id"]

    batch = {
        "achievementId": skill["id"],
        "recipients": [{"recipient": {"email": "bo@example.org"}}],
    }
    queued = client.post(f"{OTHER_API}/batches", json=batch, headers=other)
    assert queued.status_code == 202, queued.text

    # Unsharing is refused now that wmfr has issued it; wmfr cannot edit it at all.
    unshare = client.patch(
        f"{ISSUER_API}/achievements/{skill['id']}", json={"shared": False}, headers=headers
    )
    assert unshare.status_code == 409, unshare.text
    assert (
        client.patch(
            f"{OTHER_API}/achievements/{skill['id']}", json={"shared": False}, headers=other
        ).status_code
        == 404
    )


def test_sharing_rules_and_an_unshared_achievement_stay_the_issuers(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    badge = client.post(
        f"{ISSUER_API}/achievements", json=ACHIEVEMENT | {"shared": True}, headers=headers
    )
    assert badge.status_code == 422
    assert "Competency" in badge.text
    creator = {"id": "https://example.org", "name": "X"}
    bad = client.post(
        f"{ISSUER_API}/achievements", json=SKILL | {"creator": creator}, headers=headers
    )
    assert bad.status_code == 422
    private = client.post(f"{ISSUER_API}/achievements", json=ACHIEVEMENT, headers=headers).json()
    assert private["shared"] is False
    other = _other(session)
    body = {"achievementId": private["id"], "recipient": {"email": "ada@example.org"}}
    assert client.post(f"{OTHER_API}/credentials", json=body, headers=other).status_code == 404
    skill = _share(client, headers)
    unshared = client.patch(
        f"{ISSUER_API}/achievements/{skill['id']}", json={"shared": False}, headers=headers
    )
    assert unshared.status_code == 200, unshared.text  # nobody else issued it yet
    assert unshared.json()["shared"] is False


def test_the_catalogue_lists_shared_skills_for_anyone(
    client: TestClient, headers: dict[str, str]
) -> None:
    _share(client, headers)
    client.post(f"{ISSUER_API}/achievements", json=ACHIEVEMENT, headers=headers)
    listed = client.get("/api/v1/catalogue")
    assert listed.status_code == 200
    assert [a["issuer"] for a in listed.json()["items"]] == ["wmde"]
    assert listed.json()["total"] == 1
    name = next(iter(SKILL["name"].values()))  # type: ignore[attr-defined]
    word = name.split()[0].upper()
    assert client.get("/api/v1/catalogue", params={"q": word}).json()["total"] == 1
    assert client.get("/api/v1/catalogue", params={"q": "astronomy"}).json()["total"] == 0
