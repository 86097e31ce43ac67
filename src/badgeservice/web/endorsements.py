"""Public endorsement documents: the signed EndorsementCredential, as stored."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response

from badgeservice.errors import NotFoundError
from badgeservice.http.deps import SessionDep
from badgeservice.services import endorsements
from badgeservice.web.negotiation import cached

router = APIRouter(tags=["public"])
YEAR = 365 * 24 * 3600


@router.get("/endorsements/{endorsement_id}", response_class=Response)
def endorsement_document(
    endorsement_id: uuid.UUID, request: Request, session: SessionDep
) -> Response:
    """The signed JSON-LD, byte for byte as stored (immutable: revocation is in the status
    list, not in the document)."""
    endorsement = endorsements.find_endorsement(session, endorsement_id)
    if endorsement is None:
        raise NotFoundError(f"Endorsement {endorsement_id} not found.")
    response = Response(endorsement.document, media_type="application/ld+json")
    return cached(request, response, endorsement.sha256.encode(), max_age=YEAR, immutable=True)
