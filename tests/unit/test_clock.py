"""The clock the app reads time from: aware UTC moments, a fixed one that tests move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from badgeservice.clock import FixedClock, SystemClock


def test_the_system_clock_reads_aware_utc() -> None:
    before = datetime.now(UTC)
    moment = SystemClock().now()
    assert moment.tzinfo is UTC
    assert before <= moment <= datetime.now(UTC)


def test_a_fixed_clock_stands_until_it_is_moved() -> None:
    paris = timezone(timedelta(hours=2))
    clock = FixedClock(datetime(2031, 5, 17, 11, 30, tzinfo=paris))
    assert clock.now() == clock.now() == datetime(2031, 5, 17, 9, 30, tzinfo=UTC)
    assert clock.now().tzinfo is UTC
    assert clock.advance(timedelta(minutes=1)) == datetime(2031, 5, 17, 9, 31, tzinfo=UTC)
    clock.set(datetime(2020, 1, 1, tzinfo=UTC))
    assert clock.now() == datetime(2020, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("use", ["init", "set"])
def test_a_fixed_clock_refuses_naive_moments(use: str) -> None:
    naive = datetime(2031, 5, 17, 9, 30)
    with pytest.raises(ValueError, match="time zone"):
        FixedClock(naive) if use == "init" else FixedClock(datetime.now(UTC)).set(naive)
