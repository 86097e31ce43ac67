"""The public page of a learning pack: its name, description and steps (with their links and
resources), in the visitor's language when the pack has it. Never who completed it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Pack
from badgeservice.domain.achievement import build_achievement
from badgeservice.domain.languages import pick_text
from badgeservice.domain.urls import (
    SITE,
    achievement_url,
    issuer_url,
    my_pack_url,
    pack_page_url,
)
from badgeservice.http.deps import SessionDep, SettingsDep
from badgeservice.services import achievements, issuers, packs
from badgeservice.web import i18n
from badgeservice.web.negotiation import cached, json_ld_response, wants_json

router = APIRouter(include_in_schema=False)


def text_in(texts: Mapping[str, str] | None, language: str, default: str) -> dict[str, str] | None:
    if not texts:
        return None
    fallback = default if default in texts else next(iter(texts))
    chosen, text = pick_text(texts, language, fallback)
    return {"text": text, "lang": chosen}


def pack_name(pack: Pack, language: str) -> dict[str, str]:
    """The pack's name in the reader's language when it has it (its slug when it has none)."""
    return text_in(pack.name, language, pack.default_language) or {"text": pack.slug, "lang": "en"}


def step_rows(
    session: Session, slug: str, view: packs.PackView, language: str, base_url: str
) -> list[dict[str, Any]]:
    pack = view.pack
    rows: list[dict[str, Any]] = []
    for step in view.steps:
        row: dict[str, Any] = {
            "kind": step.kind,
            "required": step.required,
            "group": step.group_key,
            "title": text_in(step.title, language, pack.default_language),
            "resources": [
                {"url": r["url"], "title": text_in(r["title"], language, pack.default_language)}
                for r in step.resources
            ],
        }
        if step.achievement_id:
            achievement = session.get(Achievement, step.achievement_id)
            if achievement is not None:
                document = build_achievement(
                    achievements.definition(achievement, base_url), language
                )
                row["href"] = achievement_url(SITE, achievement.id)
                row["name"] = {"text": document["name"], "lang": document["inLanguage"]}
        elif step.child_pack_id:
            child = session.get(Pack, step.child_pack_id)
            if child is not None:
                owner = view.children[child.id][0] or slug  # None: the pack's own issuer
                row["href"] = pack_page_url(SITE, owner, child.slug)
                row["name"] = text_in(child.name, language, child.default_language)
        else:
            row["href"] = step.url
        rows.append(row)
    return rows


@router.get("/issuers/{slug}/packs/{pack_slug}", response_class=Response)
def pack_page(
    slug: str, pack_slug: str, request: Request, session: SessionDep, settings: SettingsDep
) -> Response:
    """A learning pack's public page; its definition as JSON when ``Accept`` asks for it."""
    issuer = issuers.get_issuer(session, slug)
    pack = packs.get_pack(session, issuer, pack_slug)
    language = i18n.negotiate(request)
    view = packs.view(session, pack)
    if wants_json(request):  # the definition, as the API gives it to the issuer
        document = {"issuer": slug} | packs.body(view) | {"revision": pack.revision}
        response = json_ld_response(document, "application/json")
        return cached(request, response, bytes(response.body), max_age=300, immutable=False)
    name = pack_name(pack, language)
    context = {
        "title": name["text"],
        "name": name,
        "description": text_in(pack.description, language, pack.default_language),
        "issuer_name": issuer.name,
        "issuer_href": issuer_url(SITE, slug),
        "audience": pack.audience,
        "group_required": {g["key"]: g["required"] for g in pack.groups},
        "steps": step_rows(session, slug, view, language, settings.base_url),
        "award": pack.achievement_id and achievement_url(SITE, pack.achievement_id),
        "progress_href": my_pack_url(SITE, slug, pack.slug),
    }
    return i18n.page(request, "pack.html", language, context, max_age=300)
