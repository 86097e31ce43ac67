"""The credential state rule: each state, precedence where several hold, the date bounds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from badgeservice.domain.credential_state import credential_state

NOW = datetime(2030, 6, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("revoked", "suspended", "valid_from", "valid_until", "expected"),
    [
        (False, False, NOW - DAY, None, "active"),
        (False, False, NOW, NOW + DAY, "active"),  # validFrom is inclusive
        (False, False, NOW + DAY, None, "not_yet_valid"),
        (False, False, NOW - 2 * DAY, NOW, "expired"),  # validUntil is exclusive
        (False, True, NOW - DAY, None, "suspended"),
        (True, False, NOW - DAY, None, "revoked"),
        (True, True, NOW - 2 * DAY, NOW - DAY, "revoked"),
        (True, False, NOW + DAY, None, "revoked"),
        (False, True, NOW - 2 * DAY, NOW - DAY, "suspended"),
        (False, True, NOW + DAY, None, "suspended"),
        (False, False, NOW + DAY, NOW - DAY, "expired"),  # expired before not_yet_valid
    ],
)
def test_credential_state(
    revoked: bool,
    suspended: bool,
    valid_from: datetime,
    valid_until: datetime | None,
    expected: str,
) -> None:
    state = credential_state(
        revoked_at=NOW - DAY if revoked else None,
        suspended_at=NOW - DAY if suspended else None,
        valid_from=valid_from,
        valid_until=valid_until,
        now=NOW,
    )
    assert state == expected


def test_naive_moments_are_utc() -> None:
    naive = NOW.replace(tzinfo=None)
    state = credential_state(
        revoked_at=None, suspended_at=None, valid_from=naive + DAY, valid_until=None, now=NOW
    )
    assert state == "not_yet_valid"
