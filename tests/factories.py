"""Plain factory functions for tests: real rows through the real services."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy.orm import Session

from badgeservice.db.models import Issuer
from badgeservice.services import auth, issuers
from badgeservice.services.keystore import LocalKeyStore
from badgeservice.settings import decode_secret

BASE_URL = "http://localhost:8000"
# The tests' key-encryption key (the app under test is configured with the same one).
TEST_SECRET_KEY = "dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM"
KEY_STORE = LocalKeyStore(decode_secret(TEST_SECRET_KEY))


def create_issuer(session: Session, **overrides: Any) -> Issuer:
    fields: dict[str, Any] = {"slug": "wmde", "name": "Wikimedia Deutschland"} | overrides
    issuer = issuers.create_issuer(
        session, base_url=BASE_URL, actor="test", key_store=KEY_STORE, **fields
    )
    session.commit()
    return issuer


def create_token(session: Session, issuer: Issuer | None = None, **overrides: Any) -> str:
    _token, secret = auth.create_token(
        session, name=overrides.pop("name", "test"), actor="test", issuer=issuer, **overrides
    )
    session.commit()
    return secret


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def make_png(width: int = 2, height: int = 2) -> bytes:
    """A real, minimal RGB PNG written by hand (signature, IHDR, IDAT, IEND)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x33\x66\x99" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@functools.cache
def big_png(width: int, height: int) -> bytes:
    """A real 1-bit grey PNG of any size, a few KB (rows of zeros compress to nothing)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    row = b"\x00" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    rows = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<circle cx="5" cy="5" r="4" fill="#369"/></svg>'
)

ACHIEVEMENT = {
    "defaultLanguage": "en",
    "name": {"en": "Wikipedia editing basics", "de": "Grundlagen der Wikipedia-Bearbeitung"},
    "description": {"en": "Completed the editing workshop.", "de": "Workshop abgeschlossen."},
    "criteria": {"narrative": {"en": "Attend and make one edit."}},
    "achievementType": "Badge",
    "tags": ["wikipedia"],
    "alignments": [
        {
            "targetName": "edit wikis",
            "targetUrl": "http://data.europa.eu/esco/skill/0000",
            "targetFramework": "ESCO",
            "targetCode": "S1.2",
        }
    ],
}


ISSUER_API = "/api/v1/issuers/wmde"  # the API of create_issuer's default issuer


def issue_over_api(client: Any, headers: dict[str, str], achievement: str, **body: Any) -> Any:
    """Issue one credential through the API (an email recipient unless ``body`` says other);
    the 201 response body."""
    payload = {"achievementId": achievement, "recipient": {"email": "a@b.org", "name": "Ada"}}
    response = client.post(f"{ISSUER_API}/credentials", json=payload | body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()
