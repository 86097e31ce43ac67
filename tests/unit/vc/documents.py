"""One small OpenBadgeCredential for the vc tests (signed by each test with its own key)."""

from __future__ import annotations

from typing import Any

OB_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def ob_credential(
    issuer: str,
    *,
    credential_id: str = "urn:uuid:1355319d-8ae6-4f8d-a5be-0601399a1f50",
    **extra: Any,
) -> dict[str, Any]:
    """A minimal credential that passes the 1EdTech schema, issued by ``issuer``."""
    return {
        "@context": list(OB_CONTEXTS),
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Alpha"},
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Intro",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:example:learner",
            "achievement": {
                "id": "https://badges.example.org/achievements/1",
                "type": ["Achievement"],
                "name": "Intro",
                "description": "An introduction.",
                "criteria": {"narrative": "Done."},
            },
        },
        **extra,
    }
