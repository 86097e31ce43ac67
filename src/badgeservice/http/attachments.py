"""Files handed out to be saved (a batch's results, a skills map): one way to answer with them."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from fastapi import Response


def _disposition(filename: str) -> str:
    """Save as ``filename`` (RFC 6266, with its UTF-8 form)."""
    return f"attachment; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}"


def csv_attachment(text: str, filename: str) -> Response:
    """``text`` as a CSV file the browser saves as ``filename``."""
    return Response(
        text.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": _disposition(filename)},
    )


def json_attachment(document: Any, filename: str) -> Response:
    """``document`` as a JSON file (UTF-8, indented) the browser saves as ``filename``."""
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2).encode(),
        media_type="application/json",
        headers={"Content-Disposition": _disposition(filename)},
    )
