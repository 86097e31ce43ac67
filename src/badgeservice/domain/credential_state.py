"""A credential's state: the one rule, used by the API, the pages, the PDF and the list filter.

Several conditions can hold at once; the first in ``PRECEDENCE`` wins, and a credential for
which none holds is ``active``. The list filter builds its SQL from the same ``PRECEDENCE``
(``services.credentials.state_clause``), so the filter and this function cannot disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal, get_args

State = Literal["active", "not_yet_valid", "expired", "suspended", "revoked"]
STATES: tuple[State, ...] = get_args(State)
# Highest first: revoked is final, suspended is the issuer's word, then the dates.
PRECEDENCE: tuple[State, ...] = ("revoked", "suspended", "expired", "not_yet_valid")


def credential_state(
    *,
    revoked_at: datetime | None,
    suspended_at: datetime | None,
    valid_from: datetime,
    valid_until: datetime | None,
    now: datetime,
) -> State:
    """The state at ``now``: ``valid_from`` is inclusive, ``valid_until`` exclusive."""
    holds = {
        "revoked": revoked_at is not None,
        "suspended": suspended_at is not None,
        "expired": valid_until is not None and _utc(valid_until) <= _utc(now),
        "not_yet_valid": _utc(valid_from) > _utc(now),
    }
    return next((state for state in PRECEDENCE if holds[state]), "active")


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
