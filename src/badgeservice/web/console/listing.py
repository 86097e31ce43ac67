"""What the console's searchable tables share: date fields, page numbers and paging links.

A date field takes ``YYYY-MM-DD`` (what ``<input type="date">`` sends); as a lower bound it is
the start of that UTC day, as an upper bound the start of the next one (the day included), as
the API's ``issuedFrom``/``issuedTo`` read a date alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

PAGE_SIZE = 25
MAX_PAGE = 400  # the API's offset bound, in pages


class BadDateError(ValueError):
    pass


def day_bound(text: str, *, end: bool) -> datetime | None:
    """``None`` for an empty field; ``BadDateError`` for one that is not a date."""
    if not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise BadDateError(text) from None
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start + timedelta(days=1) if end else start


def page_number(text: str | None) -> int:
    """The page asked for (1 for anything that is not a page number)."""
    try:
        number = int(text or "1")
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


@dataclass(frozen=True)
class Paging:
    """Links to the neighbouring pages of a table, keeping its filters."""

    page: int
    pages: int
    total: int
    previous: str | None
    next: str | None

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE


def paging(path: str, filters: dict[str, str], page: int, total: int) -> Paging:
    pages = max(1, -(-total // PAGE_SIZE))

    def link(number: int) -> str:
        kept = {k: v for k, v in filters.items() if v}
        return path + "?" + urlencode(kept | {"page": str(number)})

    previous = link(page - 1) if page > 1 else None
    following = link(page + 1) if page < pages and page < MAX_PAGE else None
    return Paging(page, pages, total, previous, following)
