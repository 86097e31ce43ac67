"""Rows for the skills map's tests: a CapX framework, achievements aligned to its items and
credentials written straight into the tables (the map reads only stored rows; signing each
credential would add nothing the map looks at)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from badgeservice.db.models import (
    Achievement,
    Credential,
    CredentialAlignment,
    Framework,
    FrameworkItem,
    Issuer,
    RecipientClaim,
    User,
    UserIdentity,
)

WIKIDATA = "http://www.wikidata.org/entity/"
MOMENT = datetime(2026, 1, 1, tzinfo=UTC)


def capx_framework(session: Session, qids: list[str]) -> dict[str, FrameworkItem]:
    framework = Framework(
        key="capx",
        kind="capx",
        name="Wikimedia Capacity Exchange",
        title={"en": "Capacity Exchange"},
        url="https://capx.toolforge.org",
        item_count=len(qids),
        imported_at=MOMENT,
    )
    session.add(framework)
    session.flush()
    items: dict[str, FrameworkItem] = {}
    for position, qid in enumerate(qids):
        item = FrameworkItem(
            framework_id=framework.id,
            code=qid,
            url=WIKIDATA + qid,
            labels={"en": f"Skill {qid}", "de": f"Fähigkeit {qid}"},
            descriptions={},
            position=position,
            search=f"skill {qid.lower()}",
        )
        session.add(item)
        items[qid] = item
    session.flush()
    return items


def achievement(session: Session, issuer: Issuer, qids: list[str]) -> Achievement:
    row = Achievement(
        issuer_id=issuer.id,
        default_language="en",
        name={"en": "Aligned " + ",".join(qids)},
        description={"en": "A test achievement"},
        criteria_narrative={"en": "Do it"},
        tags=[],
        alignments=[{"targetName": q, "targetUrl": WIKIDATA + q} for q in qids],
        result_descriptions=[],
    )
    session.add(row)
    session.flush()
    return row


def credential(
    session: Session,
    issuer: Issuer,
    made: Achievement,
    lookup: str | None,
    *,
    language: str = "en",
    **state: Any,
) -> Credential:
    row = Credential(
        issuer_id=issuer.id,
        achievement_id=made.id,
        achievement_revision=1,
        format="ldp",
        document="{}",
        sha256="0" * 64,
        recipient_type="email",
        recipient_lookup=lookup,
        language=language,
        issued_at=MOMENT,
        valid_from=state.pop("valid_from", MOMENT),
        **state,
    )
    session.add(row)
    session.flush()
    for alignment in made.alignments:
        session.add(CredentialAlignment(credential_id=row.id, target_url=alignment["targetUrl"]))
    session.flush()
    return row


def learner(session: Session, lookups: list[str], *, excluded: bool = False) -> User:
    user = User(handle="u" + uuid.uuid4().hex[:12], display_name="L", skills_map_excluded=excluded)
    session.add(user)
    session.flush()
    identity = UserIdentity(
        user_id=user.id,
        kind="email",
        subject=uuid.uuid4().hex,
        verified_at=MOMENT - timedelta(days=1),
    )
    session.add(identity)
    session.flush()
    for lookup in lookups:
        session.add(RecipientClaim(user_id=user.id, identity_id=identity.id, lookup=lookup))
    session.flush()
    return user
