"""``/verify``: the verification page. A plain form (no JavaScript needed) and a checklist a
non-technical reader understands, technical detail folded away."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from badgeservice.errors import ServiceError
from badgeservice.http.deps import KeyStoreDep, RemoteDep, SessionDep, SettingsDep
from badgeservice.http.verify_input import Source, read_source, verify_source
from badgeservice.web import i18n, messages

router = APIRouter(tags=["public"])


@router.get("/verify", response_class=Response)
def verify_form(
    request: Request,
    url: Annotated[
        str | None, Query(max_length=2048, description="Pre-fills the URL field")
    ] = None,
) -> Response:
    """The form; ``?url=`` pre-fills the credential URL (the credential pages link here)."""
    language = i18n.negotiate(request)
    return i18n.render(request, "verify.html", language, _page(url=url))


async def page_source(request: Request) -> Source | ServiceError:
    """The submitted credential, or the problem with it (shown on the page, not as JSON)."""
    try:
        return await read_source(request)
    except ServiceError as exc:
        return exc


@router.post("/verify", response_class=Response)
def verify_submitted(
    request: Request,
    source: Annotated[Source | ServiceError, Depends(page_source)],
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    remote: RemoteDep,
) -> Response:
    language = i18n.negotiate(request)
    try:
        if isinstance(source, ServiceError):
            raise source
        report = verify_source(source, session, settings, key_store, remote)
    except ServiceError as exc:
        page = _page(problem=exc.detail)
        return i18n.render(request, "verify.html", language, page, status_code=exc.status)
    session.commit()
    checks = [
        {
            **check,
            "title": messages.title(check["id"], language),
            "sentence": messages.sentence(check["id"], check["outcome"], language),
            "outcome_name": messages.outcome(check["outcome"], language),
        }
        for check in report["checks"]
    ]
    verdict = messages.verdict(report["verified"], language)
    page = _page(report=report, checks=checks, verdict=verdict)
    return i18n.render(request, "verify.html", language, page)


def _page(**values: Any) -> dict[str, Any]:
    return {"report": None, "url": None, **values}
