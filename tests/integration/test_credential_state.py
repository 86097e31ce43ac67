"""One credential state on every surface: the API's ``state``, the list filter ``state=``, the
public page and the printable certificate agree with ``domain.credential_state`` in every
state, and where several conditions hold (revoked > suspended > expired > not_yet_valid), on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import io
import unicodedata
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential
from badgeservice.domain.credential_state import STATES
from badgeservice.render.certificate_labels import LABELS
from badgeservice.render.fonts import missing_fonts
from badgeservice.services.credentials import state_clause, state_of
from tests.conftest import require
from tests.factories import ISSUER_API, issue_over_api


def days(n: int) -> str:
    """``n`` days from now (negative: ago), as the API takes it."""
    return (datetime.now(UTC) + timedelta(days=n)).strftime("%Y-%m-%dT%H:%M:%SZ")


# name → (issue body, actions after issuing, the state it must have)
CASES: dict[str, tuple[dict[str, Any], tuple[str, ...], str]] = {
    "active": ({}, (), "active"),
    "not_yet_valid": ({"validFrom": days(30)}, (), "not_yet_valid"),
    "expired": ({"validFrom": days(-400), "validUntil": days(-30)}, (), "expired"),
    "suspended": ({"suspendable": True}, ("suspend",), "suspended"),
    "revoked": ({}, ("revoke",), "revoked"),
    "revoked-expired": ({"validFrom": days(-400), "validUntil": days(-30)}, ("revoke",), "revoked"),
    "revoked-suspended": ({"suspendable": True}, ("suspend", "revoke"), "revoked"),
    "suspended-expired": (
        {"suspendable": True, "validFrom": days(-400), "validUntil": days(-30)},
        ("suspend",),
        "suspended",
    ),
    "suspended-not-yet-valid": (
        {"suspendable": True, "validFrom": days(30)},
        ("suspend",),
        "suspended",
    ),
    "revoked-not-yet-valid": ({"validFrom": days(30)}, ("revoke",), "revoked"),
}


def issue_case(client: TestClient, headers: dict[str, str], achievement_id: str, case: str) -> str:
    body, actions, _ = CASES[case]
    issued = issue_over_api(client, headers, achievement_id, **body)
    for action in actions:
        path = f"{ISSUER_API}/credentials/{issued['id']}/{action}"
        assert client.post(path, headers=headers).status_code == 200
    return str(issued["id"])


@pytest.mark.parametrize("case", list(CASES))
def test_every_surface_shows_the_same_state(
    client: TestClient, headers: dict[str, str], achievement_id: str, case: str
) -> None:
    expected = CASES[case][2]
    credential_id = issue_case(client, headers, achievement_id, case)
    api = client.get(f"{ISSUER_API}/credentials/{credential_id}", headers=headers)
    assert api.status_code == 200, api.text
    assert api.json()["state"] == expected
    page = client.get(f"/credentials/{credential_id}", headers={"Accept": "text/html"})
    assert f'class="state state-{expected}"' in page.text
    require(not missing_fonts(), f"certificate fonts not installed: {missing_fonts()}")
    pdf = client.get(f"/credentials/{credential_id}.pdf", params={"lang": "en"})
    assert pdf.status_code == 200, pdf.text
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    shown = {state for state in STATES if state != "active" and LABELS["en"][state] in text}
    assert shown == ({expected} - {"active"})


def test_the_list_filter_matches_the_api_state(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    made = {issue_case(client, headers, achievement_id, case): CASES[case][2] for case in CASES}
    for state in STATES:
        response = client.get(
            f"{ISSUER_API}/credentials", params={"state": state, "limit": 100}, headers=headers
        )
        assert response.status_code == 200, response.text
        listed = {item["id"]: item["state"] for item in response.json()["items"]}
        assert set(listed) == {id_ for id_, want in made.items() if want == state}, state
        assert set(listed.values()) <= {state}


def test_the_sql_filter_and_the_function_agree_at_the_boundaries(
    client: TestClient, headers: dict[str, str], achievement_id: str, session: Session
) -> None:
    """``validFrom`` is inclusive and ``validUntil`` exclusive, in SQL as in Python."""
    start, end = datetime(2040, 1, 1, tzinfo=UTC), datetime(2041, 1, 1, tzinfo=UTC)
    dated = {"validFrom": "2040-01-01T00:00:00Z", "validUntil": "2041-01-01T00:00:00Z"}
    ids = [uuid.UUID(issue_over_api(client, headers, achievement_id, **dated)["id"])]
    ids += [uuid.UUID(issue_case(client, headers, achievement_id, case)) for case in CASES]
    second = timedelta(seconds=1)
    moments = {
        start - second: "not_yet_valid",
        start: "active",
        end - second: "active",
        end: "expired",
        datetime.now(UTC): None,
    }
    for now, boundary in moments.items():
        records = session.scalars(select(Credential).where(Credential.id.in_(ids))).all()
        by_function = {record.id: state_of(record, now) for record in records}
        if boundary is not None:
            assert by_function[ids[0]] == boundary, now
        for state in STATES:
            query = select(Credential.id).where(Credential.id.in_(ids), state_clause(state, now))
            by_sql = set(session.scalars(query))
            assert by_sql == {id_ for id_, got in by_function.items() if got == state}, (now, state)


def test_an_unknown_state_filter_is_a_problem(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get(f"{ISSUER_API}/credentials", params={"state": "valid"}, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("language", sorted(LABELS))
def test_a_not_yet_valid_certificate_says_so_in_every_language(
    client: TestClient, headers: dict[str, str], achievement_id: str, language: str
) -> None:
    require(not missing_fonts(), f"certificate fonts not installed: {missing_fonts()}")
    credential_id = issue_case(client, headers, achievement_id, "not_yet_valid")
    pdf = client.get(f"/credentials/{credential_id}.pdf", params={"lang": language})
    assert pdf.status_code == 200, pdf.text
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    words = LABELS[language]["not_yet_valid"]
    if language == "ar":  # extracted in visual order, letters of a word split: count letters
        assert not Counter(arabic_letters(words)) - Counter(arabic_letters(text))
        assert "غير" in arabic_letters(text)
    else:  # CJK text comes out with NULs between the characters
        assert words in text.replace("\x00", "")


def arabic_letters(text: str) -> str:
    normalized = unicodedata.normalize("NFKC", text)
    return "".join(c for c in normalized if "\u0600" <= c <= "\u06ff")
