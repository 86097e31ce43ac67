"""``/me/download.zip``: everything in a backpack as one ZIP, streamed.

For each credential: the signed credential as stored, byte for byte (``.json`` for a Data
Integrity credential, ``.jwt`` for a VC-JWT: its stored JSON is the unsigned payload), the
baked PNG (it verifies on its own) and the PDF certificate; then ``README.txt`` and
``manifest.json`` saying what each file is. The archive is written to a sink that hands its
bytes out after every credential (``zipfile`` writes data descriptors to a stream it cannot
seek), and credentials are read in short units of work of ``CHUNK``: memory holds one
credential's files and the central directory, whatever the backpack's size.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from badgeservice.db.models import Credential
from badgeservice.domain.images import PNG
from badgeservice.domain.urls import credential_url
from badgeservice.services import badge_images, certificate
from badgeservice.services.backpack import entry_of

Database = Callable[[], AbstractContextManager[Session]]
CHUNK = 20
_UNSAFE = re.compile(r"[^a-z0-9]+")


class _Sink:
    """A write-only stream whose written bytes are taken out piece by piece."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def file_stem(position: int, name: str, credential_id: uuid.UUID) -> str:
    """``0001-wikipedia-editing-basics-1a2b3c4d``: ASCII only, unique by position and id."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    slug = _UNSAFE.sub("-", ascii_name).strip("-")[:60].rstrip("-") or "credential"
    return f"{position:04d}-{slug}-{credential_id.hex[:8]}"


def _files(
    session: Session,
    credential: Credential,
    stem: str,
    base_url: str,
    language: str,
    now: datetime,
) -> tuple[list[tuple[str, bytes]], str | None]:
    signed = (
        (f"{stem}.jwt", credential.jwt.encode())
        if credential.jwt
        else (f"{stem}.json", credential.document.encode())
    )
    files = [signed, (f"{stem}.png", badge_images.baked_image(session, credential, PNG, base_url))]
    try:
        pdf = certificate.get_certificate(
            session, credential.id, base_url=base_url, languages=[language], paper="a4", now=now
        )
    except certificate.CertificateFontsMissingError:
        return files, None
    return [*files, (f"{stem}.pdf", pdf.content)], f"{stem}.pdf"


def zip_chunks(
    database: Database,
    credential_ids: list[uuid.UUID],
    *,
    base_url: str,
    language: str,
    now: datetime,
) -> Iterator[bytes]:
    """The ZIP's bytes, a credential's worth at a time."""
    sink = _Sink()
    manifest: list[dict[str, Any]] = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for start in range(0, len(credential_ids), CHUNK):
            with database() as session:
                for offset, credential_id in enumerate(credential_ids[start : start + CHUNK]):
                    credential = session.get(Credential, credential_id)
                    if credential is None:  # removed since the list was read
                        continue
                    entry = entry_of(credential, None, "", now)
                    stem = file_stem(start + offset + 1, entry.name, credential.id)
                    files, pdf = _files(session, credential, stem, base_url, language, now)
                    for name, content in files:
                        archive.writestr(name, content)
                    manifest.append(
                        {
                            "name": entry.name,
                            "issuer": entry.issuer_name,
                            "issuedOn": credential.issued_at.isoformat().replace("+00:00", "Z"),
                            "state": entry.state,
                            "url": credential_url(base_url, credential.id),
                            "credential": files[0][0],
                            "bakedImage": files[1][0],
                            "certificate": pdf,
                        }
                    )
                    yield sink.take()
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
        archive.writestr("README.txt", readme(manifest))
    yield sink.take()


def readme(manifest: list[dict[str, Any]]) -> str:
    lines = [
        "Your Open Badges",
        "================",
        "",
        f"{len(manifest)} credential(s). For each one:",
        "  NNNN-name-id.json  the signed credential (Open Badges 3.0), exactly as issued",
        "  NNNN-name-id.jwt   the same for a credential issued as a VC-JWT",
        "  NNNN-name-id.png   the badge image with the signed credential baked in",
        "  NNNN-name-id.pdf   a printable certificate",
        "Any of the .json, .jwt or .png files can be verified on its own at the page's",
        "verify link. manifest.json lists the same in a machine-readable form.",
        "",
    ]
    for item in manifest:
        lines += [
            f"{item['credential'].rsplit('.', 1)[0]}",
            f"  {item['name']} - {item['issuer']}",
            f"  issued {item['issuedOn'][:10]}, {item['state'].replace('_', ' ')}",
            f"  {item['url']}",
            "",
        ]
    return "\n".join(lines)
