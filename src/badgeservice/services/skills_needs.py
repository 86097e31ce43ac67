"""What an issuer says it needs (wanted skills) and what people say they have (declared skills).

Wanted skills are set through the API (a list of framework items, by ``framework`` key and
``code``, or by ``url``) or imported from a Capacity Exchange organisation's export, whose
``wanted_capacities`` are CapX skill ids (integers, mapped to Wikidata QIDs through a CapX
skills list's ``skill_wikidata_item``) or QIDs. QIDs are matched to the imported ``capx``
framework's items by ``code``.

Declared skills come from CapX profiles (``skills_known``, ``skills_available``); a profile's
username is kept only as its keyed lookup hash (``issuance.lookup_of``), the hash a credential
issued to that username carries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from badgeservice.db.models import DeclaredSkill, Framework, FrameworkItem, Issuer, WantedSkill
from badgeservice.errors import FieldError, ValidationFailedError
from badgeservice.services.issuance import lookup_of
from badgeservice.services.keystore import KeyStore

CAPX_FRAMEWORK = "capx"
MAX_ITEMS = 2000
_QID = re.compile(r"^Q[1-9][0-9]{0,11}$")


@dataclass(frozen=True)
class WantedEntry:
    framework_key: str
    code: str
    url: str
    labels: dict[str, Any]
    source: str


def list_wanted(session: Session, issuer: Issuer) -> list[WantedEntry]:
    rows = session.execute(
        select(WantedSkill.source, FrameworkItem, Framework.key)
        .join(FrameworkItem, FrameworkItem.id == WantedSkill.item_id)
        .join(Framework, Framework.id == FrameworkItem.framework_id)
        .where(WantedSkill.issuer_id == issuer.id)
        .order_by(Framework.key, FrameworkItem.position, FrameworkItem.code)
    )
    return [
        WantedEntry(key, item.code, item.url, dict(item.labels or {}), source)
        for source, item, key in rows
    ]


def _item_by_ref(session: Session, ref: Any, pointer: str) -> FrameworkItem | FieldError:
    if not isinstance(ref, dict):
        return FieldError(pointer, "Each item is an object with framework and code, or url.")
    url, key, code = ref.get("url"), ref.get("framework"), ref.get("code")
    if isinstance(url, str) and url:
        query = select(FrameworkItem).where(FrameworkItem.url == url)
    elif isinstance(key, str) and isinstance(code, str) and key and code:
        query = (
            select(FrameworkItem)
            .join(Framework, Framework.id == FrameworkItem.framework_id)
            .where(Framework.key == key, FrameworkItem.code == code)
        )
    else:
        return FieldError(pointer, "Give either url, or framework and code.")
    item = session.scalars(query.order_by(FrameworkItem.created_at).limit(1)).first()
    if item is None:
        return FieldError(pointer, "No imported framework item matches.", "unknown_item")
    return item


def _replace(session: Session, issuer: Issuer, items: Iterable[FrameworkItem], source: str) -> int:
    session.execute(
        delete(WantedSkill).where(WantedSkill.issuer_id == issuer.id, WantedSkill.source == source)
    )
    session.flush()
    kept = set(
        session.scalars(select(WantedSkill.item_id).where(WantedSkill.issuer_id == issuer.id))
    )
    added = 0
    for item in items:
        if item.id not in kept:
            kept.add(item.id)
            session.add(WantedSkill(issuer_id=issuer.id, item_id=item.id, source=source))
            added += 1
    session.flush()
    return added


def put_wanted(session: Session, issuer: Issuer, body: Any) -> list[WantedEntry]:
    """Replace the issuer's manual wanted skills by ``body["items"]``."""
    refs = body.get("items") if isinstance(body, dict) else None
    if not isinstance(refs, list):
        raise ValidationFailedError(
            "The body is an object with a list of items.",
            [FieldError("/items", "A list of items is required.", "required")],
        )
    if len(refs) > MAX_ITEMS:
        raise ValidationFailedError(
            f"At most {MAX_ITEMS} wanted skills.", [FieldError("/items", "Too many items.")]
        )
    items: list[FrameworkItem] = []
    errors: list[FieldError] = []
    for index, ref in enumerate(refs):
        found = _item_by_ref(session, ref, f"/items/{index}")
        if isinstance(found, FieldError):
            errors.append(found)
        else:
            items.append(found)
    if errors:
        raise ValidationFailedError("Some wanted skills are not imported framework items.", errors)
    _replace(session, issuer, items, "manual")
    return list_wanted(session, issuer)


def clear_wanted(session: Session, issuer: Issuer) -> None:
    session.execute(delete(WantedSkill).where(WantedSkill.issuer_id == issuer.id))
    session.flush()


def _capx_ids(skills: Any) -> dict[int, str]:
    """A CapX skills list (``[{"id": 12, "skill_wikidata_item": "Q…"}, …]``) → id → QID."""
    mapping: dict[int, str] = {}
    if isinstance(skills, dict):
        skills = skills.get("results", skills.get("skills"))
    for entry in skills if isinstance(skills, list) else []:
        if not isinstance(entry, dict):
            continue
        skill_id, qid = entry.get("id"), entry.get("skill_wikidata_item")
        if isinstance(skill_id, int) and isinstance(qid, str) and _QID.match(qid):
            mapping[skill_id] = qid
    return mapping


def _qids(values: Any, ids: dict[int, str], pointer: str, errors: list[FieldError]) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list):
        errors.append(FieldError(pointer, "A list of CapX skill ids or QIDs."))
        return []
    qids: list[str] = []
    for index, value in enumerate(values):
        if isinstance(value, bool):
            qid = None
        elif isinstance(value, int):
            qid = ids.get(value)
        elif isinstance(value, str) and _QID.match(value.strip()):
            qid = value.strip()
        else:
            qid = None
        if qid is None:
            errors.append(
                FieldError(
                    f"{pointer}/{index}",
                    "Not a QID, nor a CapX skill id of the skills list given.",
                    "unknown_skill",
                )
            )
        elif qid not in qids:
            qids.append(qid)
    return qids


def _capx_items(session: Session, qids: Iterable[str]) -> dict[str, FrameworkItem]:
    wanted = list(dict.fromkeys(qids))
    if not wanted:
        return {}
    query = (
        select(FrameworkItem)
        .join(Framework, Framework.id == FrameworkItem.framework_id)
        .where(Framework.key == CAPX_FRAMEWORK, FrameworkItem.code.in_(wanted))
    )
    return {item.code: item for item in session.scalars(query)}


@dataclass(frozen=True)
class ImportResult:
    imported: int
    unmatched: list[str]  # QIDs not (yet) in the imported capx framework


def import_capx_wanted(session: Session, issuer: Issuer, body: Any) -> ImportResult:
    """``{"organization": {"wanted_capacities": [...]}, "skills": [...]}`` (or the organisation
    object itself, or ``{"wanted_capacities": [...]}``): replaces the ``capx`` wanted skills."""
    if not isinstance(body, dict):
        raise ValidationFailedError("The body is a JSON object.", [FieldError("", "An object.")])
    organisation = body.get("organization", body.get("organisation", body))
    if not isinstance(organisation, dict) or "wanted_capacities" not in organisation:
        raise ValidationFailedError(
            "The export has no wanted_capacities.",
            [FieldError("/wanted_capacities", "Required.", "required")],
        )
    errors: list[FieldError] = []
    qids = _qids(
        organisation["wanted_capacities"],
        _capx_ids(body.get("skills")),
        "/wanted_capacities",
        errors,
    )
    if errors:
        raise ValidationFailedError("Some wanted capacities cannot be read.", errors)
    items = _capx_items(session, qids)
    imported = _replace(session, issuer, (items[q] for q in qids if q in items), "capx")
    return ImportResult(imported, [q for q in qids if q not in items])


def import_capx_profiles(
    session: Session, issuer: Issuer, key_store: KeyStore, body: Any
) -> ImportResult:
    """``{"profiles": [{"username": …, "skills_known": […], "skills_available": […]}],
    "skills": [...]}``: replaces this issuer's declared skills."""
    profiles = body.get("profiles") if isinstance(body, dict) else body
    if not isinstance(profiles, list):
        raise ValidationFailedError(
            "The body lists CapX profiles.", [FieldError("/profiles", "A list.", "required")]
        )
    ids = _capx_ids(body.get("skills") if isinstance(body, dict) else None)
    errors: list[FieldError] = []
    rows: list[tuple[str, str, str]] = []  # (lookup, qid, kind)
    for index, profile in enumerate(profiles):
        pointer = f"/profiles/{index}"
        if not isinstance(profile, dict):
            errors.append(FieldError(pointer, "A profile is an object."))
            continue
        user = profile.get("user")
        username = profile.get("username", user.get("username") if isinstance(user, dict) else None)
        if not isinstance(username, str) or not username.strip() or len(username) > 255:
            errors.append(FieldError(f"{pointer}/username", "A username is required.", "required"))
            continue
        try:
            person = lookup_of(key_store, "wikimedia_username", username)
        except ValueError:
            errors.append(FieldError(f"{pointer}/username", "Not a valid username."))
            continue
        for kind in ("known", "available"):
            field = f"skills_{kind}"
            for qid in _qids(profile.get(field), ids, f"{pointer}/{field}", errors):
                rows.append((person, qid, kind))
    if errors:
        raise ValidationFailedError("Some profiles cannot be read.", errors)
    items = _capx_items(session, (qid for _, qid, _ in rows))
    session.execute(delete(DeclaredSkill).where(DeclaredSkill.issuer_id == issuer.id))
    session.flush()
    seen: set[tuple[str, str, str]] = set()
    for person, qid, kind in rows:
        if qid in items and (person, qid, kind) not in seen:
            seen.add((person, qid, kind))
            session.add(
                DeclaredSkill(
                    issuer_id=issuer.id,
                    person_lookup=person,
                    item_id=items[qid].id,
                    kind=kind,
                    source="capx",
                )
            )
    session.flush()
    unmatched = sorted({qid for _, qid, _ in rows if qid not in items})
    return ImportResult(len(seen), unmatched)
