"""`POST /api/v1/verify`: verify any Open Badge, ours or anyone's. Public, no token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from badgeservice.api.schemas.verify import VerifyOut
from badgeservice.http.deps import ClockDep, DatabaseDep, RemoteDep, SettingsDep
from badgeservice.http.problems import problem_responses
from badgeservice.http.verify_input import SourceDep, verify_source

router = APIRouter(prefix="/api/v1", tags=["verification"])

FRESH = (
    "Re-verify: fetch DID documents, controller documents, status lists and a credential "
    "given by URL anew from their servers for this verification, instead of from the server's "
    "short-lived cache (by default up to 5 minutes, or a status list's Cache-Control). Our own "
    "issuers' documents are always read from the database. A form may send a `fresh` field "
    "(`1`/`true`) instead. The report's `checkedAt` says when the checks ran."
)


@router.post(
    "/verify",
    responses=problem_responses(400, 413, 415, 422),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {
                    "examples": {
                        "url": {
                            "summary": "A credential's URL",
                            "value": {"url": "https://example.org/credentials/1"},
                        },
                        "recipient": {
                            "summary": "A credential and the recipient to compare",
                            "value": {
                                "credential": {"@context": ["…"], "type": ["…"]},
                                "recipient": "ada@example.org",
                            },
                        },
                    }
                },
                "text/plain": {"example": "eyJhbGciOiJFZERTQSIs…"},
                "image/png": {"schema": {"type": "string", "format": "binary"}},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "credential": {"type": "string"},
                            "url": {"type": "string"},
                            "recipient": {
                                "type": "string",
                                "description": "An email, DID, URL or `User:Name` (a "
                                "Wikimedia username) to compare (optional).",
                            },
                        },
                    }
                },
            }
        }
    },
)
def verify(
    source: SourceDep,
    database: DatabaseDep,
    settings: SettingsDep,
    remote: RemoteDep,
    clock: ClockDep,
    fresh: Annotated[bool, Query(description=FRESH)] = False,
) -> VerifyOut:
    """Verify a credential: JSON-LD, a compact VC-JWT, a baked PNG/SVG, `{"url": …}` or
    `{"credential": …}`. Always 200 with a report for a credential, verified or not; checks
    have stable ids, in order (the `id` enum of a check). Give `recipient` (an email, a DID or
    a URL; JSON member or form field) and a `recipient` check says whether the credential is about
    them: an email is compared with the salted identityHash, a DID or URL with
    credentialSubject.id; the recipient you give is never echoed back. `checkedAt` says when
    the checks ran; `?fresh=true` re-verifies without the server's short-lived cache of other
    servers' documents."""
    report = verify_source(source, database, settings, remote, now=clock.now(), fresh=fresh)
    return VerifyOut.model_validate(report)
