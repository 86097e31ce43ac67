"""`/api/v1/issuers`: tenants and their API tokens."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, status
from sqlalchemy.orm import Session

from badgeservice.api.schemas.common import (
    Limit,
    Moment,
    MomentBefore,
    Offset,
    Page,
    validate_body,
)
from badgeservice.api.schemas.issuers import (
    ISSUER_PATCH,
    AuditEventOut,
    IssuerCreate,
    IssuerOut,
    IssuerSettings,
    KeyOut,
    KeyRevoke,
    TokenCreate,
    TokenInfo,
    TokenOut,
)
from badgeservice.api.uploads import IMAGE_BODY, require_image_type
from badgeservice.db.models import ApiToken, Issuer, IssuerKey
from badgeservice.domain.merge_patch import merge_patch
from badgeservice.domain.urls import did_document_url, issuer_url
from badgeservice.http.deps import (
    ClockDep,
    IssuerDep,
    KeyStoreDep,
    PrincipalDep,
    RawBodyDep,
    SessionDep,
    SettingsDep,
)
from badgeservice.http.problems import problem_responses
from badgeservice.services import audit, auth, issuers, key_revocation, keys
from badgeservice.services.auth import Principal
from badgeservice.services.status_lists import ListSigner
from badgeservice.settings import Settings

router = APIRouter(prefix="/api/v1/issuers", tags=["issuers"])
_ERRORS = problem_responses(401, 403, 404, 422)


def issuer_out(issuer: Issuer, settings: Settings) -> IssuerOut:
    return IssuerOut.model_validate(
        {
            **{c: getattr(issuer, c) for c in ("id", "slug", "name", "did", "url", "email")},
            "description": issuer.description,
            "image": issuer.image,
            "jwt_algorithm": issuer.jwt_algorithm,
            "notify_recipients": issuer.notify_recipients,
            "notify_accounts": issuer.notify_accounts,
            "created_at": issuer.created_at,
            "profile_url": issuer_url(settings.base_url, issuer.slug),
            "did_document_url": did_document_url(settings.base_url, issuer.slug),
        }
    )


def token_out(token: ApiToken, secret: str, issuer: Issuer | None) -> TokenOut:
    return TokenOut(
        id=token.id,
        name=token.name,
        token=secret,
        prefix=token.prefix,
        issuer=issuer.slug if issuer else None,
        scopes=token.scopes,
        created_at=token.created_at,
        expires_at=token.expires_at,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 409, 422),
    summary="Create an issuer (admin)",
)
def create_issuer(
    body: IssuerCreate,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
) -> IssuerOut:
    """Create an issuer with its did:web identifier and signing keys: Ed25519 for Data
    Integrity, and P-256 (`jwtAlgorithm: ES256`, the default) or RSA (`RS256`) for VC-JWT."""
    principal.require_admin()
    fields = body.model_dump(exclude_none=True, mode="json")
    issuer = issuers.create_issuer(
        session, base_url=settings.base_url, actor=principal.actor, key_store=key_store, **fields
    )
    session.commit()
    return issuer_out(issuer, settings)


@router.get("", responses=problem_responses(401, 403), summary="List issuers (admin)")
def list_issuers(
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> list[IssuerOut]:
    principal.require_admin()
    return [
        issuer_out(i, settings) for i in issuers.list_issuers(session, limit=limit, offset=offset)
    ]


@router.get("/{slug}", responses=_ERRORS, summary="Get an issuer")
def get_issuer(
    issuer: Annotated[Issuer, IssuerDep("issuer:read")], settings: SettingsDep
) -> IssuerOut:
    return issuer_out(issuer, settings)


@router.patch("/{slug}", responses=_ERRORS, summary="Change the issuer's profile and settings")
def update_issuer(
    slug: str,
    patch: Annotated[dict[str, Any], Body(description=ISSUER_PATCH)],
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
) -> IssuerOut:
    """Change the public Profile (`name`, `url`, `email`, `description`, `image`;
    `issuer:write`) and `jwtAlgorithm` (`ES256` or `RS256`, `keys:manage`: a key for
    it is created when the issuer has none). Credentials issued before keep the profile and
    key they were signed with, and keep verifying."""
    issuer = issuers.get_issuer(session, slug)
    _require_patch_scopes(principal, issuer, patch)
    merged = merge_patch(_settings_fields(issuer), patch)
    fields = validate_body(IssuerSettings, merged).model_dump(mode="json")
    issuers.update_profile(session, issuer, fields, actor=principal.actor)
    issuers.update_mail_options(session, issuer, fields, actor=principal.actor)
    issuers.set_jwt_algorithm(
        session, issuer, fields["jwt_algorithm"], key_store, actor=principal.actor
    )
    session.commit()
    return issuer_out(issuer, settings)


def _settings_fields(issuer: Issuer) -> dict[str, Any]:
    """The issuer as the document a merge patch applies to (wire names, no nulls)."""
    current = {name: getattr(issuer, name) for name in issuers.PROFILE_FIELDS}
    current["jwtAlgorithm"] = issuer.jwt_algorithm
    current["notifyRecipients"] = issuer.notify_recipients
    current["notifyAccounts"] = issuer.notify_accounts
    return {name: value for name, value in current.items() if value is not None}


def _require_patch_scopes(principal: Principal, issuer: Issuer, patch: dict[str, Any]) -> None:
    """`keys:manage` for `jwtAlgorithm`, `issuer:write` for anything else."""
    if "jwtAlgorithm" in patch:
        principal.require_issuer(issuer, "keys:manage")
    if set(patch) - {"jwtAlgorithm"} or not patch:
        principal.require_issuer(issuer, "issuer:write")


@router.put(
    "/{slug}/image",
    responses=problem_responses(401, 403, 404, 413, 415, 422),
    openapi_extra=IMAGE_BODY,
    summary="Upload the issuer's logo",
)
def upload_issuer_image(
    issuer: Annotated[Issuer, IssuerDep("issuer:write")],
    request: Request,
    content: RawBodyDep,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
) -> IssuerOut:
    """Upload the logo as a PNG or SVG body (the rules of achievement images); the Profile's
    `image` then points at it. Needs `issuer:write`."""
    require_image_type(request)
    issuers.set_issuer_image(session, issuer, content, settings.base_url, actor=principal.actor)
    session.commit()
    return issuer_out(issuer, settings)


@router.get("/{slug}/tokens", responses=_ERRORS, summary="List the issuer's API tokens")
def list_issuer_tokens(
    issuer: Annotated[Issuer, IssuerDep("issuer:read")],
    session: SessionDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[TokenInfo]:
    """Names, scopes, creation, expiry, last use and revocation of every token of the issuer
    (newest first); never a secret. Admins, and the issuer's tokens with `issuer:read`."""
    rows, total = auth.list_tokens(session, issuer, limit=limit, offset=offset)
    items = [TokenInfo.model_validate(row) for row in rows]
    return Page[TokenInfo](items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/{slug}/tokens",
    status_code=status.HTTP_201_CREATED,
    responses=_ERRORS,
    summary="Create an issuer token; all issuer scopes when none are named",
)
def create_issuer_token(
    issuer: Annotated[Issuer, IssuerDep("tokens:manage")],
    body: TokenCreate,
    principal: PrincipalDep,
    session: SessionDep,
) -> TokenOut:
    """Admins, and the issuer's tokens with `tokens:manage`, which grant only scopes they
    have themselves (403 otherwise, also when `scopes` is omitted and they lack one). The
    secret is in this answer only."""
    token, secret = auth.grant_token(
        session, principal, issuer, name=body.name, scopes=body.scopes, expires_at=body.expires_at
    )
    session.commit()
    return token_out(token, secret, issuer)


@router.delete(
    "/{slug}/tokens/{token_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_ERRORS,
    summary="Revoke an issuer token",
)
def revoke_issuer_token(
    issuer: Annotated[Issuer, IssuerDep("issuer:write")],
    token_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    clock: ClockDep,
) -> None:
    """Admins, and the issuer's tokens with `issuer:write` (e.g. to end a leaked token)."""
    auth.revoke_token(session, token_id, actor=principal.actor, now=clock.now(), issuer=issuer)
    session.commit()


@router.get("/{slug}/keys", responses=_ERRORS, summary="List the issuer's public keys")
def list_keys(
    issuer: Annotated[Issuer, IssuerDep("issuer:read")],
    session: SessionDep,
) -> list[KeyOut]:
    return _keys_out(session, issuer)


@router.post("/{slug}/keys/rotate", responses=_ERRORS, summary="Rotate the signing keys")
def rotate_keys(
    issuer: Annotated[Issuer, IssuerDep("keys:manage")],
    principal: PrincipalDep,
    session: SessionDep,
    key_store: KeyStoreDep,
    clock: ClockDep,
) -> list[KeyOut]:
    """New keys sign from now on; the old ones are retired but stay in the DID document, so
    credentials signed before keep verifying."""
    keys.rotate_keys(session, issuer, key_store, actor=principal.actor, now=clock.now())
    session.commit()
    return _keys_out(session, issuer)


@router.post(
    "/{slug}/keys/{key_id}/revoke",
    responses=_ERRORS,
    summary="Revoke a key: what it signed no longer verifies",
)
def revoke_key(
    issuer: Annotated[Issuer, IssuerDep("keys:manage")],
    key_id: str,
    body: KeyRevoke,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    clock: ClockDep,
) -> list[KeyOut]:
    """Revoke a key (`keyId` as listed, e.g. `key-1`) that was lost or leaked. Final: the
    DID document marks it `revoked` and no longer lists it under `assertionMethod`, so
    every credential it signed fails verification, here and at other verifiers. An active
    key is replaced by a new one in the same step, and the status lists are re-signed with
    it. Needs `keys:manage`."""
    now = clock.now()
    signer = ListSigner(settings.base_url, key_store, now)
    key_revocation.revoke_key(
        session, issuer, key_id, body.reason, signer, actor=principal.actor, now=now
    )
    session.commit()
    return _keys_out(session, issuer)


def _keys_out(session: Session, issuer: Issuer) -> list[KeyOut]:
    rows = keys.issuer_keys(session, issuer, statuses=keys.ALL_STATUSES)
    return [_key_out(issuer, row) for row in rows]


def _key_out(issuer: Issuer, row: IssuerKey) -> KeyOut:
    return KeyOut(
        id=keys.verification_method_id(issuer, row),
        key_id=row.key_id,
        algorithm=row.algorithm,
        purpose=row.purpose,
        status=row.status,
        created_at=row.created_at,
        retired_at=row.retired_at,
        revoked_at=row.revoked_at,
        revocation_reason=row.revocation_reason,
    )


@router.get("/{slug}/audit", responses=_ERRORS, summary="The issuer's audit trail")
def list_audit_events(
    issuer: Annotated[Issuer, IssuerDep("issuer:read")],
    session: SessionDep,
    action: Annotated[str | None, Query(max_length=100, description=ACTION_QUERY)] = None,
    actor: Annotated[str | None, Query(max_length=100)] = None,
    subject_type: Annotated[str | None, Query(alias="subjectType", max_length=50)] = None,
    subject_id: Annotated[str | None, Query(alias="subjectId", max_length=200)] = None,
    since: Annotated[Moment | None, Query(alias="from")] = None,
    before: Annotated[MomentBefore | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> Page[AuditEventOut]:
    """Who did what and when: issuance, revocation, key rotation, token changes (newest first).
    Readable by admins and by the issuer's tokens with `issuer:read`. `from`/`to` (a date
    alone: the whole day) bound when each event was written."""
    where = audit.EventFilter(action, actor, subject_type, subject_id, since, before)
    events, total = audit.list_events(session, issuer.id, limit=limit, offset=offset, where=where)
    items = [AuditEventOut.model_validate(event) for event in events]
    return Page[AuditEventOut](items=items, total=total, limit=limit, offset=offset)


ACTION_QUERY = "An action (`credential.revoked`) or a prefix ending in `.` (`credential.`)."
