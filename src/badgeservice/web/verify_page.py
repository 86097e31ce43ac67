"""``/verify``: the verification page. A plain form (no JavaScript needed) and a checklist a
non-technical reader understands, technical detail folded away."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from badgeservice.errors import ServiceError
from badgeservice.http.deps import KeyStoreDep, RemoteDep, SessionDep, SettingsDep
from badgeservice.http.verify_input import Source, read_source, verify_source
from badgeservice.web import messages
from badgeservice.web.negotiation import templates

router = APIRouter(tags=["public"])


@router.get("/verify", response_class=Response)
def verify_form(request: Request) -> Response:
    return templates.TemplateResponse(request, "verify.html", _page())


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
    try:
        if isinstance(source, ServiceError):
            raise source
        report = verify_source(source, session, settings, key_store, remote)
    except ServiceError as exc:
        page = _page(problem=exc.detail)
        return templates.TemplateResponse(request, "verify.html", page, status_code=exc.status)
    session.commit()
    checks = [
        {
            **check,
            "title": messages.title(check["id"]),
            "sentence": messages.sentence(check["id"], check["outcome"]),
        }
        for check in report["checks"]
    ]
    page = _page(report=report, checks=checks, verdict=messages.VERDICT[report["verified"]])
    return templates.TemplateResponse(request, "verify.html", page)


def _page(**values: Any) -> dict[str, Any]:
    return {"lang": "en", "title": "Verify an Open Badge", "report": None, **values}
