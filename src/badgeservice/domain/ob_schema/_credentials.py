"""The credential envelopes: AchievementCredential (= OpenBadgeCredential) and the
EndorsementCredential it may embed, with their VC 2.0 members.

The strict schema knows only the VC 2.0 envelope: ``@context`` must start with the VC 2.0
context and ``validFrom`` is required, so a VC 1.1 credential (``issuanceDate``, first context
``https://www.w3.org/2018/credentials/v1``) never conforms. ``proof``, ``credentialSchema`` and
``termsOfUse`` must be arrays; ``credentialStatus`` and ``refreshService`` single objects.

See: https://www.imsglobal.org/spec/ob/v3p0/#achievementcredential
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from badgeservice.domain.ob_schema._classes import ENDORSEMENTS, define, ref, texts
from badgeservice.domain.ob_schema._rules import (
    Model,
    Rule,
    SchemaIssue,
    UriOr,
    array_of,
    json_kind,
    matching,
    text,
    type_set,
)

__all__ = [
    "ACHIEVEMENT_CREDENTIAL",
    "CREDENTIAL_STATUS",
    "ENDORSEMENT_CREDENTIAL",
    "VC_V2_CONTEXT",
    "check_achievement_credential",
    "check_endorsement_credential",
]

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = r"^https:\/\/purl\.imsglobal\.org\/spec\/ob\/v3p0\/context(-3\.\d\.\d)*\.json$"
_OB_CONTEXT = matching(OB_CONTEXT, "an OB 3.0 context URL (…/ob/v3p0/context-3.x.y.json)")


def contexts(value: Any, path: str) -> Iterator[SchemaIssue]:
    """``@context``: the VC 2.0 context, then an OB 3.0 context, then URLs or objects."""
    if not isinstance(value, list):
        yield SchemaIssue(path, f"must be an array of contexts, not {json_kind(value)}")
        return
    if len(value) < 2:
        yield SchemaIssue(path, "must list the VC 2.0 and the OB 3.0 contexts, in that order")
    if value and value[0] != VC_V2_CONTEXT:
        yield SchemaIssue(f"{path}[0]", f"must be {VC_V2_CONTEXT}")
    if len(value) > 1:
        yield from _OB_CONTEXT(value[1], f"{path}[1]")
    for index, item in enumerate(value[2:], start=2):
        if not isinstance(item, str | Mapping):
            yield SchemaIssue(f"{path}[{index}]", "must be a context URL or a context object")


define(
    Model(
        "Proof",
        {
            "type": text,
            **texts("created cryptosuite challenge domain nonce"),
            **texts("proofPurpose proofValue verificationMethod"),
        },
        required=("type",),
    )
)
define(Model("CredentialSchema", texts("id type"), required=("id", "type")))
CREDENTIAL_STATUS = define(Model("CredentialStatus", texts("id type"), required=("id", "type")))
define(Model("RefreshService", texts("id type"), required=("id", "type")))
define(Model("TermsOfUse", texts("id type"), required=("type",)))

# The VC 2.0 members both credential classes share.
ENVELOPE: dict[str, Rule] = {
    "@context": contexts,
    "id": text,
    "name": text,
    "awardedDate": text,
    "issuer": UriOr(ref("Profile"), "a URI or a Profile"),
    "validFrom": text,
    "validUntil": text,
    "proof": array_of(ref("Proof")),
    "credentialSchema": array_of(ref("CredentialSchema")),
    "credentialStatus": ref("CredentialStatus"),
    "refreshService": ref("RefreshService"),
    "termsOfUse": array_of(ref("TermsOfUse")),
}

ENDORSEMENT_CREDENTIAL = define(
    Model(
        "EndorsementCredential",
        {
            **ENVELOPE,
            "type": type_set("VerifiableCredential", "EndorsementCredential"),
            "description": text,
            "credentialSubject": ref("EndorsementSubject"),
        },
        required=("@context", "type", "id", "name", "credentialSubject", "issuer", "validFrom"),
    )
)

ACHIEVEMENT_CREDENTIAL = define(
    Model(
        "AchievementCredential",
        {
            **ENVELOPE,
            "type": type_set(
                "VerifiableCredential", ("AchievementCredential", "OpenBadgeCredential")
            ),
            "description": text,
            "image": ref("Image"),
            "credentialSubject": ref("AchievementSubject"),
            **ENDORSEMENTS,
            "evidence": array_of(ref("Evidence")),
        },
        required=("@context", "id", "type", "credentialSubject", "issuer", "validFrom"),
    )
)


def check_achievement_credential(document: Mapping[str, Any]) -> list[SchemaIssue]:
    """Every way ``document`` breaks the strict 1EdTech AchievementCredential JSON Schema, in
    document order; an empty list when it conforms. Exactly as strict as the published schema
    (Draft 2019-09, formats not asserted): a single ``proof`` object or any VC 1.1 credential
    does not conform. Pure; raises only RecursionError on absurdly deep nesting.

    See: https://www.imsglobal.org/spec/ob/v3p0/#achievementcredential
    """
    return list(ACHIEVEMENT_CREDENTIAL(document, ""))


def check_endorsement_credential(document: Mapping[str, Any]) -> list[SchemaIssue]:
    """Every way ``document`` breaks the 1EdTech EndorsementCredential JSON Schema (its own
    file; the same class the AchievementCredential schema embeds), in document order; exactly
    as strict as the published schema, like :func:`check_achievement_credential`.

    See: https://www.imsglobal.org/spec/ob/v3p0/#endorsementcredential
    """
    return list(ENDORSEMENT_CREDENTIAL(document, ""))
