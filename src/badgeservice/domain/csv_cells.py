"""CSV files we hand out to be opened in a spreadsheet: every cell goes through ``safe_cell``,
so that a value someone else chose (a recipient's name, an error's text) is never read as a
formula.

See: https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# What makes Excel, LibreOffice or Google Sheets read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell's text; prefixed with ``'`` when it starts as a formula would (the quote is
    what a spreadsheet shows as "this is text")."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A CSV document (comma separated, CRLF line ends, as RFC 4180 and Excel write it) of
    the header and rows, each cell through ``safe_cell``. It starts with a UTF-8 byte order
    mark: without it Excel reads the file in the system's legacy code page."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()
