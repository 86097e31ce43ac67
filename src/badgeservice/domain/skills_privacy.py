"""The skills map's privacy rule: only aggregates, and a small count is never shown.

A count under the threshold (``settings.skills_map_threshold``, default 5) is hidden and shown
as "fewer than N". Zero is shown as zero: it names nobody, and the gap needs it ("nobody holds
this skill"). In a breakdown (an item's people by language, by issuer) whose total is shown,
one hidden cell could be found by subtracting the others from the total, so when exactly one
cell is hidden the smallest shown cell is hidden too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

Gap = Literal["nobody", "few", "covered"]


@dataclass(frozen=True)
class Count:
    """A count as it may be shown: ``value`` is ``None`` when hidden (under ``threshold``)."""

    value: int | None
    threshold: int

    @property
    def hidden(self) -> bool:
        return self.value is None

    def as_json(self) -> dict[str, Any]:
        """``{"count": 7}``, or ``{"count": null, "fewerThan": 5}`` when hidden."""
        if self.value is None:
            return {"count": None, "fewerThan": self.threshold}
        return {"count": self.value}

    def as_text(self) -> str:
        """The CSV cell: the number, or ``<5`` when hidden."""
        return f"<{self.threshold}" if self.value is None else str(self.value)


def shown(value: int, threshold: int) -> Count:
    """One count on its own: hidden when ``0 < value < threshold``."""
    return Count(None if 0 < value < threshold else value, threshold)


def breakdown(values: Sequence[int], threshold: int) -> list[Count]:
    """The cells of one breakdown, in the order given, with the second-cell rule applied."""
    cells = [shown(value, threshold) for value in values]
    hidden = [index for index, cell in enumerate(cells) if cell.hidden]
    if len(hidden) == 1:
        visible = [index for index, cell in enumerate(cells) if not cell.hidden and values[index]]
        if visible:
            smallest = min(visible, key=lambda index: (values[index], index))
            cells[smallest] = Count(None, threshold)
    return cells


def gap_of(people: int, threshold: int) -> Gap:
    """A wanted skill: nobody holds it, fewer than the threshold hold it, or it is covered."""
    if people == 0:
        return "nobody"
    return "few" if people < threshold else "covered"
