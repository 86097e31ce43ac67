"""The skills map's API: the JSON map with hidden counts, the CSV, wanted skills (scope
``issuer:write`` to change), the CapX imports, and problem+json for bad input."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.db.models import Issuer
from tests import skills_seed as seed
from tests.factories import ISSUER_API, bearer, create_issuer, create_token


def _seed(session: Session, issuer: Issuer) -> None:
    seed.capx_framework(session, ["Q1", "Q2", "Q3"])
    made = seed.achievement(session, issuer, ["Q1"])
    for n in range(6):
        seed.credential(session, issuer, made, f"{n:064x}", language="en")
    seed.credential(session, issuer, made, f"{99:064x}", language="fr")
    seed.credential(session, issuer, made, f"{98:064x}", revoked_at=seed.MOMENT)
    session.commit()


def test_the_map_as_json_and_the_gap(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    issuer = session.query(Issuer).one()
    _seed(session, issuer)
    put = client.put(
        f"{ISSUER_API}/wanted-skills",
        json={"items": [{"framework": "capx", "code": "Q1"}, {"url": seed.WIKIDATA + "Q3"}]},
        headers=headers,
    )
    assert put.status_code == 200, put.text
    assert [i["code"] for i in put.json()["items"]] == ["Q1", "Q3"]
    body = client.get(f"{ISSUER_API}/skills-map").json()
    assert body["threshold"] == 5
    q1, q3 = body["items"]
    assert q1["people"] == {"count": 7}
    assert q1["byLanguage"] == [
        {"language": "en", "count": None, "fewerThan": 5},
        {"language": "fr", "count": None, "fewerThan": 5},
    ]
    assert q1["gap"] == "covered"
    assert q3["gap"] == "nobody"
    assert q3["people"] == {"count": 0}
    deployment = client.get("/api/v1/skills-map").json()
    assert deployment["items"][0]["byIssuer"] == [{"issuer": "wmde", "count": 7}]
    assert client.get("/api/v1/issuers/nobody/skills-map").status_code == 404


def test_wanted_skills_need_issuer_write_and_bad_input_is_a_problem(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    issuer = session.query(Issuer).one()
    _seed(session, issuer)
    reader = bearer(create_token(session, issuer, scopes=["issuer:read"]))
    url = f"{ISSUER_API}/wanted-skills"
    refused = client.put(url, json={"items": []}, headers=reader)
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    bad = client.put(url, json={"items": [{"framework": "capx", "code": "Q404"}]}, headers=headers)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert client.put(url, json=[1], headers=headers).status_code == 422
    imported = client.post(
        url + "/capx",
        json={
            "organization": {"wanted_capacities": [7, "Q2", "Q9"]},
            "skills": [{"id": 7, "skill_wikidata_item": "Q1"}],
        },
        headers=headers,
    )
    assert imported.json() == {"imported": 2, "unmatched": ["Q9"]}
    listed = client.get(url, headers=reader).json()["items"]
    assert [(i["code"], i["source"]) for i in listed] == [("Q1", "capx"), ("Q2", "capx")]
    declared = client.post(
        f"{ISSUER_API}/declared-skills/capx",
        json={"profiles": [{"username": "Ada", "skills_known": ["Q2"]}]},
        headers=headers,
    )
    assert declared.json() == {"imported": 1, "unmatched": []}
    q2 = client.get(f"{ISSUER_API}/skills-map").json()["items"][1]
    assert q2["declaredNotVerified"]["known"] == {"count": None, "fewerThan": 5}
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=reader).json() == {"items": []}
    other = create_issuer(session, slug="other", name="Other")
    assert (
        client.get(f"/api/v1/issuers/{other.slug}/wanted-skills", headers=reader).status_code == 404
    )
