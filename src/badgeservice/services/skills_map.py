"""The skills map: per framework item, how many people hold an active credential aligned to it.

One issuer's map counts the credentials that issuer issued; the deployment's counts every
issuer's, broken down by issuer too. A credential counts when its state is ``active``
(``services.credentials.state_clause``, the SQL twin of ``domain.credential_state``) and one
of its alignment ``targetUrl`` values is a framework item's ``url``. A person is the account
that claimed the credential's recipient, else the recipient's lookup hash, else the credential
itself; the credentials of a learner who opted out (``users.skills_map_excluded``) and the
skills they declared are left out of every count.

The counts are one statement: a CTE of (item, language, issuer, person), then on PostgreSQL
one ``GROUP BY GROUPING SETS`` (people compared in byte order, ``COLLATE "C"``) and on SQLite
(which has no grouping sets) a ``UNION ALL`` of three ``GROUP BY``s; the same rows either way.
At 100,000 credentials PostgreSQL's form takes about two thirds of the union's time
(``bench/skills_map.py``). Every count goes out through
``domain.skills_privacy``: nothing under the threshold is ever shown.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import String, case, cast, func, literal, or_, select, tuple_, union_all
from sqlalchemy.orm import Session

from badgeservice.db.models import (
    Credential,
    CredentialAlignment,
    DeclaredSkill,
    Framework,
    FrameworkItem,
    Issuer,
    RecipientClaim,
    User,
    WantedSkill,
)
from badgeservice.domain.csv_cells import csv_text
from badgeservice.domain.languages import label_in
from badgeservice.domain.skills_privacy import Count, Gap, breakdown, gap_of, shown
from badgeservice.services.credentials import state_clause
from badgeservice.services.issuers import get_issuer

ALL, LANGUAGE, ISSUER = "all", "language", "issuer"


@dataclass
class ItemCounts:
    """One framework item's row of the map; every count already passed the privacy rule."""

    item_id: uuid.UUID
    framework_key: str
    framework_name: str
    code: str
    url: str
    labels: dict[str, Any]
    people: Count
    by_language: list[tuple[str, Count]]
    by_issuer: list[tuple[str, Count]]
    declared_known: Count
    declared_available: Count
    wanted: bool
    gap: Gap | None  # only for a wanted skill

    def label(self, language: str) -> str:
        return label_in(self.labels, language, self.code)


@dataclass
class SkillsMap:
    issuer_slug: str | None  # None: the whole deployment
    threshold: int
    items: list[ItemCounts] = field(default_factory=list)

    def gap(self, kind: Gap) -> list[ItemCounts]:
        return [item for item in self.items if item.gap == kind]


def _not_excluded() -> Any:
    return or_(User.skills_map_excluded.is_(None), User.skills_map_excluded.is_(False))


def held_query(issuer: Issuer | None, now: datetime, *, grouping_sets: bool = False) -> Any:
    """The one statement: a CTE of who holds what, and its counts as rows of (item, dimension,
    key, people): by ``GROUPING SETS`` (``grouping_sets``: PostgreSQL) or a ``UNION ALL``."""
    person: Any = func.coalesce(
        cast(RecipientClaim.user_id, String),
        Credential.recipient_lookup,
        cast(Credential.id, String),
    )
    if grouping_sets:  # PostgreSQL: byte order sorts the distinct people faster (same equality)
        person = person.collate("C")
    held_query = (
        select(
            FrameworkItem.id.label("item_id"),
            Credential.language.label("language"),
            Issuer.slug.label("issuer"),
            person.label("person"),
        )
        .select_from(Credential)
        .join(CredentialAlignment, CredentialAlignment.credential_id == Credential.id)
        .join(FrameworkItem, FrameworkItem.url == CredentialAlignment.target_url)
        .join(Issuer, Issuer.id == Credential.issuer_id)
        .outerjoin(RecipientClaim, RecipientClaim.lookup == Credential.recipient_lookup)
        .outerjoin(User, User.id == RecipientClaim.user_id)
        .where(state_clause("active", now), _not_excluded())
    )
    if issuer is not None:
        held_query = held_query.where(Credential.issuer_id == issuer.id)
    held = held_query.cte("held")
    people = func.count(func.distinct(held.c.person)).label("people")
    if grouping_sets:
        return _grouped(held, people, by_issuer=issuer is None)
    parts = [
        select(
            held.c.item_id, literal(ALL).label("dimension"), literal("").label("key"), people
        ).group_by(held.c.item_id),
        select(held.c.item_id, literal(LANGUAGE), held.c.language, people).group_by(
            held.c.item_id, held.c.language
        ),
    ]
    if issuer is None:
        parts.append(
            select(held.c.item_id, literal(ISSUER), held.c.issuer, people).group_by(
                held.c.item_id, held.c.issuer
            )
        )
    return union_all(*parts)


def _grouped(held: Any, people: Any, *, by_issuer: bool) -> Any:
    """The counts in one pass; ``GROUPING()`` of the breakdown columns says a row's set (a bit
    set per column left out of it: (item) is all of them)."""
    item, language, issuer = held.c.item_id, held.c.language, held.c.issuer
    if by_issuer:
        sets = [tuple_(item), tuple_(item, language), tuple_(item, issuer)]
        grouped = func.grouping(language, issuer)  # 3: (item); 1: (item, language); 2: issuer
        dimension = case((grouped == 3, literal(ALL)), (grouped == 1, literal(LANGUAGE)),
                         else_=literal(ISSUER))  # fmt: skip
        key = case((grouped == 1, language), (grouped == 2, issuer), else_=literal(""))
    else:
        sets = [tuple_(item), tuple_(item, language)]
        grouped = func.grouping(language)  # 1: (item); 0: (item, language)
        dimension = case((grouped == 1, literal(ALL)), else_=literal(LANGUAGE))
        key = case((grouped == 0, language), else_=literal(""))
    query = select(item, dimension.label("dimension"), key.label("key"), people)
    return query.group_by(func.grouping_sets(*sets))


def held_counts(
    session: Session, issuer: Issuer | None, now: datetime
) -> dict[uuid.UUID, dict[str, dict[str, int]]]:
    """item id → dimension (``all``/``language``/``issuer``) → key → distinct people."""
    counts: dict[uuid.UUID, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    grouping_sets = session.get_bind().dialect.name == "postgresql"
    query = held_query(issuer, now, grouping_sets=grouping_sets)
    for item_id, dimension, key, value in session.execute(query):
        counts[item_id][dimension][key] = int(value)
    return counts


def declared_counts(session: Session, issuer: Issuer | None) -> dict[uuid.UUID, dict[str, int]]:
    """item id → kind (``known``/``available``) → distinct people who declared it."""
    query = (
        select(
            DeclaredSkill.item_id,
            DeclaredSkill.kind,
            func.count(func.distinct(DeclaredSkill.person_lookup)),
        )
        .outerjoin(RecipientClaim, RecipientClaim.lookup == DeclaredSkill.person_lookup)
        .outerjoin(User, User.id == RecipientClaim.user_id)
        .where(_not_excluded())
        .group_by(DeclaredSkill.item_id, DeclaredSkill.kind)
    )
    if issuer is not None:
        query = query.where(DeclaredSkill.issuer_id == issuer.id)
    counts: dict[uuid.UUID, dict[str, int]] = defaultdict(dict)
    for item_id, kind, value in session.execute(query):
        counts[item_id][kind] = int(value)
    return counts


def wanted_item_ids(session: Session, issuer: Issuer | None) -> set[uuid.UUID]:
    query = select(WantedSkill.item_id).distinct()
    if issuer is not None:
        query = query.where(WantedSkill.issuer_id == issuer.id)
    return set(session.scalars(query))


def _breakdown(values: dict[str, int], threshold: int) -> list[tuple[str, Count]]:
    keys = sorted(values, key=lambda key: (-values[key], key))
    return list(zip(keys, breakdown([values[key] for key in keys], threshold), strict=True))


def skills_map(
    session: Session, issuer: Issuer | None, *, now: datetime, threshold: int
) -> SkillsMap:
    """The map of one issuer (``issuer``) or of the deployment (``None``)."""
    held = held_counts(session, issuer, now)
    declared = declared_counts(session, issuer)
    wanted = wanted_item_ids(session, issuer)
    ids = set(held) | set(declared) | wanted
    result = SkillsMap(issuer.slug if issuer else None, threshold)
    if not ids:
        return result
    rows = session.execute(
        select(FrameworkItem, Framework)
        .join(Framework, Framework.id == FrameworkItem.framework_id)
        .where(FrameworkItem.id.in_(ids))
        .order_by(Framework.key, FrameworkItem.position, FrameworkItem.code)
    )
    for item, framework in rows:
        counts = held.get(item.id, {})
        total = counts.get(ALL, {}).get("", 0)
        result.items.append(
            ItemCounts(
                item_id=item.id,
                framework_key=framework.key,
                framework_name=framework.name,
                code=item.code,
                url=item.url,
                labels=dict(item.labels or {}),
                people=shown(total, threshold),
                by_language=_breakdown(counts.get(LANGUAGE, {}), threshold),
                by_issuer=_breakdown(counts.get(ISSUER, {}), threshold),
                declared_known=shown(declared.get(item.id, {}).get("known", 0), threshold),
                declared_available=shown(declared.get(item.id, {}).get("available", 0), threshold),
                wanted=item.id in wanted,
                gap=gap_of(total, threshold) if item.id in wanted else None,
            )
        )
    return result


def public_map(
    session: Session, slug: str | None, *, now: datetime, threshold: int
) -> tuple[Issuer | None, SkillsMap]:
    """The map anyone may read, without a token (aggregates only): the deployment's
    (``slug`` ``None``) or one issuer's, with that issuer; an unknown slug is ``NotFoundError``.
    The API and the pages both serve this one."""
    issuer = get_issuer(session, slug) if slug is not None else None
    return issuer, skills_map(session, issuer, now=now, threshold=threshold)


def set_excluded(session: Session, user: User, *, excluded: bool) -> None:
    """The learner's choice: leave (or rejoin) every count of the map."""
    user.skills_map_excluded = excluded
    session.flush()


def learner_skills(
    session: Session, user: User, now: datetime
) -> list[tuple[Framework, list[FrameworkItem]]]:
    """A learner's verified skills (items of their active credentials), grouped by framework."""
    claimed = select(RecipientClaim.lookup).where(RecipientClaim.user_id == user.id)
    held = (
        select(FrameworkItem.id)
        .join(CredentialAlignment, CredentialAlignment.target_url == FrameworkItem.url)
        .join(Credential, Credential.id == CredentialAlignment.credential_id)
        .where(Credential.recipient_lookup.in_(claimed), state_clause("active", now))
    )
    query = (
        select(FrameworkItem, Framework)
        .join(Framework, Framework.id == FrameworkItem.framework_id)
        .where(FrameworkItem.id.in_(held))
        .order_by(Framework.key, FrameworkItem.position, FrameworkItem.code)
    )
    grouped: dict[uuid.UUID, tuple[Framework, list[FrameworkItem]]] = {}
    for item, framework in session.execute(query):
        grouped.setdefault(framework.id, (framework, []))[1].append(item)
    return list(grouped.values())


CSV_COLUMNS = (
    "framework",
    "code",
    "url",
    "label",
    "people",
    "declared_known",
    "declared_available",
    "wanted",
    "gap",
    "by_language",
    "by_issuer",
)


def _cells(cells: list[tuple[str, Count]]) -> list[dict[str, Any]]:
    return [{"key": key} | count.as_json() for key, count in cells]


def as_json(result: SkillsMap, language: str = "en") -> dict[str, Any]:
    """The map as JSON: every count is ``{"count": n}`` or ``{"count": null, "fewerThan": t}``."""
    return {
        "issuer": result.issuer_slug,
        "threshold": result.threshold,
        "items": [
            {
                "framework": item.framework_key,
                "code": item.code,
                "url": item.url,
                "label": item.label(language),
                "people": item.people.as_json(),
                "byLanguage": [
                    {"language": cell.pop("key")} | cell for cell in _cells(item.by_language)
                ],
                "byIssuer": [{"issuer": cell.pop("key")} | cell for cell in _cells(item.by_issuer)],
                "declaredNotVerified": {
                    "known": item.declared_known.as_json(),
                    "available": item.declared_available.as_json(),
                },
                "wanted": item.wanted,
                "gap": item.gap,
            }
            for item in result.items
        ],
    }


def as_csv(result: SkillsMap, language: str = "en") -> str:
    """The map as CSV (``domain.csv_cells``); hidden counts are ``<5``; breakdowns ``key=n;…``."""

    def joined(cells: list[tuple[str, Count]]) -> str:
        return ";".join(f"{key}={count.as_text()}" for key, count in cells)

    rows: list[list[str]] = []
    for item in result.items:
        rows.append(
            [
                item.framework_key,
                item.code,
                item.url,
                item.label(language),
                item.people.as_text(),
                item.declared_known.as_text(),
                item.declared_available.as_text(),
                "yes" if item.wanted else "",
                item.gap or "",
                joined(item.by_language),
                joined(item.by_issuer),
            ]
        )
    return csv_text(CSV_COLUMNS, rows)
