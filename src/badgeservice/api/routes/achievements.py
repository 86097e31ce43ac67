"""`/api/v1/issuers/{slug}/achievements`: an issuer's achievements (badge classes)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response, status

from badgeservice.api.schemas.achievements import AchievementIn, AchievementOut
from badgeservice.api.schemas.common import Limit, Offset, Page, validate_body
from badgeservice.api.uploads import IMAGE_BODY, require_image_type
from badgeservice.db.models import Achievement, Issuer
from badgeservice.domain.merge_patch import merge_patch
from badgeservice.http.deps import IssuerDep, PrincipalDep, RawBodyDep, SessionDep, SettingsDep
from badgeservice.http.problems import problem_responses
from badgeservice.services import achievements
from badgeservice.settings import Settings

router = APIRouter(prefix="/api/v1/issuers/{slug}/achievements", tags=["achievements"])
_ERRORS = problem_responses(401, 403, 404, 422)


def achievement_out(achievement: Achievement, issuer: Issuer, settings: Settings) -> AchievementOut:
    definition = achievements.definition(achievement, settings.base_url)
    wire = achievements.wire_fields(achievement)
    image = {"url": definition.image_url} if definition.image_url else None
    return AchievementOut.model_validate(
        {
            **wire,
            "id": achievement.id,
            "issuer": issuer.slug,
            "url": definition.url,
            "languages": definition.languages,
            "image": image,
            "achievementType": achievement.achievement_type,
            "creator": achievement.creator,
            "revision": achievement.revision,
            "createdAt": achievement.created_at,
            "updatedAt": achievement.updated_at,
        }
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=_ERRORS)
def create_achievement(
    slug: str,
    issuer: Annotated[Issuer, IssuerDep("achievements:write")],
    body: AchievementIn,
    response: Response,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
) -> AchievementOut:
    """Define an achievement. Texts are maps of BCP 47 language tag → text."""
    fields = body.model_dump(mode="json", by_alias=True, exclude_none=True)
    achievement = achievements.create_achievement(session, issuer, fields, actor=principal.actor)
    session.commit()
    response.headers["Location"] = f"{router.prefix.format(slug=slug)}/{achievement.id}"
    return achievement_out(achievement, issuer, settings)


@router.get("", responses=_ERRORS)
def list_achievements(
    issuer: Annotated[Issuer, IssuerDep("achievements:read")],
    session: SessionDep,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AchievementOut]:
    items, total = achievements.list_achievements(session, issuer, limit=limit, offset=offset)
    return Page[AchievementOut](
        items=[achievement_out(a, issuer, settings) for a in items],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/{achievement_id}", responses=_ERRORS)
def get_achievement(
    issuer: Annotated[Issuer, IssuerDep("achievements:read")],
    achievement_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
) -> AchievementOut:
    achievement = achievements.get_achievement(session, issuer, achievement_id)
    return achievement_out(achievement, issuer, settings)


@router.patch("/{achievement_id}", responses=_ERRORS)
def update_achievement(
    issuer: Annotated[Issuer, IssuerDep("achievements:write")],
    achievement_id: uuid.UUID,
    patch: Annotated[dict[str, Any], Body(description="A JSON Merge Patch (RFC 7396).")],
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
) -> AchievementOut:
    """Change an achievement with a JSON Merge Patch: maps merge, `null` removes a key.
    Credentials already issued keep the achievement as it was."""
    achievement = achievements.get_achievement(session, issuer, achievement_id)
    merged = merge_patch(achievements.wire_fields(achievement), patch)
    body = validate_body(AchievementIn, merged)
    fields = body.model_dump(mode="json", by_alias=True, exclude_none=True)
    achievements.update_achievement(session, achievement, fields, actor=principal.actor)
    session.commit()
    return achievement_out(achievement, issuer, settings)


@router.put(
    "/{achievement_id}/image",
    responses=problem_responses(401, 403, 404, 413, 415, 422),
    openapi_extra=IMAGE_BODY,
)
def upload_image(
    issuer: Annotated[Issuer, IssuerDep("achievements:write")],
    achievement_id: uuid.UUID,
    request: Request,
    content: RawBodyDep,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
) -> AchievementOut:
    """Upload the achievement's image as a PNG or SVG body (used for baked badges)."""
    require_image_type(request)
    achievement = achievements.get_achievement(session, issuer, achievement_id)
    achievements.set_achievement_image(session, achievement, content, actor=principal.actor)
    session.commit()
    return achievement_out(achievement, issuer, settings)
