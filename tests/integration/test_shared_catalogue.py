"""The shared catalogue: an issuer shares a Competency; another issuer issues it with its own
signature (single, batch), the defining issuer named as the achievement's creator; the rules
(Competency only, creator set, no unsharing once others issued it) and the public list."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential
from badgeservice.errors import ValidationFailedError
from badgeservice.services import achievements
from badgeservice.services.issuers import get_issuer
from tests.factories import ACHIEVEMENT, ISSUER_API, bearer, create_issuer, create_token
from tests.integration.test_batches_api import worker

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


def test_a_csv_batch_of_another_issuer_issues_the_shared_skill_signed_by_it(
    app: FastAPI, client: TestClient, headers: dict[str, str], session: Session
) -> None:
    skill = _share(client, headers)
    other = _other(session)
    uploaded = client.post(
        f"{OTHER_API}/batches",
        content=b"name,email\nAda,ada@example.org\nGrace,grace@example.org\n",
        params={"achievementId": skill["id"]},
        headers=other | {"Content-Type": "text/csv", "Idempotency-Key": "csv-shared"},
    )
    assert uploaded.status_code == 202, uploaded.text
    assert worker(app).run(until_idle=True) == 2
    session.rollback()
    wmde, wmfr = get_issuer(session, "wmde"), get_issuer(session, "wmfr")
    issued = session.scalars(select(Credential).order_by(Credential.recipient_name)).all()
    assert [(c.issuer_id, c.recipient_name) for c in issued] == [
        (wmfr.id, "Ada"),
        (wmfr.id, "Grace"),
    ]
    document = json.loads(issued[0].document)
    assert document["issuer"]["id"] == wmfr.did
    assert document["credentialSubject"]["achievement"]["creator"]["id"] == wmde.did
    report = client.post("/api/v1/verify", json=document).json()
    assert report["verified"] is True, report
    assert next(c for c in report["checks"] if c["id"] == "schema")["outcome"] == "passed"
    # The defining issuer's lists do not show wmfr's credentials of its achievement.
    listed = client.get(
        f"{ISSUER_API}/credentials", params={"achievementId": skill["id"]}, headers=headers
    )
    assert listed.status_code == 200, listed.text
    assert listed.json()["total"] == 0


def test_the_catalogue_by_language_and_a_bad_language_tag(
    client: TestClient, headers: dict[str, str]
) -> None:
    _share(client, headers)  # named in English and German
    english_only = SKILL | {"name": {"en": "Photography"}, "description": {"en": "Photos."}}
    made = client.post(f"{ISSUER_API}/achievements", json=english_only, headers=headers)
    assert made.status_code == 201, made.text
    assert client.get("/api/v1/catalogue").json()["total"] == 2
    german = client.get("/api/v1/catalogue", params={"lang": "de-CH"}).json()
    assert [a["name"] for a in german["items"]] == [SKILL["name"]]
    assert client.get("/api/v1/catalogue", params={"lang": "ja"}).json()["total"] == 0
    paged = client.get("/api/v1/catalogue", params={"limit": 1, "offset": 1}).json()
    assert paged["total"] == 2
    assert [a["id"] for a in paged["items"]] == [made.json()["id"]]
    bad = client.get("/api/v1/catalogue", params={"lang": "not a tag!"})
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["errors"][0]["pointer"] == "/query/lang"


def test_the_service_keeps_the_rules_for_callers_other_than_the_api(session: Session) -> None:
    issuer = create_issuer(session, slug="wmfr", name="Wikimédia France")
    fields = {k: v for k, v in ACHIEVEMENT.items() if k != "alignments"} | {"shared": True}
    with pytest.raises(ValidationFailedError) as refused:
        achievements.create_achievement(session, issuer, fields, actor="test")
    assert refused.value.errors[0].pointer == "/body/shared"
    skill = achievements.create_achievement(
        session, issuer, fields | {"achievementType": "Competency"}, actor="test"
    )
    assert skill.creator == {"id": issuer.did, "name": issuer.name}
