"""Reading a credential to verify from a request (JSON, JWT text, image, form or URL), and
running the verification; shared by the API and the verification page."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request
from starlette.datastructures import UploadFile

from badgeservice.domain.recipient import RecipientError
from badgeservice.domain.recipient_check import ClaimedRecipient, claimed_recipient
from badgeservice.errors import BadRequestError, MalformedRequestError, UnsupportedMediaTypeError
from badgeservice.remote import RemoteFetcher
from badgeservice.services import verification
from badgeservice.services.resolution import Database
from badgeservice.settings import Settings

JWT_TYPES = {"text/plain", "application/jwt", "application/vc+jwt"}
IMAGE_TYPES = {"image/png", "image/svg+xml"}
# A JSON body is the credential itself, or an object of these members.
WRAPPER_MEMBERS = frozenset({"url", "credential", "recipient"})


class NotACredentialError(BadRequestError):
    status, code, title = 422, "not_a_credential", "The input is not a credential"


TRUE_WORDS = {"1", "true", "on", "yes"}


class RecipientInvalidError(BadRequestError):
    status, code, title = 422, "recipient_invalid", "The recipient is not usable"


@dataclass(frozen=True)
class Source:
    """The credential to verify, or a URL to fetch it from; ``fresh`` asks for a
    re-verification that bypasses the remote client's cache (a form field ``fresh``)."""

    value: dict[str, Any] | str | bytes | None = None
    url: str | None = None
    fresh: bool = False
    recipient: ClaimedRecipient | None = None  # checked by the ``recipient`` check


async def read_source(request: Request) -> Source:
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type in {"multipart/form-data", "application/x-www-form-urlencoded"}:
        return await _read_form(request)
    body = await request.body()
    if media_type in verification.JSON_TYPES:
        return _read_json(body)
    if media_type in JWT_TYPES:
        return Source(value=body.decode("utf-8", errors="replace").strip())
    if media_type in IMAGE_TYPES:
        return Source(value=body)
    raise UnsupportedMediaTypeError(
        'Send JSON (a credential, or {"url": …}), a JWT as text/plain, a PNG/SVG, or a form.'
    )


def _read_json(body: bytes) -> Source:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise MalformedRequestError("The body is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise NotACredentialError("A credential is a JSON object.")
    if "@context" in data or not set(data) & {"url", "credential"}:
        return Source(value=data)  # the credential itself
    url, credential = data.get("url"), data.get("credential")
    if set(data) <= WRAPPER_MEMBERS and (url is None) != (credential is None):
        recipient = _recipient(data.get("recipient"))
        if isinstance(url, str):
            return Source(url=url, recipient=recipient)
        if isinstance(credential, str):  # a JWT, or JSON as text
            credential = verification.read_source(credential.strip().encode(), "")
        if isinstance(credential, dict | str):
            return Source(value=credential, recipient=recipient)
    raise NotACredentialError(
        'Send a credential, or {"credential": …} or {"url": …} with an optional "recipient".'
    )


def _recipient(value: Any) -> ClaimedRecipient | None:
    """The optional recipient to compare (an email, a DID, a URL or ``User:Name``); never
    echoed back."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise RecipientInvalidError(
            "recipient is an email address, a DID, a URL or User:Name (a string)."
        )
    try:
        return claimed_recipient(value)
    except RecipientError as exc:
        raise RecipientInvalidError(f"{str(exc).capitalize()}.") from exc


async def _read_form(request: Request) -> Source:
    form = await request.form()
    fresh = str(form.get("fresh") or "").strip().lower() in TRUE_WORDS
    recipient = _recipient(form.get("recipient"))
    upload = form.get("file")
    if isinstance(upload, UploadFile):
        content = await upload.read()
        if content:
            value = verification.read_source(content, upload.content_type or "")
            return Source(value=value, fresh=fresh, recipient=recipient)
    text = form.get("credential")
    if isinstance(text, str) and text.strip():
        value = verification.read_source(text.strip().encode(), "")
        return Source(value=value, fresh=fresh, recipient=recipient)
    image = form.get("image")  # the page's "check again" form re-posts an image as base64
    if isinstance(image, str) and image.strip():
        return Source(value=_base64(image), fresh=fresh, recipient=recipient)
    url = form.get("url")
    if isinstance(url, str) and url.strip():
        return Source(url=url.strip(), fresh=fresh, recipient=recipient)
    raise NotACredentialError("Give a file, a pasted credential or a URL.")


def _base64(text: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except ValueError as exc:
        raise NotACredentialError("The image field is not base64.") from exc


SourceDep = Annotated[Source, Depends(read_source)]


def verify_source(
    source: Source,
    database: Database,
    settings: Settings,
    remote: RemoteFetcher,
    *,
    now: datetime,
    fresh: bool = False,
) -> dict[str, Any]:
    """The report as a dict (shared by the API and the page), checked at ``now``; raises for
    non-credentials.
    ``fresh`` (or the form's ``fresh`` field) re-verifies without the remote client's cache.
    ``database`` opens a short unit of work for each read of our own documents: no
    connection is held while another server is waited on."""
    context = verification.VerifyContext(
        database,
        settings.base_url,
        remote,
        now,
        strict=settings.verify_strict,
        fresh=fresh or source.fresh,
        deadline_seconds=settings.verify_deadline_seconds,
        max_fetches=settings.verify_max_fetches,
    )
    if source.url:
        report = verification.verify_url(source.url, context, recipient=source.recipient)
    else:
        assert source.value is not None
        report = verification.verify(source.value, context, recipient=source.recipient)
    structure = report.check("structure")
    if structure.code == "structure_unreadable":
        raise NotACredentialError(structure.message)
    return {
        "verified": report.verified,
        "format": report.format,
        "credential": verification.summary(report),
        "checks": [check.to_dict() for check in report.checks],
        "warnings": report.warnings,
        "checkedAt": report.checked_at,
    }
