"""`/api/v1/issuers/{slug}/credentials`: issue, list, read, revoke, suspend."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Response, status

from badgeservice.api.schemas.common import (
    Limit,
    Moment,
    MomentBefore,
    Offset,
    Page,
    WarningOut,
)
from badgeservice.api.schemas.credentials import (
    CredentialOut,
    IssueIn,
    ResendMailIn,
    ResendMailOut,
    StatusChangeIn,
)
from badgeservice.db.models import Credential, Issuer
from badgeservice.domain.credential_state import State
from badgeservice.domain.recipient import RecipientError
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
from badgeservice.http.problems import problem_responses
from badgeservice.services import (
    credential_mail,
    credentials,
    idempotency,
    issuance,
    recipient_search,
    single_issuance,
)
from badgeservice.services.keystore import KeyStore
from badgeservice.services.status_lists import ListSigner
from badgeservice.settings import Settings

router = APIRouter(prefix="/api/v1/issuers/{slug}/credentials", tags=["credentials"])
_ERRORS = problem_responses(401, 403, 404, 409, 422)


def credential_out(
    credential: Credential,
    issuer: Issuer,
    settings: Settings,
    now: datetime,
    held: uuid.UUID | None = None,
) -> CredentialOut:
    """The credential with its `state` at `now`. `held`: an active credential of the
    achievement the recipient held before this request (named in a
    `recipient_has_credential` warning)."""
    document = json.loads(credential.document)
    signed_url = credential_url(
        settings.base_url, credential.id, ".jwt" if credential.jwt else ".json"
    )
    found = issuance.credential_warnings(document)
    if held is not None:
        found = (issuance.held_warning(held), *found)
    return CredentialOut(
        id=credential.id,
        issuer=issuer.slug,
        achievement_id=credential.achievement_id,
        format=credential.format,
        url=credential_url(settings.base_url, credential.id),
        json_url=None if credential.jwt else signed_url,
        jwt_url=signed_url if credential.jwt else None,
        credential=document,
        jwt=credential.jwt,
        issued_at=credential.issued_at,
        revoked=credential.revoked_at is not None,
        suspended=credential.suspended_at is not None,
        state=credentials.state_of(credential, now),
        warnings=[WarningOut.model_validate(w) for w in found],
    )


@router.post("", status_code=status.HTTP_201_CREATED, responses=_ERRORS)
def issue_credential(
    issuer: Annotated[Issuer, IssuerDep("credentials:issue")],
    body: IssueIn,
    response: Response,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    clock: ClockDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> CredentialOut:
    """Issue one signed credential. With an `Idempotency-Key`, a retry of the same request
    returns the credential first issued instead of a new one; with `skipExisting`, a
    recipient's active credential of the achievement is returned instead of a new one. The
    recipient is mailed a link later, by a worker (see `notify`); sending never delays or
    undoes the credential."""
    attempt = idempotency.idempotent_request(
        issuer, idempotency_key, "credential", body.model_dump(mode="json")
    )
    now = clock.now()
    fields = body.model_dump(mode="json", by_alias=True, exclude_none=True)
    issued = single_issuance.issue_one(
        session,
        settings,
        issuer,
        fields,
        attempt,
        actor=principal.actor,
        key_store=key_store,
        now=now,
    )
    if not issued.created:
        response.status_code = status.HTTP_200_OK
    session.commit()
    if issued.created:
        response.headers["Location"] = credential_url(settings.base_url, issued.credential.id)
    return credential_out(issued.credential, issuer, settings, now, held=issued.held)


RECIPIENT_QUERY = (
    "An email, a Wikimedia username (`User:Name` or the bare name), a DID or a URL: the "
    "credentials issued to that recipient."
)


@router.get("", responses=_ERRORS)
def list_credentials(
    issuer: Annotated[Issuer, IssuerDep("credentials:read")],
    session: SessionDep,
    settings: SettingsDep,
    key_store: KeyStoreDep,
    clock: ClockDep,
    achievement_id: Annotated[uuid.UUID | None, Query(alias="achievementId")] = None,
    recipient: Annotated[str | None, Query(description=RECIPIENT_QUERY)] = None,
    recipient_email: Annotated[str | None, Query(alias="recipientEmail")] = None,
    state: Annotated[State | None, Query()] = None,
    issued_from: Annotated[Moment | None, Query(alias="issuedFrom")] = None,
    issued_to: Annotated[MomentBefore | None, Query(alias="issuedTo")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CredentialOut]:
    """Credentials of the issuer, newest first, with filters."""
    where = credentials.CredentialFilter(achievement_id, None, state, issued_from, issued_to)
    where = _recipient_filter(key_store, where, recipient=recipient, email=recipient_email)
    now = clock.now()
    items, total = credentials.list_credentials(
        session, issuer, where, limit=limit, offset=offset, now=now
    )
    return Page[CredentialOut](
        items=[credential_out(c, issuer, settings, now) for c in items],
        total=total,
        limit=limit,
        offset=offset,
    )


def _recipient_filter(
    key_store: KeyStore,
    where: credentials.CredentialFilter,
    *,
    recipient: str | None,
    email: str | None,
) -> credentials.CredentialFilter:
    """``where`` narrowed by ``recipient`` (any kind) or ``recipientEmail`` (an email only)."""
    if recipient is not None and email is not None:
        message = "give recipient or recipientEmail, not both"
        raise ValidationFailedError(errors=[FieldError("/query/recipient", message)])
    pointer = "/query/recipient" if email is None else "/query/recipientEmail"
    try:
        if email is not None:
            return replace(where, recipient_lookup=issuance.lookup_of(key_store, "email", email))
        if recipient:
            return recipient_search.recipient_filter(key_store, recipient, where)
    except RecipientError as exc:
        raise ValidationFailedError(errors=[FieldError(pointer, str(exc))]) from exc
    return where


@router.get("/{credential_id}", responses=_ERRORS)
def get_credential(
    issuer: Annotated[Issuer, IssuerDep("credentials:read")],
    credential_id: uuid.UUID,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
) -> CredentialOut:
    credential = credentials.get_credential(session, issuer, credential_id)
    return credential_out(credential, issuer, settings, clock.now())


@router.post(
    "/{credential_id}/resend-mail",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(401, 403, 404, 409, 422, 429),
)
def resend_mail(
    issuer: Annotated[Issuer, IssuerDep("credentials:issue")],
    credential_id: uuid.UUID,
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    key_store: KeyStoreDep,
    body: ResendMailIn | None = None,
) -> ResendMailOut:
    """Mail the recipient the credential's message again: to `email` when it is the address
    the credential was issued to, else to the account that proved the recipient (409
    `recipient_address_unknown` when there is none). At most 3 a credential an hour (429)."""
    credential = credentials.get_credential(session, issuer, credential_id)
    email, now = (body.email if body else None), clock.now()
    message = credential_mail.resend_issued(
        session, settings, key_store, credential, email=email, actor=principal.actor, now=now
    )
    session.commit()
    return ResendMailOut(credential_id=credential.id, sent_to=message.context["reason"])


@router.post("/{credential_id}/{action}", responses=_ERRORS)
def change_status(
    issuer: Annotated[Issuer, IssuerDep("credentials:revoke")],
    credential_id: uuid.UUID,
    action: Literal["revoke", "suspend", "unsuspend"],
    principal: PrincipalDep,
    session: SessionDep,
    settings: SettingsDep,
    clock: ClockDep,
    key_store: KeyStoreDep,
    body: StatusChangeIn | None = None,
) -> CredentialOut:
    """`revoke` (final), `suspend` or `unsuspend`; the status list is re-signed in the same
    transaction, so its URL serves the change as soon as this answers."""
    credential = credentials.get_credential(session, issuer, credential_id)
    reason, now = (body.reason if body else None), clock.now()
    actor, signer = principal.actor, ListSigner(settings.base_url, key_store, now)
    if action == "revoke":
        credentials.revoke(session, credential, reason, actor=actor, now=now, signer=signer)
    elif action == "suspend":
        credentials.suspend(session, credential, reason, actor=actor, now=now, signer=signer)
    else:
        credentials.unsuspend(session, credential, actor=actor, signer=signer)
    session.commit()
    return credential_out(credential, issuer, settings, now)
