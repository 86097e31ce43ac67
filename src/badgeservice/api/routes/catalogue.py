"""`/api/v1/catalogue`: the shared achievements any issuer may issue, and the shared learning
packs any issuer's pack may have as a step (public)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from badgeservice.api.routes.achievements import achievement_out
from badgeservice.api.routes.packs import pack_out
from badgeservice.api.schemas.achievements import AchievementOut
from badgeservice.api.schemas.common import Limit, Offset, Page
from badgeservice.domain.languages import LanguageTagError, normalize_language
from badgeservice.errors import FieldError, ValidationFailedError
from badgeservice.http.deps import SessionDep, SettingsDep
from badgeservice.http.problems import problem_responses
from badgeservice.services import catalogue, packs

router = APIRouter(prefix="/api/v1/catalogue", tags=["achievements"])


@router.get("", responses=problem_responses(422))
def list_catalogue(
    session: SessionDep,
    settings: SettingsDep,
    q: Annotated[str, Query(max_length=200, description="Words of a name, any language.")] = "",
    lang: Annotated[
        str | None,
        Query(max_length=35, description="Only achievements named in this language (BCP 47)."),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AchievementOut]:
    """Shared achievements (skill assertions): any issuer issues one by its id, as its own
    (`POST /api/v1/issuers/{slug}/credentials` with `achievementId`), with its signature;
    `issuer` here is the defining issuer, which the achievement names as `creator`."""
    found, total = catalogue.shared_achievements(
        session, q, language=_language(lang), limit=limit, offset=offset
    )
    return Page[AchievementOut](
        items=[achievement_out(a, issuer, settings) for a, issuer in found],
        total=total,
        limit=limit,
        offset=offset,
    )


def _language(lang: str | None) -> str | None:
    if not lang:
        return None
    try:
        return normalize_language(lang)
    except LanguageTagError as exc:
        problem = FieldError("/query/lang", str(exc), "invalid_language")
        raise ValidationFailedError(str(exc) + ".", errors=[problem]) from exc


@router.get("/packs", responses=problem_responses(422), tags=["packs"])
def list_shared_packs(
    session: SessionDep,
    q: Annotated[str, Query(max_length=200, description="Words of a name, any language.")] = "",
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Shared learning packs: any issuer's pack has one as a step with `"kind": "pack"`,
    `packSlug` and `packIssuer`; `issuer` is the slug of the issuer that defined it."""
    found, total = packs.shared_packs(session, q, limit=limit, offset=offset)
    items = [{"issuer": issuer.slug} | pack_out(session, pack) for pack, issuer in found]
    return {"items": items, "total": total, "limit": limit, "offset": offset}
