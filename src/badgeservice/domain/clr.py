"""The unsigned CLR 2.0 ``ClrCredential``: signed credentials bundled, unchanged, for one learner.

A ``ClrCredential``'s subject (``ClrSubject``) holds the bundled credentials in
``verifiableCredential`` (each keeps its own proof and stays verifiable on its own), the
achievements they are for in ``achievement``, and how those relate in ``association``
(``isParentOf``, ``precedes``, …). The CLR context uses terms of the OB 3.0 context (``xsd:``),
so both are listed.

See: https://www.imsglobal.org/spec/clr/v2p0/#clrcredential
See: https://www.imsglobal.org/spec/clr/v2p0/#association
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

from badgeservice.domain.documents import OB_CONTEXTS
from badgeservice.errors import ValidationFailedError
from badgeservice.vc import format_datetime

__all__ = [
    "ASSOCIATION_TYPES",
    "CLR_CONTEXT",
    "CLR_CONTEXTS",
    "CLR_TYPE",
    "MAX_BUNDLED",
    "Association",
    "AssociationType",
    "ClrContent",
    "build_clr",
    "bundled_credentials",
]

CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
# 1EdTech's order (its CLR test vector): VC 2.0, CLR 2.0, then OB 3.0.
CLR_CONTEXTS = [OB_CONTEXTS[0], CLR_CONTEXT, *OB_CONTEXTS[1:]]

CLR_TYPE = "ClrCredential"
# What one ClrCredential bundles at most (its verification checks each one).
MAX_BUNDLED = 200
AssociationType = Literal[
    "exactMatchOf",
    "isChildOf",
    "isParentOf",
    "isPartOf",
    "isPeerOf",
    "isRelatedTo",
    "precedes",
    "replacedBy",
]
ASSOCIATION_TYPES: tuple[str, ...] = get_args(AssociationType)


@dataclass(frozen=True)
class Association:
    """``source`` and ``target`` are achievement ids of the bundled credentials."""

    kind: str
    source: str
    target: str


@dataclass(frozen=True)
class ClrContent:
    id: str
    issuer: dict[str, Any]
    name: str
    credentials: Sequence[Mapping[str, Any]]
    valid_from: datetime
    description: str | None = None
    associations: Sequence[Association] = field(default_factory=tuple)


def _achievement(credential: Mapping[str, Any]) -> Mapping[str, Any] | None:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
    return achievement if isinstance(achievement, Mapping) else None


def _subject_identity(credentials: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The learner as the bundled credentials name them: their ``id`` if they share one,
    else every distinct ``identifier`` (an email's salted hash differs per credential)."""
    ids: list[str] = []
    identifiers: list[Any] = []
    for credential in credentials:
        subject = credential.get("credentialSubject")
        if not isinstance(subject, Mapping):
            continue
        if isinstance(subject.get("id"), str) and subject["id"] not in ids:
            ids.append(subject["id"])
        for identifier in subject.get("identifier") or []:
            if identifier not in identifiers:
                identifiers.append(identifier)
    identity: dict[str, Any] = {}
    if len(ids) == 1:
        identity["id"] = ids[0]
    if identifiers:
        identity["identifier"] = identifiers
    return identity


def bundled_credentials(content: ClrContent) -> list[Mapping[str, Any]]:
    """The credentials to bundle, checked: at least one, at most :data:`MAX_BUNDLED`, each a
    signed OpenBadgeCredential (JSON-LD with a proof), no two the same."""
    if not content.credentials:
        raise ValidationFailedError("A CLR bundles at least one credential.")
    if len(content.credentials) > MAX_BUNDLED:
        raise ValidationFailedError(f"A CLR bundles at most {MAX_BUNDLED} credentials.")
    seen: set[str] = set()
    for credential in content.credentials:
        if "proof" not in credential or _achievement(credential) is None:
            raise ValidationFailedError("Only signed Open Badges credentials can be bundled.")
        if credential.get("id") in seen:
            raise ValidationFailedError(f"{credential.get('id')} is bundled twice.")
        seen.add(str(credential.get("id")))
    return list(content.credentials)


def build_clr(content: ClrContent) -> dict[str, Any]:
    credentials = bundled_credentials(content)
    achievements: list[Mapping[str, Any]] = []
    for credential in credentials:
        achievement = _achievement(credential)
        if achievement is not None and all(
            a.get("id") != achievement.get("id") for a in achievements
        ):
            achievements.append(achievement)
    known = {a.get("id") for a in achievements}
    associations = []
    for association in content.associations:
        if association.kind not in ASSOCIATION_TYPES:
            raise ValidationFailedError(f"{association.kind!r} is not a CLR association type.")
        if not {association.source, association.target} <= known:
            raise ValidationFailedError("An association links achievements the CLR bundles.")
        associations.append(
            {
                "type": "Association",
                "associationType": association.kind,
                "sourceId": association.source,
                "targetId": association.target,
            }
        )
    subject: dict[str, Any] = {
        "type": ["ClrSubject"],
        **_subject_identity(credentials),
        "achievement": achievements,
        "verifiableCredential": credentials,
    }
    if associations:
        subject["association"] = associations
    clr: dict[str, Any] = {
        "@context": list(CLR_CONTEXTS),
        "id": content.id,
        "type": ["VerifiableCredential", CLR_TYPE],
        "name": content.name,
        "issuer": content.issuer,
        "validFrom": format_datetime(content.valid_from),
        "credentialSubject": subject,
    }
    if content.description:
        clr["description"] = content.description
    return clr
