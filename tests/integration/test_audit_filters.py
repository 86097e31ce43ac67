"""The audit trail's filters: action (exact or a prefix), actor, subject, time."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from badgeservice.clock import SystemClock
from tests.factories import ISSUER_API, issue_over_api

PATH = f"{ISSUER_API}/audit"


def actions(client: TestClient, headers: dict[str, str], **params: Any) -> list[str]:
    response = client.get(PATH, params=params, headers=headers)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(page["items"])
    return [event["action"] for event in page["items"]]


@pytest.fixture
def trail(client: TestClient, headers: dict[str, str], achievement_id: str) -> dict[str, str]:
    """Two credentials issued, the first revoked; their ids."""
    first = issue_over_api(client, headers, achievement_id)["id"]
    second = issue_over_api(client, headers, achievement_id)["id"]
    revoked = client.post(f"{ISSUER_API}/credentials/{first}/revoke", headers=headers)
    assert revoked.status_code == 200, revoked.text
    return {"first": first, "second": second}


def test_action_filters_by_exact_action_or_prefix(
    client: TestClient, headers: dict[str, str], trail: dict[str, str]
) -> None:
    assert actions(client, headers, action="credential.revoked") == ["credential.revoked"]
    assert actions(client, headers, action="credential.") == [
        "credential.revoked",
        "credential.issued",
        "credential.issued",
    ]
    assert actions(client, headers, action="credential") == []  # no dot: exact only
    assert actions(client, headers, action="credential%") == []  # no wildcard
    assert actions(client, headers, action="achievement.") == ["achievement.created"]


def test_subject_filters_name_one_resource(
    client: TestClient, headers: dict[str, str], trail: dict[str, str]
) -> None:
    first = actions(client, headers, subjectType="credential", subjectId=trail["first"])
    assert first == ["credential.revoked", "credential.issued"]
    assert actions(client, headers, subjectId=trail["second"]) == ["credential.issued"]
    assert len(actions(client, headers, subjectType="credential")) == 3


def test_actor_filters_by_who_acted(
    client: TestClient, headers: dict[str, str], trail: dict[str, str]
) -> None:
    everything = client.get(PATH, headers=headers).json()["items"]
    revoker = next(e["actor"] for e in everything if e["action"] == "credential.revoked")
    assert set(actions(client, headers, actor=revoker)) == {
        "credential.revoked",
        "credential.issued",
        "achievement.created",
    }
    assert actions(client, headers, actor="user:nobody") == []


def test_from_and_to_bound_when_events_were_written(
    client: TestClient, headers: dict[str, str], trail: dict[str, str]
) -> None:
    today = SystemClock().now().date()
    assert len(actions(client, headers, **{"from": today.isoformat()})) >= 3
    assert actions(client, headers, to=(today - timedelta(days=1)).isoformat()) == []
    assert actions(client, headers, **{"from": (today + timedelta(days=2)).isoformat()}) == []
    both = {"from": today.isoformat(), "to": today.isoformat(), "action": "credential.revoked"}
    assert actions(client, headers, **both) == ["credential.revoked"]


def test_filters_page_together_with_the_total(
    client: TestClient, headers: dict[str, str], trail: dict[str, str]
) -> None:
    page = client.get(PATH, params={"action": "credential.", "limit": 1}, headers=headers).json()
    assert page["total"] == 3
    assert [e["action"] for e in page["items"]] == ["credential.revoked"]


def test_a_bad_time_filter_is_a_422(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get(PATH, params={"from": "yesterday"}, headers=headers)
    assert response.status_code == 422, response.text
    assert [e["pointer"] for e in response.json()["errors"]] == ["/query/from"]
