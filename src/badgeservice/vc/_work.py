"""Bounding the work of one verification: a budget of work units and a wall-clock deadline.

JSON-LD processing and canonicalisation spend work units while they run (one per expanded
element, member, node-map value, context processed, RDFC step). Each ``canonicalize`` /
``expand`` call is granted units in proportion to the size of its own input
(``UNITS_PER_VALUE`` per JSON value, plus ``BASE_UNITS``), so the work a verification may do
grows linearly with what it was given. A deadline set for the whole verification
(``deadline``) is checked at the same points, every ``CLOCK_EVERY`` units: a run over budget or
past its deadline stops where it is (it raises ``WorkLimitError``) instead of running on in a
thread nobody waits for.

The deadline travels in a ``ContextVar``: code below the pipeline (``canon``, ``_jsonld_rdfc``)
reads it without every signature carrying it. A thread started for part of a verification
must copy the context (``contextvars.copy_context``) to keep it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from badgeservice.vc.errors import WorkLimitError

# Expanding and converting one JSON value costs a few units (its element, its member, its
# node-map entry, its contexts); 64 leaves ample room while staying linear.
UNITS_PER_VALUE = 64
BASE_UNITS = 50_000
CLOCK_EVERY = 256

_deadline: ContextVar[float | None] = ContextVar("verification_deadline", default=None)
_meter: ContextVar[WorkMeter | None] = ContextVar("work_meter", default=None)


class WorkMeter:
    """Units left for one JSON-LD run, and the deadline (``time.monotonic``) it must meet."""

    __slots__ = ("_until_clock", "deadline", "granted", "left")

    def __init__(self, units: int, deadline: float | None = None) -> None:
        self.granted = self.left = units
        self.deadline = deadline
        self._until_clock = 0

    @property
    def spent(self) -> int:
        return self.granted - self.left

    def spend(self, units: int = 1) -> None:
        """Count ``units`` of work; raise once the budget or the deadline is spent."""
        self.left -= units
        if self.left < 0:
            raise WorkLimitError(
                f"the document needs more work than its size allows ({self.granted} units)",
                code="work_limit_exceeded",
            )
        self._until_clock -= units
        if self._until_clock <= 0:
            self._until_clock = CLOCK_EVERY
            check_deadline(self.deadline)


def check_deadline(deadline: float | None = None) -> None:
    """Raise ``WorkLimitError`` when ``deadline`` (default: this verification's) has passed."""
    deadline = _deadline.get() if deadline is None else deadline
    if deadline is not None and time.monotonic() >= deadline:
        raise WorkLimitError(
            "the verification ran out of time", code="verification_deadline_exceeded"
        )


def current_deadline() -> float | None:
    """This verification's deadline (``time.monotonic`` seconds), or None."""
    return _deadline.get()


@contextmanager
def deadline(seconds: float | None) -> Iterator[float | None]:
    """Run the block as one verification that must end within ``seconds`` (None: no limit;
    an enclosing deadline that comes sooner still holds)."""
    outer = _deadline.get()
    mine = None if seconds is None else time.monotonic() + seconds
    effective = mine if outer is None else outer if mine is None else min(outer, mine)
    token = _deadline.set(effective)
    try:
        yield effective
    finally:
        _deadline.reset(token)


@contextmanager
def metered(values: int) -> Iterator[WorkMeter]:
    """A meter for one JSON-LD run over an input of ``values`` JSON values (nested runs
    share the outer meter: their work counts against the same budget)."""
    outer = _meter.get()
    if outer is not None:
        yield outer
        return
    meter = WorkMeter(BASE_UNITS + UNITS_PER_VALUE * values, _deadline.get())
    token = _meter.set(meter)
    try:
        yield meter
    finally:
        _meter.reset(token)


def spend(units: int = 1) -> None:
    """Count work against the current meter (nothing to count against: only the deadline)."""
    meter = _meter.get()
    if meter is not None:
        meter.spend(units)
