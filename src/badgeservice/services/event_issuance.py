"""Issuing to an on-wiki event's participants (``campaign_events``): who of them holds the
achievement already, and one batch of Wikimedia-username recipients for those chosen, made by
``batches.create_batch`` as the API's ``POST /batches`` makes one."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement, Batch, Issuer
from badgeservice.domain.recipient import RecipientError, RecipientKind, normalize_username
from badgeservice.errors import FieldError, ValidationFailedError
from badgeservice.services import batches, credentials, idempotency, issuance, mail
from badgeservice.services.batch_rows import RowCheck
from badgeservice.services.campaign_events import MAX_PARTICIPANTS
from badgeservice.services.keystore import KeyStore
from badgeservice.settings import Settings

KIND: RecipientKind = "wikimedia_username"


def holders(
    session: Session,
    key_store: KeyStore,
    issuer: Issuer,
    achievement: Achievement,
    usernames: Collection[str],
    *,
    now: datetime,
) -> set[str]:
    """The ``usernames`` that hold ``achievement`` at ``now`` (an active or not yet valid
    credential, as a batch's ``recipient_has_credential`` warning judges it)."""
    lookups = {issuance.lookup_of(key_store, KIND, name): name for name in usernames}
    held = credentials.active_holders(session, issuer, achievement, lookups, now=now)
    return {lookups[lookup] for lookup in held}


def chosen_usernames(values: Collection[str]) -> list[str]:
    """The ticked usernames, normalised, each once, in order; refused when there are none,
    too many, or one MediaWiki would not give (the form was altered)."""
    names: dict[str, None] = {}
    try:
        for value in values:
            names.setdefault(normalize_username(value), None)
    except RecipientError as exc:
        raise ValidationFailedError(errors=[FieldError("/usernames", str(exc))]) from exc
    if not names:
        error = FieldError("/usernames", "choose at least one participant", "no_recipients")
        raise ValidationFailedError(errors=[error])
    if len(names) > MAX_PARTICIPANTS:
        error = FieldError(
            "/usernames", f"more than {MAX_PARTICIPANTS} participants", "too_many_participants"
        )
        raise ValidationFailedError(errors=[error])
    return list(names)


def issue_to_participants(
    session: Session,
    issuer: Issuer,
    achievement: Achievement,
    usernames: list[str],
    *,
    event_id: int,
    idempotency_key: str | None,
    actor: str,
    key_store: KeyStore,
    settings: Settings,
    now: datetime,
    check_row: Callable[[Any], RowCheck],
) -> Batch:
    """One batch issuing ``achievement`` to ``usernames`` (mailed as the API's batches are),
    or the batch a request with the same ``idempotency_key`` made already. ``check_row`` is
    the API's row check (``http/credential_bodies.check_row``): each row is what a batch
    upload naming only that ``wikimediaUsername`` gives."""
    body = {"achievementId": str(achievement.id), "eventId": event_id, "usernames": usernames}
    attempt = idempotency.idempotent_request(issuer, idempotency_key, "batch", body)
    replay = attempt.replay(session)
    if replay is not None:
        return batches.get_batch(session, issuer, replay)
    rows = [check_row({"recipient": {"wikimediaUsername": name}}) for name in usernames]
    batch = batches.create_batch(
        session,
        issuer,
        achievement,
        {},
        rows,
        actor=actor,
        key_store=key_store,
        now=now,
        notify_to=mail.batch_addresses(session, settings, issuer),
    )
    attempt.remember(session, batch.id)
    return batch
