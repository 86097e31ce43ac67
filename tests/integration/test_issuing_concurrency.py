"""Many clients issuing at once: every credential stored, distinct, and verifiable.

The suite issues a few hundred; ``bench/load_tests.py`` runs this same test at full size
(2,000 on PostgreSQL) with ``BADGESERVICE_TEST_FULL_LOAD=1``.
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, StatusAllocation
from badgeservice.vc import verify_credential
from badgeservice.vc.statuslist import StatusList
from tests.factories import ACHIEVEMENT, bearer, create_issuer, create_token

API = "/api/v1/issuers/wmde"
CLIENTS = 8
FULL_LOAD = os.environ.get("BADGESERVICE_TEST_FULL_LOAD") == "1"
PER_BACKEND = {"postgresql": 2000, "sqlite": 200}
if not FULL_LOAD:  # the suite's size: 8 clients still race for the same status entries
    PER_BACKEND = {"postgresql": 200, "sqlite": 100}


def test_parallel_clients_issue_distinct_verifiable_credentials(
    backend: str, client: TestClient, session: Session
) -> None:
    headers = bearer(create_token(session, create_issuer(session)))
    achievement = client.post(f"{API}/achievements", json=ACHIEVEMENT, headers=headers).json()
    total = PER_BACKEND[backend]

    def issue(number: int) -> dict[str, Any]:
        body = {
            "achievementId": achievement["id"],
            "recipient": {"email": f"learner{number}@example.org"},
        }
        response = client.post(f"{API}/credentials", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return dict(response.json()["credential"])

    with ThreadPoolExecutor(CLIENTS) as pool:
        issued = list(pool.map(issue, range(total)))

    session.rollback()
    assert session.scalar(select(func.count()).select_from(Credential)) == total
    assert session.scalar(select(func.count()).select_from(StatusAllocation)) == total
    assert len({c["id"] for c in issued}) == total
    entries = {
        (c["credentialStatus"]["statusListCredential"], c["credentialStatus"]["statusListIndex"])
        for c in issued
    }
    assert len(entries) == total

    @functools.cache
    def fetch(url: str) -> dict[str, Any]:
        return dict(client.get(urlsplit(url).path).json())

    reports = [verify_credential(c, fetch_json=fetch).to_dict() for c in issued]
    assert sum(r["verified"] for r in reports) == total

    victim = issued[total // 2]
    list_url = victim["credentialStatus"]["statusListCredential"]
    before = StatusList.decode(fetch(list_url)["credentialSubject"]["encodedList"])
    victim_id = victim["id"].rsplit("/", 1)[1]
    client.post(f"{API}/credentials/{victim_id}/revoke", headers=headers).raise_for_status()
    after_document = client.get(urlsplit(list_url).path).json()
    after = StatusList.decode(after_document["credentialSubject"]["encodedList"])
    changed = [i for i in range(after.size) if after.get(i) != before.get(i)]
    assert changed == [int(victim["credentialStatus"]["statusListIndex"])]
