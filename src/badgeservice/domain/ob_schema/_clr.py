"""The CLR 2.0 ``ClrCredential`` envelope, written from the CLR 2.0 data model and 1EdTech's
CLR test vector (the same modelling as the OB classes; nothing is fetched).

A ClrCredential lists the VC 2.0 context first, then the CLR 2.0 context and an OB 3.0 context
(1EdTech's vector: CLR before OB, the CLR context borrowing the OB context's ``xsd:`` terms).
Its ``ClrSubject`` bundles ``verifiableCredential`` (each an AchievementCredential, checked as
one), the ``achievement``s they are for and the ``association``s between them. An
``Association`` has a single-string ``type``, like ``Image`` and ``IdentityObject``.

See: https://www.imsglobal.org/spec/clr/v2p0/#clrcredential
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from badgeservice.domain.clr import ASSOCIATION_TYPES, CLR_TYPE
from badgeservice.domain.ob_schema._classes import ENDORSEMENTS, define, ref
from badgeservice.domain.ob_schema._credentials import ENVELOPE, OB_CONTEXT, VC_V2_CONTEXT
from badgeservice.domain.ob_schema._rules import (
    Model,
    SchemaIssue,
    array_of,
    boolean,
    choice,
    exactly,
    json_kind,
    text,
    type_set,
)

__all__ = ["CLR_CREDENTIAL", "CLR_TYPE"]

CLR_CONTEXT = re.compile(r"^https://purl\.imsglobal\.org/spec/clr/v2p0/context(-2\.\d\.\d)?\.json$")


def clr_contexts(value: Any, path: str) -> Iterator[SchemaIssue]:
    """``@context``: the VC 2.0 context first, then the CLR 2.0 and an OB 3.0 context."""
    if not isinstance(value, list):
        yield SchemaIssue(path, f"must be an array of contexts, not {json_kind(value)}")
        return
    if not value or value[0] != VC_V2_CONTEXT:
        yield SchemaIssue(f"{path}[0]", f"must be {VC_V2_CONTEXT}")
    urls = [item for item in value[1:] if isinstance(item, str)]
    if not any(CLR_CONTEXT.search(url) for url in urls):
        yield SchemaIssue(path, "must list the CLR 2.0 context (…/clr/v2p0/context-2.0.x.json)")
    if not any(re.search(OB_CONTEXT, url) for url in urls):
        yield SchemaIssue(path, "must list an OB 3.0 context (…/ob/v3p0/context-3.x.y.json)")
    for index, item in enumerate(value[1:], start=1):
        if not isinstance(item, str | Mapping):
            yield SchemaIssue(f"{path}[{index}]", "must be a context URL or a context object")


ASSOCIATION = define(
    Model(
        "Association",
        {
            "type": exactly("Association"),
            "associationType": choice(ASSOCIATION_TYPES, "a CLR association type"),
            "sourceId": text,
            "targetId": text,
        },
        required=("type", "associationType", "sourceId", "targetId"),
        closed=True,
    )
)
define(
    Model(
        "ClrSubject",
        {
            "id": text,
            "type": type_set("ClrSubject"),
            "identifier": array_of(ref("IdentityObject")),
            "achievement": array_of(ref("Achievement")),
            "verifiableCredential": array_of(ref("AchievementCredential")),
            "association": array_of(ASSOCIATION),
        },
        required=("type", "verifiableCredential"),
    )
)
CLR_CREDENTIAL = define(
    Model(
        "ClrCredential",
        {
            **ENVELOPE,
            "@context": clr_contexts,
            "type": type_set("VerifiableCredential", CLR_TYPE),
            "description": text,
            "image": ref("Image"),
            "partial": boolean,
            "credentialSubject": ref("ClrSubject"),
            **ENDORSEMENTS,
        },
        required=("@context", "id", "type", "name", "credentialSubject", "issuer", "validFrom"),
    )
)
