"""``/verify``: the verification page. A plain form (no JavaScript needed) and a checklist a
non-technical reader understands, technical detail folded away.

With a report the page shows what can be shown of the credential: the achievement's name and
description, the issuer, the recipient as the summary names them, the badge image only when
it is ours (under ``base_url``) or a ``data:`` image inside the credential (the visitor's
browser never fetches a third party's URL: a placeholder says so), the time of the checks,
each check's warnings, and a "check again" form that re-posts the same input with ``fresh=1``.
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.datastructures import UploadFile

from badgeservice.domain.urls import origin, parse_own_url
from badgeservice.errors import ServiceError
from badgeservice.http.deps import ClockDep, DatabaseDep, RemoteDep, SettingsDep
from badgeservice.http.middleware import page_policy
from badgeservice.http.verify_input import Source, read_source, verify_source
from badgeservice.settings import Settings
from badgeservice.web import i18n, messages

router = APIRouter(tags=["public"])

DATA_IMAGES = ("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/webp")
DATA_SVG = "data:image/svg+xml"
JPEG_MAGIC = b"\xff\xd8\xff"
OB2_CONTEXTS = (b"w3id.org/openbadges/v2", b"openbadgespec.org/v1", b"w3id.org/openbadges/v1")
MAX_SNIFFED = 4096


def verify_policy(base_url: str) -> str:
    """The page's CSP: no script at all, images only from us or ``data:`` (a third party's
    image would tell it who checked the credential)."""
    return page_policy(f"{origin(base_url)} data:")


@router.get("/verify", response_class=Response)
def verify_form(
    request: Request,
    settings: SettingsDep,
    url: Annotated[
        str | None, Query(max_length=2048, description="Pre-fills the URL field")
    ] = None,
) -> Response:
    """The form; `?url=` pre-fills the credential URL (the credential pages link here)."""
    language = i18n.negotiate(request)
    return _guarded(i18n.render(request, "verify.html", language, _page(url=url)), settings)


async def page_source(request: Request) -> Source | ServiceError:
    """The submitted credential, or the problem with it (shown on the page, not as JSON)."""
    try:
        return await read_source(request)
    except ServiceError as exc:
        return exc


async def submitted_kind(request: Request) -> str | None:
    """``jpeg`` or ``ob2`` when the form's file or pasted text is one of those (the page
    names it instead of saying only that it is no credential); else None."""
    if not request.headers.get("content-type", "").startswith(("multipart/", "application/x-")):
        return None
    form = await request.form()  # parsed once per request: the same form read_source read
    upload, text = form.get("file"), form.get("credential")
    if isinstance(upload, UploadFile):
        await upload.seek(0)
        content = await upload.read(MAX_SNIFFED)
        if content:
            return input_kind(content)
    return input_kind(text.encode()) if isinstance(text, str) else None


def input_kind(content: bytes) -> str | None:
    """``jpeg`` for a JPEG image, ``ob2`` for an Open Badges 2.0 assertion (its context).

    See: https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/index.html#Assertion
    """
    if content.startswith(JPEG_MAGIC):
        return "jpeg"
    head = content[:MAX_SNIFFED].lstrip()
    if head.startswith(b"{") and any(context in head for context in OB2_CONTEXTS):
        return "ob2"
    return None


@router.post("/verify", response_class=Response)
def verify_submitted(
    request: Request,
    source: Annotated[Source | ServiceError, Depends(page_source)],
    kind: Annotated[str | None, Depends(submitted_kind)],
    database: DatabaseDep,
    settings: SettingsDep,
    remote: RemoteDep,
    clock: ClockDep,
) -> Response:
    language = i18n.negotiate(request)
    try:
        if isinstance(source, ServiceError):
            raise source
        report = verify_source(source, database, settings, remote, now=clock.now())
    except ServiceError as exc:
        problem = messages.input_kind(kind, language) if kind else None
        page = _page(
            problem=problem or messages.problem(exc.code, language), problem_detail=exc.detail
        )
        rendered = i18n.render(request, "verify.html", language, page, status_code=exc.status)
        return _guarded(rendered, settings)
    page = _page(
        report=report,
        checks=[_check(check, language) for check in report["checks"]],
        verdict=messages.input_kind(kind, language)
        if kind and not report["verified"]
        else messages.headline(report, language),
        summary=_summary(report["credential"], settings.base_url, language),
        again=again_fields(source),
    )
    return _guarded(i18n.render(request, "verify.html", language, page), settings)


def _check(check: dict[str, Any], language: str) -> dict[str, Any]:
    notes = [messages.warning(w["code"], w["message"], language) for w in check["warnings"]]
    return {
        **check,
        "title": messages.title(check["id"], language),
        "sentence": messages.sentence(check, language),
        "outcome_name": messages.outcome(check["outcome"], language),
        "notes": [{"text": text, "lang": lang} for text, lang in notes],
    }


def _summary(credential: dict[str, Any] | None, base_url: str, language: str) -> Any:
    """The credential summary with the image we may show and the recipient in words."""
    if credential is None:
        return None
    recipient = credential.get("recipient") or {}
    kinds = recipient.get("hashedIdentifiers") or []
    return {
        **credential,
        "image_shown": shown_image(credential.get("image"), base_url),
        "hashed": [messages.hashed_identifier(kind, language) for kind in kinds],
    }


def shown_image(url: str | None, base_url: str) -> str | None:
    """``url`` when the visitor's browser may load it: a ``data:`` image from the credential
    or a URL of ours (``parse_own_url``: our origin, a resource we serve); else None."""
    if not url:
        return None
    lowered = url[:32].lower()
    if lowered.startswith((*DATA_IMAGES, DATA_SVG)):
        return url
    return url if parse_own_url(base_url, url) is not None else None


def again_fields(source: Source) -> dict[str, str]:
    """The hidden fields of "check again": the same input as before, read afresh."""
    fields = {"fresh": "1"}
    if source.recipient is not None:
        fields["recipient"] = source.recipient.value
    if source.url:
        return fields | {"url": source.url}
    value = source.value
    if isinstance(value, bytes):
        return fields | {"image": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return fields | {"credential": json.dumps(value, ensure_ascii=False)}
    return fields | {"credential": value or ""}


def _guarded(response: Response, settings: Settings) -> Response:
    response.headers["Content-Security-Policy"] = verify_policy(settings.base_url)
    response.headers["Cache-Control"] = "private, no-store"  # answers hold what was sent
    return response


def _page(**values: Any) -> dict[str, Any]:
    return {"report": None, "url": None, **values}
