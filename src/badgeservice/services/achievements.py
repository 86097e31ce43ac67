"""Achievements (badge classes) of an issuer, and their uploaded images."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Credential, Image, Issuer
from badgeservice.domain.achievement import AchievementDefinition
from badgeservice.domain.catalogue import (
    UNSHARE_REFUSED,
    defining_creator,
    may_unshare,
    sharing_problem,
)
from badgeservice.domain.urls import achievement_url, image_url
from badgeservice.errors import ConflictError, FieldError, ValidationFailedError
from badgeservice.services.audit import record_event
from badgeservice.services.images import store_image
from badgeservice.services.tenancy import get_owned

# The id a new achievement's preview shows in its URLs (it has none before it is saved).
DRAFT_ID = uuid.UUID(int=0)
# The columns of a definition (``_columns`` writes them, ``AchievementDefinition`` holds them).
_DEFINED = (
    "default_language",
    "name",
    "description",
    "criteria_narrative",
    "criteria_url",
    "image_url",
    "achievement_type",
    "tags",
    "alignments",
    "result_descriptions",
    "creator",
)


def definition(achievement: Achievement, base_url: str) -> AchievementDefinition:
    """The pure definition the OB documents are built from."""
    columns = {column: getattr(achievement, column) for column in _DEFINED}
    return _definition(achievement_url(base_url, achievement.id), columns, base_url, achievement)


def draft_definition(
    fields: dict[str, Any], base_url: str, achievement: Achievement | None = None
) -> AchievementDefinition:
    """The definition ``fields`` (validated wire form, as ``create_achievement`` and
    ``update_achievement`` take them) would give ``achievement`` (``None``: a new one, under
    ``DRAFT_ID``), built without storing or changing anything: what a preview shows. Its
    uploaded image stays unless ``fields`` name an image URL, as ``update_achievement`` does."""
    columns = _columns(fields)
    url = achievement_url(base_url, achievement.id if achievement else DRAFT_ID)
    kept = achievement if achievement is not None and "image" not in fields else None
    return _definition(url, columns, base_url, kept)


def _definition(
    url: str, columns: dict[str, Any], base_url: str, stored: Achievement | None
) -> AchievementDefinition:
    image = columns["image_url"]
    if stored is not None and stored.image_id is not None:
        image = image_url(base_url, stored.image_id)
    return AchievementDefinition(
        url=url,
        image_url=image,
        **{column: columns[column] for column in _DEFINED if column != "image_url"},
    )


def _columns(fields: dict[str, Any]) -> dict[str, Any]:
    """A validated definition in OB wire form (camelCase, no nulls) → column values."""
    criteria = fields.get("criteria", {})
    return {
        "default_language": fields["defaultLanguage"],
        "name": fields["name"],
        "description": fields["description"],
        "criteria_narrative": criteria.get("narrative", {}),
        "criteria_url": criteria.get("url"),
        "image_url": fields.get("image", {}).get("url"),
        "achievement_type": fields.get("achievementType"),
        "tags": fields.get("tags", []),
        "alignments": fields.get("alignments", []),
        "result_descriptions": [
            r if "id" in r else {**r, "id": uuid.uuid4().urn}
            for r in fields.get("resultDescriptions", [])
        ],
        "creator": fields.get("creator"),
    }


def wire_fields(achievement: Achievement) -> dict[str, Any]:
    """The stored definition in the wire form ``_columns`` reads (the base of a merge patch)."""
    criteria: dict[str, Any] = {}
    if achievement.criteria_narrative:
        criteria["narrative"] = achievement.criteria_narrative
    if achievement.criteria_url:
        criteria["url"] = achievement.criteria_url
    fields: dict[str, Any] = {
        "defaultLanguage": achievement.default_language,
        "name": achievement.name,
        "description": achievement.description,
        "criteria": criteria,
        "tags": achievement.tags,
        "alignments": achievement.alignments,
        "resultDescriptions": achievement.result_descriptions,
    }
    optional = {
        "image": {"url": achievement.image_url} if achievement.image_url else None,
        "achievementType": achievement.achievement_type,
        # A shared achievement's creator is its issuer, set on saving, not an input.
        "creator": None if achievement.shared else achievement.creator,
        "shared": True if achievement.shared else None,
    }
    return fields | {k: v for k, v in optional.items() if v is not None}


def create_achievement(
    session: Session, issuer: Issuer, fields: dict[str, Any], *, actor: str
) -> Achievement:
    columns = _columns(fields) | _sharing(session, issuer, None, fields)
    achievement = Achievement(issuer_id=issuer.id, **columns)
    session.add(achievement)
    session.flush()
    _audit(session, achievement, "achievement.created", actor)
    return achievement


def update_achievement(
    session: Session, achievement: Achievement, fields: dict[str, Any], *, actor: str
) -> Achievement:
    """Replace the definition. Issued credentials carry their own copy and do not change."""
    issuer = session.get_one(Issuer, achievement.issuer_id)
    for column, value in (
        _columns(fields) | _sharing(session, issuer, achievement, fields)
    ).items():
        setattr(achievement, column, value)
    if "image" in fields:
        achievement.image_id = None  # an explicit URL replaces an uploaded image
    achievement.revision += 1
    session.flush()
    _audit(session, achievement, "achievement.updated", actor)
    return achievement


def save_achievement(
    session: Session,
    issuer: Issuer,
    achievement: Achievement | None,
    fields: dict[str, Any],
    image: bytes | None,
    *,
    actor: str,
) -> Achievement:
    """Create (``achievement`` None) or replace an achievement's definition and, when
    ``image`` is given, upload its image, as the API's POST/PATCH and PUT image do (the
    console's editor saves both at once: a refused image leaves the transaction to roll back)."""
    if achievement is None:
        achievement = create_achievement(session, issuer, fields, actor=actor)
    else:
        update_achievement(session, achievement, fields, actor=actor)
    if image is not None:
        set_achievement_image(session, achievement, image, actor=actor)
    return achievement


def issued_counts(session: Session, issuer: Issuer) -> dict[uuid.UUID, int]:
    """How many credentials the issuer has issued of each of its achievements."""
    query = (
        select(Credential.achievement_id, func.count())
        .where(Credential.issuer_id == issuer.id)
        .group_by(Credential.achievement_id)
    )
    return {achievement_id: count for achievement_id, count in session.execute(query)}


def get_achievement(session: Session, issuer: Issuer, achievement_id: uuid.UUID) -> Achievement:
    return get_owned(session, Achievement, achievement_id, issuer)


def get_issuable(session: Session, issuer: Issuer, achievement_id: uuid.UUID) -> Achievement:
    """An achievement ``issuer`` may issue: its own, or one another issuer shares in the
    catalogue (issued with this issuer's signature, the defining issuer as ``creator``).
    Another issuer's unshared achievement is a 404 that does not say it exists."""
    achievement = session.get(Achievement, achievement_id)
    if achievement is not None and achievement.shared and achievement.issuer_id != issuer.id:
        return achievement
    return get_owned(session, Achievement, achievement_id, issuer)


def _sharing(
    session: Session, issuer: Issuer, achievement: Achievement | None, fields: dict[str, Any]
) -> dict[str, Any]:
    """The columns sharing sets (the rules of ``domain/catalogue``): ``shared``, and the
    defining issuer as ``creator`` of a shared achievement. Unsharing is refused once another
    issuer has issued it: their credentials name it."""
    shared = bool(fields.get("shared", False))
    if achievement is not None and achievement.shared and not shared:
        others = session.scalar(
            select(func.count())
            .select_from(Credential)
            .where(Credential.achievement_id == achievement.id, Credential.issuer_id != issuer.id)
        )
        if not may_unshare(others or 0):
            raise ConflictError(UNSHARE_REFUSED)
    if not shared:
        return {"shared": False}
    problem = sharing_problem(
        shared, fields.get("achievementType"), fields.get("creator") is not None
    )
    if problem is not None:
        raise ValidationFailedError(problem + ".", errors=[FieldError("/body/shared", problem)])
    creator = defining_creator(issuer.did, issuer.name, issuer.url, issuer.email)
    return {"shared": True, "creator": creator}


def find_public_achievement(session: Session, achievement_id: uuid.UUID) -> Achievement | None:
    return session.get(Achievement, achievement_id)


def list_achievements(
    session: Session, issuer: Issuer, *, limit: int, offset: int
) -> tuple[list[Achievement], int]:
    where = Achievement.issuer_id == issuer.id
    total = session.scalar(select(func.count()).select_from(Achievement).where(where)) or 0
    query = select(Achievement).where(where).order_by(Achievement.created_at, Achievement.id)
    return list(session.scalars(query.limit(limit).offset(offset))), total


def set_achievement_image(
    session: Session, achievement: Achievement, content: bytes, *, actor: str
) -> Image:
    image = store_image(session, achievement.issuer_id, content)
    achievement.image_id, achievement.image_url = image.id, None
    achievement.revision += 1
    session.flush()
    _audit(session, achievement, "achievement.image_set", actor, {"image": str(image.id)})
    return image


def find_image(session: Session, image_id: uuid.UUID) -> Image | None:
    return session.get(Image, image_id)


def _audit(
    session: Session,
    achievement: Achievement,
    action: str,
    actor: str,
    details: dict[str, Any] | None = None,
) -> None:
    record_event(
        session,
        action=action,
        actor=actor,
        subject_type="achievement",
        subject_id=str(achievement.id),
        issuer_id=achievement.issuer_id,
        details={"revision": achievement.revision, **(details or {})},
    )
