"""Credentials for the schema tests: a rich one that uses nearly every class of the 1EdTech
AchievementCredential schema, and ones built the way our issuance builds them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from badgeservice.domain.achievement import AchievementDefinition, build_achievement
from badgeservice.domain.credential import CredentialContent, build_credential
from badgeservice.domain.profile import build_profile
from badgeservice.domain.recipient import Recipient
from badgeservice.vc import did_key_from_key, generate_key

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
KEY = generate_key("Ed25519")
DID = did_key_from_key(KEY)
VM = f"{DID}#{DID.removeprefix('did:key:')}"
CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
JWS = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


def image(url: str) -> dict[str, Any]:
    return {"id": url, "type": "Image", "caption": "A picture"}


def profile(**extra: Any) -> dict[str, Any]:
    return {"id": DID, "type": ["Profile"], "name": "Alpha", **extra}


def endorsement() -> dict[str, Any]:
    return {
        "@context": CONTEXTS,
        "id": "urn:uuid:9f0c1e2a-0000-4000-8000-000000000001",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Endorsed",
        "issuer": "https://endorser.example",
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "https://badges.example.org/achievements/1",
            "type": ["EndorsementSubject"],
            "endorsementComment": "Good work.",
        },
        "proof": [{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}],
    }


def rich_endorsement() -> dict[str, Any]:
    """A valid EndorsementCredential that uses every member of its schema."""
    issuer = profile(
        image=image("https://x.example/logo.png"),
        address={"type": ["Address"], "addressCountry": "Germany", "geo": geo()},
        otherIdentifier=[
            {"type": "IdentifierEntry", "identifier": "E-1", "identifierType": "name"}
        ],
        endorsementJwt=[JWS],
    )
    return endorsement() | {
        "@context": [*CONTEXTS, "https://x.example/extra.json"],
        "description": "An endorsement of the intro badge.",
        "issuer": issuer,
        "awardedDate": "2025-01-01T00:00:00Z",
        "validUntil": "2030-01-01T00:00:00Z",
        "credentialSchema": [
            {"id": "https://x.example/e.json", "type": "1EdTechJsonSchemaValidator2019"}
        ],
        "credentialStatus": {"id": "https://x.example/s#2", "type": "BitstringStatusListEntry"},
        "refreshService": {"id": "https://x.example/r", "type": "1EdTechCredentialRefresh"},
        "termsOfUse": [{"type": "TrustFrameworkPolicy", "id": "https://x.example/t"}],
    }


def achievement() -> dict[str, Any]:
    alignment = {"type": ["Alignment"], "targetName": "Edit", "targetUrl": "https://x.example"}
    return {
        "id": "https://badges.example.org/achievements/1",
        "type": ["Achievement"],
        "name": "Intro",
        "description": "Finished the intro.",
        "criteria": {"narrative": "Done.", "id": "https://badges.example.org/criteria/1"},
        "achievementType": "Badge",
        "alignment": [alignment | {"targetType": "CFItem"}],
        "creator": profile(address={"type": ["Address"], "geo": geo()}),
        "creditsAvailable": 3,
        "endorsement": [endorsement()],
        "endorsementJwt": [JWS],
        "image": image("https://badges.example.org/i/1.png"),
        "inLanguage": "en-GB",
        "otherIdentifier": [
            {"type": "IdentifierEntry", "identifier": "A-1", "identifierType": "sourcedId"}
        ],
        "related": [{"id": "https://badges.example.org/achievements/2", "type": ["Related"]}],
        "resultDescription": [result_description()],
        "tag": ["wiki"],
    }


def rich_credential() -> dict[str, Any]:
    """A valid credential that uses nearly every class of the schema."""
    return {
        "@context": [*CONTEXTS, {"extra": "https://x.example/extra"}],
        "id": "urn:uuid:1355319d-8ae6-4f8d-a5be-0601399a1f50",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Intro",
        "description": "A badge.",
        "image": image("https://badges.example.org/c/1.png"),
        "issuer": profile(image=image("https://x.example/logo.png"), parentOrg=profile()),
        "validFrom": "2025-01-01T00:00:00Z",
        "validUntil": "2030-01-01T00:00:00Z",
        "awardedDate": "2025-01-01T00:00:00Z",
        "credentialSubject": subject(achievement()),
        "evidence": [{"type": ["Evidence"], "name": "An edit", "id": "https://x.example/e"}],
        "credentialSchema": [{"id": "https://x.example/s.json", "type": "JsonSchema"}],
        "credentialStatus": {"id": "https://x.example/s#1", "type": "BitstringStatusListEntry"},
        "refreshService": {"id": "https://x.example/r", "type": "1EdTechCredentialRefresh"},
        "termsOfUse": [{"type": "TrustFrameworkPolicy"}],
        "endorsement": [endorsement()],
        "proof": [{"type": "DataIntegrityProof", "proofPurpose": "assertionMethod"}],
    }


def geo() -> dict[str, Any]:
    return {"type": "GeoCoordinates", "latitude": 52.5, "longitude": 13.4}


def result_description() -> dict[str, Any]:
    level = {"id": "urn:uuid:l1", "type": ["RubricCriterionLevel"], "name": "Good"}
    return {
        "id": "urn:uuid:r1",
        "type": ["ResultDescription"],
        "name": "Score",
        "resultType": "RubricCriterionLevel",
        "allowedValue": ["low", "high"],
        "rubricCriterionLevel": [level],
    }


def subject(achievement: dict[str, Any]) -> dict[str, Any]:
    identity = {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399",
        "identityType": "emailAddress",
        "salt": "Kosher",
    }
    return {
        "type": ["AchievementSubject"],
        "identifier": [identity],
        "achievement": achievement,
        "creditsEarned": 1.5,
        "image": image("https://badges.example.org/baked.png"),
        "result": [{"type": ["Result"], "status": "Completed", "resultDescription": "urn:uuid:r1"}],
        "source": profile(),
    }


def built_credential(recipient: Recipient, issuer_id: str = DID) -> dict[str, Any]:
    """A credential as our issuance builds it (see test_credential_document.py)."""
    definition = AchievementDefinition(
        url="https://badges.example.org/achievements/a1",
        default_language="en",
        name={"en": "Editing basics"},
        description={"en": "Edited an article."},
        criteria_narrative={"en": "Attend the workshop."},
        image_url="https://badges.example.org/images/i1",
        achievement_type="Badge",
        tags=["wiki"],
        alignments=[{"targetName": "edit wikis", "targetUrl": "http://data.europa.eu/esco/x"}],
        result_descriptions=[{"id": "urn:uuid:r1", "name": "Score", "resultType": "Percent"}],
    )
    content = CredentialContent(
        url="https://badges.example.org/credentials/c1",
        issuer=build_profile(did=issuer_id, name="WMDE", url="https://wmde.org"),
        achievement=build_achievement(definition),
        recipient=recipient,
        valid_from=NOW,
        results=[{"resultDescription": "urn:uuid:r1", "value": "90"}],
        evidence=[{"id": "https://example.org/diff/1", "name": "An edit"}],
    )
    return build_credential(content)


RECIPIENTS = [
    Recipient("email", "learner@example.org", name="Ada Lovelace"),
    Recipient("did", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"),
    Recipient("url", "https://learner.example/profile"),
]
