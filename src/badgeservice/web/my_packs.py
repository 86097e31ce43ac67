"""``/me/packs``: the signed-in learner's learning packs (how far they are through each, and
the packs that would add skills they lack) and one pack's progress, as a page and as JSON.
Private answers, like the rest of the backpack."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from badgeservice.db.models import User
from badgeservice.domain.languages import label_in
from badgeservice.domain.urls import (
    SITE,
    credential_url,
    issuer_url,
    learner_clr_url,
    my_pack_url,
    pack_page_url,
)
from badgeservice.http.deps import ClockDep, SessionDep, SettingsDep, WebSessionDep
from badgeservice.services import issuers, learner_packs, pack_progress, packs
from badgeservice.services.learner_packs import LearnerPack
from badgeservice.web import i18n
from badgeservice.web.accounts import private, render, sign_in_page
from badgeservice.web.packs import pack_name, step_rows

router = APIRouter(include_in_schema=False)


def _award_href(on: LearnerPack) -> str | None:
    if on.award is None or on.award.credential_id is None:
        return None
    return credential_url(SITE, on.award.credential_id)


def _row(on: LearnerPack, language: str) -> dict[str, Any]:
    return {
        "key": f"{on.issuer.slug}-{on.pack.slug}",
        "name": pack_name(on.pack, language),
        "issuer_name": on.issuer.name,
        "href": my_pack_url(SITE, on.issuer.slug, on.pack.slug),
        "done": on.progress.done,
        "needed": on.progress.needed,
        "complete": on.progress.complete,
        "has_award": on.pack.achievement_id is not None,
        "award_href": _award_href(on),
    }


def _suggestions(
    session: Session, user: User, now: datetime, on: list[LearnerPack], language: str
) -> list[dict[str, Any]]:
    found = learner_packs.suggestions(session, user, now, exclude={p.pack.id for p in on})
    return [
        {
            "name": pack_name(s.pack, language),
            "issuer_name": s.issuer.name,
            "href": pack_page_url(SITE, s.issuer.slug, s.pack.slug),
            "skills": [label_in(i.labels, language, i.code) for i in s.skills],
        }
        for s in found
    ]


@router.get("/me/packs", response_class=Response)
def my_packs_page(
    request: Request, session: SessionDep, signed_in: WebSessionDep, clock: ClockDep
) -> Response:
    """The packs the learner is on, and packs that would add skills they lack."""
    if signed_in is None:
        return sign_in_page(request)
    language, now, user = i18n.negotiate(request), clock.now(), signed_in[1]
    on = learner_packs.packs_on(session, user, now)
    context = {
        "title": "",
        "packs": [_row(p, language) for p in on],
        "suggestions": _suggestions(session, user, now, on, language),
    }
    return render(request, "my_packs.html", context, signed_in)


def _progress_of(
    session: Session, user: User, slug: str, pack_slug: str, now: datetime
) -> LearnerPack:
    pack = packs.get_pack(session, issuers.get_issuer(session, slug), pack_slug)
    return learner_packs.progress_of(session, user, pack, now)


# Before /me/packs/{slug}/{pack_slug}, which would take "x.json" for a pack slug otherwise.
@router.get("/me/packs/{slug}/{pack_slug}.json", response_class=Response)
def my_pack_json(
    slug: str,
    pack_slug: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    signed_in: WebSessionDep,
    clock: ClockDep,
) -> Response:
    """The learner's progress through one pack, in the API's words."""
    if signed_in is None:
        return sign_in_page(request, 401)
    on = _progress_of(session, signed_in[1], slug, pack_slug, clock.now())
    body = {"issuer": slug, "pack": on.pack.slug, "revision": on.pack.revision}
    body |= pack_progress.progress_body(on.progress, on.award, settings.base_url)
    return private(JSONResponse(body))


@router.get("/me/packs/{slug}/{pack_slug}", response_class=Response)
def my_pack_page(
    slug: str,
    pack_slug: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    signed_in: WebSessionDep,
    clock: ClockDep,
) -> Response:
    """The learner's progress through one pack: each step done or not, and the award."""
    if signed_in is None:
        return sign_in_page(request)
    language = i18n.negotiate(request)
    on = _progress_of(session, signed_in[1], slug, pack_slug, clock.now())
    pack = on.pack
    rows = step_rows(session, slug, packs.view(session, pack), language, settings.base_url)
    for row, step in zip(rows, on.progress.steps, strict=True):
        row["done"] = step.done
    name = pack_name(pack, language)
    context = {
        "title": name["text"],
        "name": name,
        "issuer_name": on.issuer.name,
        "issuer_href": issuer_url(SITE, slug),
        "public_href": pack_page_url(SITE, slug, pack.slug),
        "groups": {g.key: g for g in on.progress.groups},
        "group_required": {g.key: g.required for g in on.progress.groups},
        "steps": rows,
        "row": _row(on, language),
        "clr_href": learner_clr_url(SITE, slug, pack.slug)
        if on.award is not None or any(s.done for s in on.progress.steps)
        else None,
    }
    return render(request, "my_pack.html", context, signed_in)
