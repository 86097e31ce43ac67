"""Files handed out to be saved (a batch's results): one way to answer with them."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Response


def csv_attachment(text: str, filename: str) -> Response:
    """``text`` as a CSV file the browser saves as ``filename`` (RFC 6266)."""
    disposition = f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        text.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": disposition},
    )
