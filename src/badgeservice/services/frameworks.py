"""Skill frameworks: import (re-import updates in place), list, search items, and the OB 3.0
``Alignment`` an achievement takes to point at an item.

An import is keyed on ``(framework, code)``: an item already there keeps its id and gets the new
labels; an item missing from the new file is marked retired (never deleted, so an achievement
aligned to it keeps its meaning and its page); one that comes back is current again.

See: https://www.imsglobal.org/spec/ob/v3p0/#alignment
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import Framework, FrameworkItem
from badgeservice.domain import framework_files
from badgeservice.domain.framework_files import ParsedFramework
from badgeservice.domain.languages import label_in
from badgeservice.errors import NotFoundError, ValidationFailedError
from badgeservice.services.audit import record_event

__all__ = [
    "MAX_IMPORT_BYTES",
    "TARGET_TYPES",
    "alignment_of",
    "get_framework",
    "import_framework",
    "list_frameworks",
    "read_esco_files",
    "search_items",
]

MAX_IMPORT_BYTES = 64 * 1024 * 1024
MAX_ZIP_BYTES = 512 * 1024 * 1024  # unpacked: a zip bomb is refused, not inflated
TARGET_TYPES = {"capx": "ext:WikidataItem", "esco": "ext:ESCOSkill", "case": "CFItem"}
DEFAULT_KEYS = {"capx": "capx", "esco": "esco"}
KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,99}$")
MAX_QUERY = 200


def read_esco_files(data: bytes) -> dict[str, bytes]:
    """The CSV files of a zip (ESCO's download), bounded in what they unpack to."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ValidationFailedError("An ESCO import is a zip of ESCO's CSV files.") from None
    members = [info for info in archive.infolist() if info.filename.endswith(".csv")]
    if sum(info.file_size for info in members) > MAX_ZIP_BYTES:
        raise ValidationFailedError("The zip unpacks to more than 512 MB.")
    return {info.filename: archive.read(info) for info in members}


def _parse(kind: str, data: bytes | Mapping[str, bytes], version: str | None) -> ParsedFramework:
    if kind == "esco":
        files = data if isinstance(data, Mapping) else read_esco_files(data)
        return framework_files.parse_esco(files, version)
    if not isinstance(data, bytes):
        raise ValidationFailedError(f"A {kind} import is one JSON file.")
    return framework_files.parse_capx(data) if kind == "capx" else framework_files.parse_case(data)


def _key(kind: str, parsed: ParsedFramework, key: str | None) -> str:
    chosen = key or DEFAULT_KEYS.get(kind) or f"case-{parsed.identifier or 'framework'}"
    chosen = chosen.lower()[:100]
    if not KEY.match(chosen):
        raise ValidationFailedError(f"{chosen!r} is not a framework key (a-z, 0-9, -).")
    return chosen


def _depths(parents: Mapping[str, str | None]) -> dict[str, int]:
    """How deep each item sits (roots 0); a cycle in the file is cut where it closes."""
    depths: dict[str, int] = {}
    for code in parents:
        chain: list[str] = []
        current: str | None = code
        while current is not None and current not in depths and current not in chain:
            chain.append(current)
            current = parents.get(current)
        base = depths.get(current, -1) if current is not None and current in depths else -1
        for offset, link in enumerate(reversed(chain), start=1):
            depths[link] = base + offset
    return depths


def import_framework(
    session: Session,
    kind: str,
    data: bytes | Mapping[str, bytes],
    *,
    now: datetime,
    actor: str,
    key: str | None = None,
    version: str | None = None,
) -> Framework:
    """Import or re-import a framework file (``kind``: capx, esco, case)."""
    if kind not in framework_files.KINDS:
        raise ValidationFailedError(
            f"{kind!r} is not a framework kind ({', '.join(framework_files.KINDS)})."
        )
    size = len(data) if isinstance(data, bytes) else sum(map(len, data.values()))
    if size > MAX_IMPORT_BYTES:
        raise ValidationFailedError("The file is larger than 64 MB.")
    parsed = _parse(kind, data, version)
    framework_key = _key(kind, parsed, key)
    framework = session.scalar(select(Framework).where(Framework.key == framework_key))
    if framework is not None and framework.kind != kind:
        raise ValidationFailedError(f"The framework {framework_key!r} is a {framework.kind} one.")
    if framework is None:
        framework = Framework(
            key=framework_key, kind=kind, name=parsed.name, title={}, imported_at=now
        )
        session.add(framework)
    framework.name, framework.title = parsed.name, parsed.title
    framework.url, framework.version, framework.imported_at = parsed.url, parsed.version, now
    session.flush()
    existing = {
        item.code: item
        for item in session.scalars(
            select(FrameworkItem).where(FrameworkItem.framework_id == framework.id)
        )
    }
    depths = _depths({item.code: item.parent_code for item in parsed.items})
    for position, found in enumerate(parsed.items):
        row = existing.pop(found.code, None)
        if row is None:
            row = FrameworkItem(framework_id=framework.id, code=found.code)
            session.add(row)
        row.url, row.parent_code = found.url, found.parent_code
        row.labels, row.descriptions = found.labels, found.descriptions
        row.item_type, row.human_code = found.item_type, found.human_code
        row.depth, row.position, row.retired_at = depths.get(found.code, 0), position, None
        words = [*found.labels.values(), *found.other_labels, found.code, found.human_code or ""]
        row.search = "\n".join(word.casefold() for word in words if word)
    for gone in existing.values():
        if gone.retired_at is None:
            gone.retired_at = now
    framework.item_count = len(parsed.items)
    session.flush()
    record_event(
        session,
        action="framework.imported",
        actor=actor,
        subject_type="framework",
        subject_id=framework.key,
        details={"kind": kind, "items": len(parsed.items), "retired": len(existing)},
    )
    return framework


def list_frameworks(session: Session) -> list[Framework]:
    return list(session.scalars(select(Framework).order_by(Framework.key)))


def get_framework(session: Session, key: str) -> Framework:
    framework = session.scalar(select(Framework).where(Framework.key == key))
    if framework is None:
        raise NotFoundError(f"Framework {key} not found.")
    return framework


def search_items(
    session: Session,
    query: str = "",
    *,
    framework: Framework | None = None,
    parent: str | None = None,
    retired: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[Framework, FrameworkItem]], int]:
    """Items whose label in any language (or code) holds ``query``, case-insensitively;
    roots first, then in the file's order. Retired items only when asked."""
    where: list[ColumnElement[bool]] = []
    words = query.casefold().split()[:8]
    for word in words:
        escaped = word[:MAX_QUERY].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        where.append(FrameworkItem.search.like(f"%{escaped}%", escape="\\"))
    if framework is not None:
        where.append(FrameworkItem.framework_id == framework.id)
    if parent is not None:
        where.append(FrameworkItem.parent_code == parent)
    if not retired:
        where.append(FrameworkItem.retired_at.is_(None))
    base = select(Framework, FrameworkItem).join(
        Framework, Framework.id == FrameworkItem.framework_id
    )
    total = (
        session.scalar(
            select(func.count()).select_from(FrameworkItem).join(Framework).where(*where)
        )
        or 0
    )
    query_rows = (
        base.where(*where)
        .order_by(Framework.key, FrameworkItem.depth, FrameworkItem.position, FrameworkItem.code)
        .limit(limit)
        .offset(offset)
    )
    return [(f, item) for f, item in session.execute(query_rows)], total


def alignment_of(framework: Framework, item: FrameworkItem, language: str) -> dict[str, Any]:
    """The achievement body's ``alignments`` entry for ``item``, named in ``language`` (else
    English, else its first label): paste it into an achievement to align it."""
    name = label_in(item.labels, language, item.code)
    alignment: dict[str, Any] = {
        "targetName": name[:500],
        "targetUrl": item.url,
        "targetCode": item.code,
        "targetFramework": framework.name[:500],
        "targetType": TARGET_TYPES[framework.kind],
    }
    description = label_in(item.descriptions or {}, language, "")
    if description:
        alignment["targetDescription"] = description
    return alignment
