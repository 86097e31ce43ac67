"""``GET /credentials/{id}.pdf``: the printable certificate (A4 or US Letter, landscape).

Register this router before ``web.credentials`` so that ``/credentials/{reference}`` does not
take the ``.pdf`` path first.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from badgeservice.errors import NotFoundError
from badgeservice.http.deps import ClockDep, SessionDep, SettingsDep, WebSessionDep
from badgeservice.render.certificate import Paper
from badgeservice.services import certificate, credentials
from badgeservice.web import i18n
from badgeservice.web.negotiation import cached
from badgeservice.web.visibility import cache_rule, viewing

router = APIRouter(tags=["public"])


@router.get(
    "/credentials/{credential_id}.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def certificate_pdf(
    credential_id: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    signed_in: WebSessionDep,
    paper: Annotated[Paper, Query(description="a4 (default) or letter")] = "a4",
    lang: Annotated[str | None, Query(description="label language: en ja es fr de ar")] = None,
) -> Response:
    """The certificate; labels in `?lang=`, else the `lang` cookie, else Accept-Language,
    else the credential's own language. Revoked, suspended or expired credentials keep their
    certificate, marked with their state."""
    identifier = _credential_id(credential_id)
    record = credentials.find_credential(session, identifier)
    if record is None:
        raise NotFoundError(f"Credential {credential_id} not found.")
    shown, owner_view = viewing(session, record, signed_in, "page")
    accepted = i18n.accepted_languages(request.headers.get("accept-language", ""))
    languages = [lang, request.cookies.get(i18n.COOKIE), *accepted]
    pdf = certificate.get_certificate(
        session,
        identifier,
        base_url=settings.base_url,
        languages=languages,
        paper=paper,
        now=clock.now(),
    )
    filename = f"certificate-{identifier}-{pdf.language}-{paper}.pdf"
    response = Response(
        pdf.content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )
    response = cached(request, response, pdf.cache_key.encode(), max_age=300, immutable=False)
    response.headers["Vary"] = "Accept-Language, Cookie"
    return cache_rule(response, shown, owner_view)


def _credential_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise NotFoundError(f"Credential {text} not found.") from None
