"""Reading a credential to verify from a request (JSON, JWT text, image, form or URL), and
running the verification; shared by the API and the verification page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from badgeservice.errors import BadRequestError, MalformedRequestError, UnsupportedMediaTypeError
from badgeservice.remote import RemoteFetcher
from badgeservice.services import verification
from badgeservice.services.keystore import KeyStore
from badgeservice.settings import Settings

JWT_TYPES = {"text/plain", "application/jwt", "application/vc+jwt"}
IMAGE_TYPES = {"image/png", "image/svg+xml"}


class NotACredentialError(BadRequestError):
    status, code, title = 422, "not_a_credential", "The input is not a credential"


TRUE_WORDS = {"1", "true", "on", "yes"}


@dataclass(frozen=True)
class Source:
    """The credential to verify, or a URL to fetch it from; ``fresh`` asks for a
    re-verification that bypasses the remote client's cache (a form field ``fresh``)."""

    value: dict[str, Any] | str | bytes | None = None
    url: str | None = None
    fresh: bool = False


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
    if set(data) == {"url"} and isinstance(data["url"], str):
        return Source(url=data["url"])
    return Source(value=data)


async def _read_form(request: Request) -> Source:
    form = await request.form()
    fresh = str(form.get("fresh") or "").strip().lower() in TRUE_WORDS
    upload = form.get("file")
    if isinstance(upload, UploadFile):
        content = await upload.read()
        if content:
            value = verification.read_source(content, upload.content_type or "")
            return Source(value=value, fresh=fresh)
    text = form.get("credential")
    if isinstance(text, str) and text.strip():
        return Source(value=verification.read_source(text.strip().encode(), ""), fresh=fresh)
    url = form.get("url")
    if isinstance(url, str) and url.strip():
        return Source(url=url.strip(), fresh=fresh)
    raise NotACredentialError("Give a file, a pasted credential or a URL.")


SourceDep = Annotated[Source, Depends(read_source)]


def verify_source(
    source: Source,
    session: Session,
    settings: Settings,
    key_store: KeyStore,
    remote: RemoteFetcher,
    *,
    fresh: bool = False,
) -> dict[str, Any]:
    """The report as a dict (shared by the API and the page); raises for non-credentials.
    ``fresh`` (or the form's ``fresh`` field) re-verifies without the remote client's cache."""
    fresh = fresh or source.fresh
    value = source.value
    if source.url:
        value = verification.own_source(session, settings.base_url, source.url)
        if value is None:
            value = verification.fetch_source(source.url, remote, fresh=fresh)
    assert value is not None
    context = verification.VerifyContext(
        session,
        settings.base_url,
        key_store,
        remote,
        strict=settings.verify_strict,
        fresh=fresh,
    )
    report = verification.verify(value, context)
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
