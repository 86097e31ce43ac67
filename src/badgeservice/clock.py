"""The one place that reads the wall clock (DESIGN.md §4, "Time comes from a Clock").

Everything else is given the time: ``create_app(clock=...)`` holds one clock, endpoints get it
as ``ClockDep`` (``http/deps.py``), the worker and the CLI make a ``SystemClock``. A unit of
work reads ``clock.now()`` once and passes that ``now`` down; only what spans several moments
(the batch worker's chunk: each row is issued at its own time) holds the clock itself.
Tests set the time with a ``FixedClock``. Monotonic timers (deadlines, timeouts, durations)
are not the wall clock and stay ``time.monotonic``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands where it is set: ``set`` moves it, ``advance`` moves it on."""

    def __init__(self, moment: datetime) -> None:
        self._moment = _utc(moment)

    def now(self) -> datetime:
        return self._moment

    def set(self, moment: datetime) -> None:
        self._moment = _utc(moment)

    def advance(self, delta: timedelta) -> datetime:
        self._moment += delta
        return self._moment


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("a clock reads aware datetimes; give the moment a time zone")
    return moment.astimezone(UTC)


SYSTEM_CLOCK = SystemClock()
