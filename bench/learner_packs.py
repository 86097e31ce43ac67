"""The backpack's ``/me/packs`` on PostgreSQL: a learner with two recipients on many packs.

Makes a fresh database on the server of ``--postgres`` (default: the tests' server), runs the
migrations, seeds one issuer with ``--packs`` packs of 5 achievement steps each (an achievement
is a step of up to two packs; each achievement aligned to 2 of 300 CapX items) and a learner
with two claimed recipients holding active credentials of a third of the achievements, split
between them. Then times what the page computes, ``learner_packs.packs_on`` and
``learner_packs.suggestions``: median and worst of ``--rounds`` runs in milliseconds, one JSON
line. The database is dropped afterwards.

Usage: ``python bench/learner_packs.py [--packs P] [--rounds R] [--postgres URL]``
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

from pg_database import figures, fresh_database
from sqlalchemy import create_engine, insert, text
from sqlalchemy.orm import Session

from badgeservice.db.models import (
    Achievement,
    Credential,
    CredentialAlignment,
    Framework,
    FrameworkItem,
    Issuer,
    Pack,
    PackStep,
    RecipientClaim,
    User,
    UserIdentity,
)
from badgeservice.services import learner_packs

NOW = datetime(2026, 6, 1, tzinfo=UTC)
ITEMS, STEPS = 300, 5
WIKIDATA = "http://www.wikidata.org/entity/Q"


def _framework(session: Session) -> None:
    framework = Framework(
        key="capx", kind="capx", name="Capacity Exchange", title={"en": "CapX"},
        item_count=ITEMS, imported_at=NOW,
    )  # fmt: skip
    session.add(framework)
    session.flush()
    session.execute(
        insert(FrameworkItem),
        [{"id": uuid.uuid4(), "framework_id": framework.id, "code": f"Q{i}",
          "url": f"{WIKIDATA}{i}", "labels": {"en": f"S{i}"}, "descriptions": {},
          "position": i, "search": ""} for i in range(ITEMS)],
    )  # fmt: skip


def seed(session: Session, packs: int) -> User:
    _framework(session)
    issuer = Issuer(slug="bench", name="Bench", did="did:web:bench.example")
    session.add(issuer)
    session.flush()
    count = packs * STEPS // 2  # each achievement is a step of two packs
    achievements = [
        Achievement(
            issuer_id=issuer.id,
            default_language="en",
            name={"en": f"A{a}"},
            description={"en": "A"},
            criteria_narrative={"en": "A"},
            tags=[],
            alignments=[
                {"targetName": "S", "targetUrl": f"{WIKIDATA}{(a * 7 + k) % ITEMS}"}
                for k in (0, 150)
            ],
            result_descriptions=[],
        )
        for a in range(count)
    ]
    session.add_all(achievements)
    session.flush()
    for p in range(packs):
        pack = Pack(
            issuer_id=issuer.id, slug=f"p{p}", default_language="en", name={"en": f"P{p}"},
            description={}, audience="newcomer", groups=[],
        )  # fmt: skip
        session.add(pack)
        session.flush()
        steps = {(p * STEPS // 2 + s) % count for s in range(STEPS)}
        session.execute(
            insert(PackStep),
            [{"id": uuid.uuid4(), "pack_id": pack.id, "position": n, "kind": "achievement",
              "achievement_id": achievements[a].id, "title": {}, "required": True,
              "resources": []} for n, a in enumerate(sorted(steps))],
        )  # fmt: skip
    user = User(handle="learner", display_name="Learner")
    session.add(user)
    session.flush()
    lookups = [f"{n:064x}" for n in (1, 2)]
    for n, lookup in enumerate(lookups):
        identity = UserIdentity(user_id=user.id, kind="email", subject=f"s{n}", verified_at=NOW)
        session.add(identity)
        session.flush()
        session.add(RecipientClaim(user_id=user.id, identity_id=identity.id, lookup=lookup))
    credentials, alignments = [], []
    for a in range(0, count, 3):
        cid = uuid.uuid4()
        credentials.append(
            {"id": cid, "issuer_id": issuer.id, "achievement_id": achievements[a].id,
             "achievement_revision": 1, "format": "ldp", "document": "{}", "sha256": "0" * 64,
             "recipient_type": "email", "recipient_lookup": lookups[a % 2], "language": "en",
             "issued_at": NOW, "valid_from": NOW - timedelta(days=30)}
        )  # fmt: skip
        alignments += [{"credential_id": cid, "target_url": x["targetUrl"]}
                       for x in achievements[a].alignments]  # fmt: skip
    session.execute(insert(Credential), credentials)
    session.execute(insert(CredentialAlignment), alignments)
    session.commit()
    return user


def timed(rounds: int, work: object) -> dict[str, float]:
    runs = []
    for _ in range(rounds):
        began = time.monotonic()
        work()  # type: ignore[operator]
        runs.append((time.monotonic() - began) * 1000)
    return figures(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--packs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    with fresh_database(args.postgres, "bench_packs") as url:
        engine = create_engine(url)
        with Session(engine) as session:
            user = seed(session, args.packs)
            session.execute(text("ANALYZE"))
            on = learner_packs.packs_on(session, user, NOW)
            exclude = {p.pack.id for p in on}
            result = {
                "packs": args.packs,
                "packs_on": len(on),
                "suggested": len(learner_packs.suggestions(session, user, NOW, exclude=exclude)),
                "packs_on_ms": timed(
                    args.rounds, lambda: learner_packs.packs_on(session, user, NOW)
                ),
                "suggestions_ms": timed(
                    args.rounds,
                    lambda: learner_packs.suggestions(session, user, NOW, exclude=exclude),
                ),
            }
        engine.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
