"""`/api/v1/issuers/{slug}/packs`: an issuer's learning packs, a person's progress through one
(issuer-side, from active credentials) and the awards whose steps are no longer all active."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response, status
from sqlalchemy.orm import Session

from badgeservice.api.schemas.clr import PackClrIn
from badgeservice.api.schemas.common import Limit, Offset, validate_body
from badgeservice.db.models import Issuer, Pack
from badgeservice.domain.languages import pick_text
from badgeservice.domain.merge_patch import merge_patch
from badgeservice.domain.recipient import RecipientKind
from badgeservice.domain.urls import credential_url
from badgeservice.errors import FieldError, ValidationFailedError
from badgeservice.http.deps import (
    ClockDep,
    IssuerDep,
    KeyStoreDep,
    PrincipalDep,
    SessionDep,
    SettingsDep,
)
from badgeservice.http.pack_bodies import PackIn
from badgeservice.http.problems import problem_responses
from badgeservice.services import issuance, pack_awards, pack_clr, pack_progress, packs
from badgeservice.services.keystore import KeyStore

router = APIRouter(prefix="/api/v1/issuers/{slug}/packs", tags=["packs"])
_ERRORS = problem_responses(401, 403, 404, 409, 422)


def pack_out(session: Session, pack: Pack) -> dict[str, Any]:
    return packs.body(packs.view(session, pack)) | {
        "revision": pack.revision,
        "createdAt": pack.created_at.isoformat(),
        "updatedAt": pack.updated_at.isoformat(),
    }


def _fields(body: PackIn) -> dict[str, Any]:
    return body.model_dump(mode="json", by_alias=True, exclude_none=True)


@router.post("", status_code=status.HTTP_201_CREATED, responses=_ERRORS)
def create_pack(
    slug: str,
    issuer: Annotated[Issuer, IssuerDep("achievements:write")],
    body: PackIn,
    response: Response,
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    """Define a learning pack: ordered steps (an achievement, another pack of the issuer, or an
    activity with a link), N-of-M `groups`, and the `achievementId` awarded once when complete."""
    pack = packs.create_pack(session, issuer, _fields(body), actor=principal.actor)
    session.commit()
    response.headers["Location"] = f"{router.prefix.format(slug=slug)}/{pack.slug}"
    return pack_out(session, pack)


@router.get("", responses=_ERRORS)
def list_packs(
    issuer: Annotated[Issuer, IssuerDep("achievements:read")],
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> dict[str, Any]:
    items, total = packs.list_packs(session, issuer, limit=limit, offset=offset)
    page = [pack_out(session, p) for p in items]
    return {"items": page, "total": total, "limit": limit, "offset": offset}


@router.get("/{pack_slug}", responses=_ERRORS)
def get_pack(
    issuer: Annotated[Issuer, IssuerDep("achievements:read")],
    pack_slug: str,
    session: SessionDep,
) -> dict[str, Any]:
    return pack_out(session, packs.get_pack(session, issuer, pack_slug))


@router.patch("/{pack_slug}", responses=_ERRORS)
def update_pack(
    issuer: Annotated[Issuer, IssuerDep("achievements:write")],
    pack_slug: str,
    patch: Annotated[dict[str, Any], Body(description="A JSON Merge Patch (RFC 7396).")],
    principal: PrincipalDep,
    session: SessionDep,
) -> dict[str, Any]:
    """Change a pack with a JSON Merge Patch (`steps` and `groups` are replaced whole);
    `revision` goes up by one when anything changed. Awards already made stay."""
    pack = packs.get_pack(session, issuer, pack_slug)
    merged = merge_patch(packs.body(packs.view(session, pack)), patch)
    body = validate_body(PackIn, merged)
    packs.update_pack(session, issuer, pack, _fields(body), actor=principal.actor)
    session.commit()
    return pack_out(session, pack)


@router.delete("/{pack_slug}", status_code=status.HTTP_204_NO_CONTENT, responses=_ERRORS)
def delete_pack(
    issuer: Annotated[Issuer, IssuerDep("achievements:write")],
    pack_slug: str,
    principal: PrincipalDep,
    session: SessionDep,
) -> Response:
    """Delete a pack (409 `pack_in_use` while another pack has it as a step)."""
    packs.delete_pack(
        session, issuer, packs.get_pack(session, issuer, pack_slug), actor=principal.actor
    )
    session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/{pack_slug}/progress", responses=_ERRORS)
def recipient_progress(
    issuer: Annotated[Issuer, IssuerDep("achievements:read")],
    pack_slug: str,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    clock: ClockDep,
    recipient: Annotated[
        str, Query(min_length=1, max_length=320, description="An email or a Wikimedia username")
    ],
    kind: Annotated[str, Query(pattern="^(email|wikimediaUsername)$")] = "email",
) -> dict[str, Any]:
    """A person's progress through the pack, from the credentials they hold active now
    (whatever they made public), and the pack's award if it was made."""
    pack = packs.get_pack(session, issuer, pack_slug)
    recipient_kind: RecipientKind = "email" if kind == "email" else "wikimedia_username"
    progress, award = pack_progress.recipient_progress(
        session, key_store, pack, recipient_kind, recipient, clock.now()
    )
    return {"pack": pack.slug, "revision": pack.revision} | pack_progress.progress_body(
        progress, award, settings.base_url
    )


@router.get("/{pack_slug}/report", responses=_ERRORS)
def report(
    issuer: Annotated[Issuer, IssuerDep("achievements:read")],
    pack_slug: str,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> dict[str, Any]:
    """Awards whose step credentials are no longer all active (revoked, suspended, expired):
    the pack credential stays; the issuer decides."""
    pack = packs.get_pack(session, issuer, pack_slug)
    changed = pack_awards.changed_awards(session, pack, clock.now())
    items = [
        {
            "credential": credential_url(settings.base_url, c.award.credential_id)
            if c.award.credential_id
            else None,
            "awardedAt": c.award.awarded_at.isoformat(),
            "inactiveSteps": [credential_url(settings.base_url, i) for i in c.inactive],
        }
        for c in changed
    ]
    return {"pack": pack.slug, "items": items}


def _lookup(body: PackClrIn, key_store: KeyStore) -> str:
    """The lookup of the body's recipient: only emails and usernames make progress."""
    if body.recipient.email is not None:
        return issuance.lookup_of(key_store, "email", body.recipient.email)
    if body.recipient.wikimedia_username is not None:
        username = body.recipient.wikimedia_username
        return issuance.lookup_of(key_store, "wikimedia_username", username)
    raise ValidationFailedError(
        errors=[FieldError("/body/recipient", "a pack follows email and Wikimedia recipients")]
    )


@router.post("/{pack_slug}/clr", responses=_ERRORS)
def pack_clr_of(
    issuer: Annotated[Issuer, IssuerDep("credentials:issue")],
    pack_slug: str,
    body: PackClrIn,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    clock: ClockDep,
) -> dict[str, Any]:
    """Sign a CLR 2.0 ClrCredential of the recipient's active credentials on this pack (the
    pack credential, its steps', its child packs'), the pack achievement `isParentOf` its
    steps' and each step `precedes` the next. Signed for this answer, not stored; 422 when the
    recipient holds none of them."""
    pack = packs.get_pack(session, issuer, pack_slug)
    context = issuance.IssueContext(settings.base_url, key_store, principal.actor, clock.now())
    name = body.name or pick_text(pack.name, pack.default_language, pack.default_language)[1]
    signed = pack_clr.issue_pack_clr(
        session, issuer, pack, _lookup(body, key_store), context, name=name
    )
    session.commit()
    return signed
