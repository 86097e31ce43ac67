"""Learning packs of an issuer: create, read, change (``revision`` + 1), delete. The rules of a
pack's steps are ``domain/pack.py``; here they meet the database (the achievements and packs a
step names, cycles through child packs)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Issuer, Pack, PackAward, PackStep
from badgeservice.domain.pack import GroupRule, StepRule, cycle_through, rule_errors
from badgeservice.errors import ConflictError, FieldError, NotFoundError, ValidationFailedError
from badgeservice.services.audit import record_event


class PackSlugTakenError(ConflictError):
    code, title = "pack_slug_taken", "A pack with this slug exists"


class PackInUseError(ConflictError):
    code, title = "pack_in_use", "Another pack has this pack as a step"


@dataclass(frozen=True)
class PackView:
    pack: Pack
    steps: list[PackStep]
    child_slugs: dict[uuid.UUID, str]


def steps_of(session: Session, pack: Pack) -> list[PackStep]:
    query = select(PackStep).where(PackStep.pack_id == pack.id).order_by(PackStep.position)
    return list(session.scalars(query))


def step_rules(steps: list[PackStep]) -> list[StepRule]:
    return [
        StepRule(
            s.kind,
            str(s.achievement_id or s.child_pack_id) if s.kind != "activity" else None,
            s.required,
            s.group_key,
        )
        for s in steps
    ]


def group_rules(pack: Pack) -> list[GroupRule]:
    return [GroupRule(str(g["key"]), int(g["required"])) for g in pack.groups]


def get_pack(session: Session, issuer: Issuer, slug: str) -> Pack:
    pack = session.scalar(select(Pack).where(Pack.issuer_id == issuer.id, Pack.slug == slug))
    if pack is None:
        raise NotFoundError(f"Pack '{slug}' not found.")
    return pack


def view(session: Session, pack: Pack) -> PackView:
    steps = steps_of(session, pack)
    child_ids = [s.child_pack_id for s in steps if s.child_pack_id]
    slugs = dict(session.execute(select(Pack.id, Pack.slug).where(Pack.id.in_(child_ids))).all())
    return PackView(pack, steps, {k: str(v) for k, v in slugs.items()})


def list_packs(
    session: Session, issuer: Issuer, *, limit: int, offset: int
) -> tuple[list[Pack], int]:
    where = Pack.issuer_id == issuer.id
    total = session.scalar(select(func.count()).select_from(Pack).where(where)) or 0
    query = select(Pack).where(where).order_by(Pack.slug).limit(limit).offset(offset)
    return list(session.scalars(query)), total


def counts(session: Session, issuer: Issuer) -> dict[uuid.UUID, tuple[int, int]]:
    """``{pack id: (steps, awards made)}`` for the issuer's packs (the console's list)."""
    own = select(Pack.id).where(Pack.issuer_id == issuer.id)
    steps = select(PackStep.pack_id, func.count()).where(PackStep.pack_id.in_(own))
    awards = select(PackAward.pack_id, func.count()).where(PackAward.pack_id.in_(own))
    step_counts = {k: v for k, v in session.execute(steps.group_by(PackStep.pack_id))}
    award_counts = {k: v for k, v in session.execute(awards.group_by(PackAward.pack_id))}
    return {
        pack_id: (step_counts.get(pack_id, 0), award_counts.get(pack_id, 0))
        for pack_id in {*step_counts, *award_counts}
    }


def create_pack(session: Session, issuer: Issuer, fields: dict[str, Any], *, actor: str) -> Pack:
    """A pack from validated wire fields (``http/pack_bodies.PackIn``, camelCase)."""
    pack = Pack(issuer_id=issuer.id, slug=fields["slug"], revision=1)
    _fill(session, issuer, pack, fields)
    try:
        with session.begin_nested():
            session.add(pack)
            session.flush()
    except IntegrityError as exc:
        raise PackSlugTakenError(f"The issuer has a pack '{fields['slug']}'.") from exc
    _write_steps(session, issuer, pack, fields["steps"])
    _audit(session, issuer, pack, "pack.created", actor)
    return pack


def update_pack(
    session: Session, issuer: Issuer, pack: Pack, fields: dict[str, Any], *, actor: str
) -> Pack:
    """The pack with every field replaced by the validated ``fields`` (the PATCH merged onto
    the pack's body); ``revision`` + 1 when anything changed."""
    before = body(view(session, pack))
    if fields["slug"] != pack.slug:
        taken = select(Pack.id).where(Pack.issuer_id == issuer.id, Pack.slug == fields["slug"])
        if session.scalar(taken) is not None:
            raise PackSlugTakenError(f"The issuer has a pack '{fields['slug']}'.")
        pack.slug = fields["slug"]
    _fill(session, issuer, pack, fields)
    session.execute(delete(PackStep).where(PackStep.pack_id == pack.id))
    session.flush()
    _write_steps(session, issuer, pack, fields["steps"])
    if body(view(session, pack)) != before:
        pack.revision += 1
        session.flush()
        _audit(session, issuer, pack, "pack.changed", actor)
    return pack


def delete_pack(session: Session, issuer: Issuer, pack: Pack, *, actor: str) -> None:
    parent = session.scalar(select(PackStep.pack_id).where(PackStep.child_pack_id == pack.id))
    if parent is not None:
        raise PackInUseError("Remove this pack from the packs that have it as a step first.")
    _audit(session, issuer, pack, "pack.deleted", actor)
    session.delete(pack)
    session.flush()


def body(packed: PackView) -> dict[str, Any]:
    """The pack as the API shows it (and as a PATCH is merged onto)."""
    pack = packed.pack
    return {
        "slug": pack.slug,
        "shared": pack.shared,
        "defaultLanguage": pack.default_language,
        "name": pack.name,
        "description": pack.description,
        "audience": pack.audience,
        "achievementId": str(pack.achievement_id) if pack.achievement_id else None,
        "groups": pack.groups,
        "steps": [_step_body(s, packed.child_slugs) for s in packed.steps],
    }


def _step_body(step: PackStep, child_slugs: dict[uuid.UUID, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": step.kind, "required": step.required}
    if step.achievement_id:
        out["achievementId"] = str(step.achievement_id)
    if step.child_pack_id:
        out["packSlug"] = child_slugs.get(step.child_pack_id)
    if step.url:
        out["url"] = step.url
    if step.title:
        out["title"] = step.title
    if step.group_key:
        out["group"] = step.group_key
    out["resources"] = step.resources
    return out


def _fill(session: Session, issuer: Issuer, pack: Pack, fields: dict[str, Any]) -> None:
    pack.shared = bool(fields.get("shared", False))
    pack.default_language = fields["defaultLanguage"]
    pack.name = fields["name"]
    pack.description = fields.get("description") or {}
    pack.audience = fields["audience"]
    pack.groups = [{"key": g["key"], "required": g["required"]} for g in fields.get("groups", [])]
    achievement_id = fields.get("achievementId")
    pack.achievement_id = (
        _own_achievement(session, issuer, achievement_id, "/body/achievementId")
        if achievement_id
        else None
    )


def _own_achievement(session: Session, issuer: Issuer, value: str, pointer: str) -> uuid.UUID:
    achievement = session.get(Achievement, uuid.UUID(str(value)))
    if achievement is None or achievement.issuer_id != issuer.id:
        message = f"no achievement {value} of this issuer"
        raise ValidationFailedError(errors=[FieldError(pointer, message, "unknown_achievement")])
    return achievement.id


def _write_steps(session: Session, issuer: Issuer, pack: Pack, steps: list[dict[str, Any]]) -> None:
    rows: list[PackStep] = []
    errors: list[FieldError] = []
    for position, step in enumerate(steps):
        pointer = f"/body/steps/{position}"
        row = PackStep(
            pack_id=pack.id,
            position=position,
            kind=step["kind"],
            url=step.get("url"),
            title=step.get("title") or {},
            required=step.get("required", step["kind"] != "activity"),
            group_key=step.get("group"),
            resources=step.get("resources", []),
        )
        try:
            if step["kind"] == "achievement":
                row.achievement_id = _own_achievement(
                    session, issuer, step["achievementId"], f"{pointer}/achievementId"
                )
            elif step["kind"] == "pack":
                same = (Pack.issuer_id == issuer.id, Pack.slug == step["packSlug"])
                child = session.scalar(select(Pack.id).where(*same))
                if child is None:
                    message = f"no pack '{step['packSlug']}' of this issuer"
                    error = FieldError(f"{pointer}/packSlug", message, "unknown_pack")
                    raise ValidationFailedError(errors=[error])
                row.child_pack_id = child
        except ValidationFailedError as exc:
            errors.extend(exc.errors)
        rows.append(row)
    rules = step_rules(rows)
    errors.extend(FieldError(*error) for error in rule_errors(rules, group_rules(pack)))
    children = [r.child_pack_id for r in rows if r.child_pack_id]
    if children and _closes_cycle(session, pack.id, children):
        message = "a pack cannot contain itself, even through other packs"
        errors.append(FieldError("/body/steps", message, "pack_cycle"))
    if errors:
        raise ValidationFailedError(errors=errors)
    session.add_all(rows)
    session.flush()


def _closes_cycle(session: Session, pack_id: uuid.UUID, children: list[uuid.UUID]) -> bool:
    edges: dict[str, list[str]] = {}
    query = select(PackStep.pack_id, PackStep.child_pack_id).where(
        PackStep.child_pack_id.is_not(None), PackStep.pack_id != pack_id
    )
    for parent, child in session.execute(query):
        edges.setdefault(str(parent), []).append(str(child))
    return cycle_through(str(pack_id), edges, [str(c) for c in children])


def _audit(session: Session, issuer: Issuer, pack: Pack, action: str, actor: str) -> None:
    record_event(
        session,
        action=action,
        actor=actor,
        subject_type="pack",
        subject_id=str(pack.id),
        issuer_id=issuer.id,
        details={"slug": pack.slug, "revision": pack.revision},
    )
