"""The unsigned credential we build: OB 3.0 shapes, the strict 1EdTech schema, safe mode."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft201909Validator

from badgeservice.domain.achievement import AchievementDefinition, build_achievement
from badgeservice.domain.credential import (
    CredentialContent,
    build_credential,
    build_status_entry,
    format_datetime,
)
from badgeservice.domain.profile import build_profile
from badgeservice.domain.recipient import (
    Recipient,
    RecipientError,
    identity_hash,
    normalize_email,
)
from badgeservice.vc.canon import canonicalize
from badgeservice.vc.safemode import check_safe_mode

BASE = "https://badges.example.org"
NOW = datetime(2026, 11, 24, 8, 30, 15, 123456, tzinfo=UTC)


def content(recipient: Recipient, **overrides: Any) -> CredentialContent:
    definition = AchievementDefinition(
        url=f"{BASE}/achievements/a1",
        default_language="en",
        name={"en": "Editing basics", "de": "Grundlagen"},
        description={"en": "Edited an article."},
        criteria_narrative={"en": "Attend the workshop."},
        image_url=f"{BASE}/images/i1",
        achievement_type="Badge",
        tags=["wiki"],
        alignments=[{"targetName": "edit wikis", "targetUrl": "http://data.europa.eu/esco/x"}],
        result_descriptions=[{"id": "urn:uuid:r1", "name": "Score", "resultType": "Percent"}],
    )
    fields: dict[str, Any] = {
        "url": f"{BASE}/credentials/c1",
        "issuer": build_profile(
            did="did:web:badges.example.org:issuers:wmde", name="WMDE", url="https://wmde.org"
        ),
        "achievement": build_achievement(definition),
        "recipient": recipient,
        "valid_from": NOW,
        "status": build_status_entry(f"{BASE}/issuers/wmde/status/l1", 42, "revocation"),
    }
    return CredentialContent(**(fields | overrides))


RECIPIENTS = [
    Recipient("email", " Learner@Example.org ", name="Ada Lovelace"),
    Recipient("did", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
    Recipient("url", "https://learner.example/profile"),
]


@pytest.fixture(scope="module")
def schema(shared_data: Path) -> Draft201909Validator:
    document = json.loads((shared_data / "schemas" / "achievementcredential.json").read_text())
    return Draft201909Validator(document)


@pytest.mark.parametrize("recipient", RECIPIENTS, ids=lambda r: r.kind)
def test_credential_passes_strict_1edtech_schema(
    schema: Draft201909Validator, recipient: Recipient
) -> None:
    proof = {"type": "DataIntegrityProof", "proofPurpose": "assertionMethod"}
    extras = {
        "valid_until": NOW.replace(year=2030),
        "narrative": "Made 12 edits.",
        "evidence": [{"id": "https://example.org/diff/1", "name": "An edit"}],
        "results": [{"resultDescription": "urn:uuid:r1", "value": "90"}],
    }
    document = build_credential(content(recipient, **extras)) | {"proof": [proof]}
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in schema.iter_errors(document)]
    assert errors == []


@pytest.mark.parametrize("recipient", RECIPIENTS, ids=lambda r: r.kind)
def test_credential_passes_safe_mode_and_canonicalizes(recipient: Recipient) -> None:
    document = build_credential(content(recipient))
    check_safe_mode(document)
    assert canonicalize(document).count("\n") > 20


def test_email_recipient_is_hashed_with_fresh_salt() -> None:
    first = build_credential(content(RECIPIENTS[0]))["credentialSubject"]["identifier"]
    second = build_credential(content(RECIPIENTS[0]))["credentialSubject"]["identifier"]
    email = first[0]
    assert email["hashed"] is True
    assert email["identityType"] == "emailAddress"
    assert email["salt"] != second[0]["salt"]
    assert email["identityHash"] == identity_hash("learner@example.org", email["salt"])
    assert "learner@example.org" not in json.dumps(first).lower()
    assert first[1] == {
        "type": "IdentityObject",
        "identityHash": "Ada Lovelace",
        "identityType": "name",
        "hashed": False,
    }


def test_identity_hash_matches_the_spec_example() -> None:
    assert identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


@pytest.mark.parametrize("email", ["", "no-at-sign", "a@b", "two@@example.org", "a b@c.org"])
def test_malformed_email_is_refused(email: str) -> None:
    with pytest.raises(RecipientError):
        normalize_email(email)


def test_dates_are_whole_seconds_utc() -> None:
    document = build_credential(content(RECIPIENTS[1]))
    assert document["validFrom"] == "2026-11-24T08:30:15Z"
    assert format_datetime(datetime(2026, 1, 1, 12, tzinfo=UTC)) == "2026-01-01T12:00:00Z"


def test_status_entry_index_is_a_string() -> None:
    entry = build_status_entry("https://x.org/status/1", 7, "revocation")
    assert entry["statusListIndex"] == "7"
    assert entry["id"] == "https://x.org/status/1#7"
