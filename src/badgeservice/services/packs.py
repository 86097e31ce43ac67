"""Learning packs of an issuer: create, read, change (``revision`` + 1), delete. The rules of a
pack's steps are ``domain/pack.py``; here they meet the database (the achievements and packs a
step names, cycles through child packs).

Sharing, as for achievements (``services/catalogue``): a step names an achievement the issuer
may issue (its own, or one shared in the catalogue), and a ``pack`` step names one of the
issuer's packs or another issuer's **shared** pack (``packIssuer``). A pack another issuer's
pack has as a step cannot be unshared or deleted (409 ``pack_in_use``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from badgeservice.db.models import Issuer, Pack, PackAward, PackStep
from badgeservice.domain.pack import GroupRule, StepRule, cycle_through, rule_errors
from badgeservice.errors import ConflictError, FieldError, NotFoundError, ValidationFailedError
from badgeservice.services import achievements
from badgeservice.services.audit import record_event
from badgeservice.services.catalogue import MAX_QUERY


class PackSlugTakenError(ConflictError):
    code, title = "pack_slug_taken", "A pack with this slug exists"


class PackInUseError(ConflictError):
    code, title = "pack_in_use", "Another pack has this pack as a step"


@dataclass(frozen=True)
class PackView:
    pack: Pack
    steps: list[PackStep]
    #: child pack id → its issuer's slug (``None``: the pack's own issuer) and its slug
    children: dict[uuid.UUID, tuple[str | None, str]]


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
    rows = session.execute(
        select(Pack.id, Pack.issuer_id, Issuer.slug, Pack.slug)
        .join(Issuer, Issuer.id == Pack.issuer_id)
        .where(Pack.id.in_(child_ids))
    )
    children = {
        child: (None if owner == pack.issuer_id else str(issuer_slug), str(slug))
        for child, owner, issuer_slug, slug in rows
    }
    return PackView(pack, steps, children)


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


def _used_by_others(session: Session, pack: Pack) -> bool:
    query = (
        select(PackStep.id)
        .join(Pack, Pack.id == PackStep.pack_id)
        .where(PackStep.child_pack_id == pack.id, Pack.issuer_id != pack.issuer_id)
        .limit(1)
    )
    return session.scalar(query) is not None


def shared_packs(
    session: Session, query: str = "", *, limit: int = 50, offset: int = 0
) -> tuple[list[tuple[Pack, Issuer]], int]:
    """Every issuer's shared packs whose name or description holds every word of ``query``
    (any language, case-insensitive), oldest first, with their issuers."""
    words = query[:MAX_QUERY].casefold().split()
    rows = session.execute(
        select(Pack, Issuer)
        .join(Issuer, Issuer.id == Pack.issuer_id)
        .where(Pack.shared.is_(True))
        .order_by(Pack.created_at, Pack.id)
    )
    found = [
        (pack, issuer)
        for pack, issuer in rows
        if all(
            word in "\n".join([*pack.name.values(), *pack.description.values()]).casefold()
            for word in words
        )
    ]
    return found[offset : offset + limit], len(found)


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
        "description": pack.description or None,  # none given: null, as PATCH takes it
        "audience": pack.audience,
        "achievementId": str(pack.achievement_id) if pack.achievement_id else None,
        "groups": pack.groups,
        "steps": [_step_body(s, packed) for s in packed.steps],
    }


def _step_body(step: PackStep, packed: PackView) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": step.kind, "required": step.required}
    if step.achievement_id:
        out["achievementId"] = str(step.achievement_id)
    if step.child_pack_id:
        issuer_slug, out["packSlug"] = packed.children[step.child_pack_id]
        if issuer_slug is not None:
            out["packIssuer"] = issuer_slug
    if step.url:
        out["url"] = step.url
    if step.title:
        out["title"] = step.title
    if step.group_key:
        out["group"] = step.group_key
    out["resources"] = step.resources
    return out


def _fill(session: Session, issuer: Issuer, pack: Pack, fields: dict[str, Any]) -> None:
    shared = bool(fields.get("shared", False))
    if pack.shared and not shared and _used_by_others(session, pack):
        raise PackInUseError("Another issuer's pack has this pack as a step: it stays shared.")
    pack.shared = shared
    pack.default_language = fields["defaultLanguage"]
    pack.name = fields["name"]
    pack.description = fields.get("description") or {}
    pack.audience = fields["audience"]
    pack.groups = [{"key": g["key"], "required": g["required"]} for g in fields.get("groups", [])]
    achievement_id = fields.get("achievementId")
    pack.achievement_id = (
        _issuable(session, issuer, achievement_id, "/body/achievementId")
        if achievement_id
        else None
    )


def _issuable(session: Session, issuer: Issuer, value: str, pointer: str) -> uuid.UUID:
    """An achievement the issuer may issue (``achievements.get_issuable``), else a 422."""
    try:
        return achievements.get_issuable(session, issuer, uuid.UUID(str(value))).id
    except NotFoundError as exc:
        message = f"no achievement {value} this issuer can issue"
        raise ValidationFailedError(
            errors=[FieldError(pointer, message, "unknown_achievement")]
        ) from exc


def _child_pack(session: Session, issuer: Issuer, step: dict[str, Any], pointer: str) -> uuid.UUID:
    """The pack a ``pack`` step names: the issuer's, or another issuer's shared one."""
    other = step.get("packIssuer")
    query = select(Pack.id).where(Pack.slug == step["packSlug"])
    if other is None or other == issuer.slug:
        query = query.where(Pack.issuer_id == issuer.id)
        message = f"no pack '{step['packSlug']}' of this issuer"
    else:
        query = query.join(Issuer, Issuer.id == Pack.issuer_id)
        query = query.where(Issuer.slug == other, Pack.shared.is_(True))
        message = f"no shared pack '{step['packSlug']}' of {other}"
    child = session.scalar(query)
    if child is None:
        error = FieldError(f"{pointer}/packSlug", message, "unknown_pack")
        raise ValidationFailedError(errors=[error])
    return child


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
                row.achievement_id = _issuable(
                    session, issuer, step["achievementId"], f"{pointer}/achievementId"
                )
            elif step["kind"] == "pack":
                row.child_pack_id = _child_pack(session, issuer, step, pointer)
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
