"""CLR 2.0: an issuer signs a ClrCredential bundling credentials it issued to one learner;
our verifier checks it, and each bundled credential."""

from __future__ import annotations

import copy
from typing import Any

from fastapi.testclient import TestClient

from tests.factories import ACHIEVEMENT, ISSUER_API, issue_over_api

CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"


def _two_credentials(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    issued = []
    for name in ("Editing basics", "Uploading media"):
        body = ACHIEVEMENT | {"name": {"en": name}}
        made = client.post(f"{ISSUER_API}/achievements", json=body, headers=headers)
        assert made.status_code == 201, made.text
        issued.append(issue_over_api(client, headers, made.json()["id"]))
    return issued


def _clr(client: TestClient, headers: dict[str, str], **body: Any) -> Any:
    return client.post(f"{ISSUER_API}/clr", json=body, headers=headers)


def test_an_issuer_signs_a_clr_that_our_verifier_verifies(
    client: TestClient, headers: dict[str, str]
) -> None:
    first, second = _two_credentials(client, headers)
    achievements = [c["credential"]["credentialSubject"]["achievement"]["id"] for c in (first, second)]
    response = _clr(
        client,
        headers,
        credentials=[first["id"].rsplit("/", 1)[-1], second["id"].rsplit("/", 1)[-1]],
        name="Learning record",
        associations=[
            {"associationType": "precedes", "sourceId": achievements[0], "targetId": achievements[1]}
        ],
    )
    assert response.status_code == 200, response.text
    clr = response.json()
    assert clr["@context"][-1] == CLR_CONTEXT
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = clr["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert subject["verifiableCredential"] == [first["credential"], second["credential"]]
    assert [a["id"] for a in subject["achievement"]] == achievements
    assert subject["association"] == [
        {"type": ["Association"], "associationType": "precedes",
         "sourceId": achievements[0], "targetId": achievements[1]}
    ]  # fmt: skip
    report = client.post("/api/v1/verify", json=clr)
    assert report.status_code == 200, report.text
    print(report.json())
    assert report.json()["verified"] is True, report.json()
