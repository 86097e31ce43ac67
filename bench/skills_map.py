"""The skills map's gap-map query on PostgreSQL over N credentials with alignments.

Makes a fresh database on the server of ``--postgres`` (default: the tests' server), runs the
migrations, seeds ``N`` credentials of 20 issuers (each aligned to 1-3 of 300 CapX items,
10% revoked, some recipients claimed by accounts, some opted out), 40 wanted skills per issuer,
then times ``services.skills_map.skills_map`` for the deployment and for one issuer, and the
deployment's counting statement alone in PostgreSQL's form and in SQLite's: median and worst
of ``--rounds`` runs in milliseconds, one JSON line. ``--explain`` prints the plan.
The database is dropped afterwards.

Usage: ``python bench/skills_map.py [N] [--rounds R] [--postgres URL] [--explain]``
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from datetime import UTC, datetime, timedelta

from pg_database import figures, fresh_database
from sqlalchemy import create_engine, insert, select, text
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
    WantedSkill,
)
from badgeservice.services import skills_map

NOW = datetime(2026, 6, 1, tzinfo=UTC)
ITEMS, ISSUERS, CHUNK = 300, 20, 5000


def seed(session: Session, n: int) -> None:
    framework = Framework(
        key="capx", kind="capx", name="Capacity Exchange", title={"en": "CapX"},
        item_count=ITEMS, imported_at=NOW,
    )  # fmt: skip
    session.add(framework)
    session.flush()
    items = [uuid.uuid4() for _ in range(ITEMS)]
    session.execute(
        insert(FrameworkItem),
        [
            {"id": items[i], "framework_id": framework.id, "code": f"Q{1000 + i}",
             "url": f"http://www.wikidata.org/entity/Q{1000 + i}", "labels": {"en": f"S{i}"},
             "descriptions": {}, "position": i, "search": ""}
            for i in range(ITEMS)
        ],
    )  # fmt: skip
    issuers = []
    for k in range(ISSUERS):
        issuer = Issuer(slug=f"bench{k}", name=f"Bench {k}", did=f"did:web:bench{k}.example")
        session.add(issuer)
        issuers.append(issuer)
    session.flush()
    achievements = []
    for issuer in issuers:
        for j in range(10):
            row = Achievement(
                issuer_id=issuer.id, default_language="en", name={"en": "A"},
                description={"en": "A"}, criteria_narrative={"en": "A"}, tags=[],
                alignments=[], result_descriptions=[],
            )  # fmt: skip
            session.add(row)
            achievements.append((issuer.id, row, j))
        session.execute(
            insert(WantedSkill),
            [{"id": uuid.uuid4(), "issuer_id": issuer.id, "item_id": items[(i * 7) % ITEMS]}
             for i in range(40)],
        )  # fmt: skip
    session.flush()
    users = []
    for u in range(2000):
        user = User(id=uuid.uuid4(), handle=f"b{u}", display_name="B",
                    skills_map_excluded=u % 20 == 0)  # fmt: skip
        users.append(user)
    session.add_all(users)
    session.flush()
    for u, user in enumerate(users):
        identity = UserIdentity(user_id=user.id, kind="email", subject=f"s{u}", verified_at=NOW)
        session.add(identity)
        session.flush()
        session.add(RecipientClaim(user_id=user.id, identity_id=identity.id, lookup=f"{u:064x}"))
    session.flush()
    for start in range(0, n, CHUNK):
        credentials, alignments = [], []
        for i in range(start, min(n, start + CHUNK)):
            issuer_id, achievement, j = achievements[i % len(achievements)]
            cid = uuid.uuid4()
            credentials.append(
                {"id": cid, "issuer_id": issuer_id, "achievement_id": achievement.id,
                 "achievement_revision": 1, "format": "ldp", "document": "{}",
                 "sha256": "0" * 64, "recipient_type": "email",
                 "recipient_lookup": f"{(i * 31) % 60000:064x}",
                 "language": ("en", "de", "fr", "es", "pt")[i % 5], "issued_at": NOW,
                 "valid_from": NOW - timedelta(days=30),
                 "revoked_at": NOW if i % 10 == 0 else None}
            )  # fmt: skip
            for a in range(1 + i % 3):
                item = (j * 29 + a * 101 + i % 7) % ITEMS
                alignments.append(
                    {"credential_id": cid,
                     "target_url": f"http://www.wikidata.org/entity/Q{1000 + item}"}
                )  # fmt: skip
        session.execute(insert(Credential), credentials)
        session.execute(insert(CredentialAlignment), alignments)
    session.commit()


def timed(session: Session, issuer: Issuer | None, rounds: int) -> dict[str, float]:
    runs = []
    for _ in range(rounds):
        began = time.monotonic()
        skills_map.skills_map(session, issuer, now=NOW, threshold=5)
        runs.append((time.monotonic() - began) * 1000)
    return figures(runs)


def timed_forms(session: Session, rounds: int) -> dict[str, dict[str, float]]:
    """The deployment's counting statement alone in both forms, alternated so that the
    machine's noise falls on both: GROUPING SETS (what PostgreSQL runs) and the UNION ALL
    (SQLite's form)."""
    runs: dict[str, list[float]] = {"grouping_sets": [], "union_all": []}
    for _ in range(rounds):
        for form, grouping_sets in (("grouping_sets", True), ("union_all", False)):
            began = time.monotonic()
            session.execute(skills_map.held_query(None, NOW, grouping_sets=grouping_sets)).all()
            runs[form].append((time.monotonic() - began) * 1000)
    return {form: figures(values) for form, values in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    with fresh_database(args.postgres, "bench_skills") as url:
        engine = create_engine(url)
        with Session(engine) as session:
            began = time.monotonic()
            seed(session, args.n)
            seeded = time.monotonic() - began
            session.execute(text("ANALYZE"))
            if args.explain:
                held = skills_map.held_query(None, NOW, grouping_sets=True)
                compiled = held.compile(engine, compile_kwargs={"literal_binds": True})
                for (line,) in session.execute(text(f"EXPLAIN ANALYZE {compiled}")):
                    print(line)
            one = session.scalars(select(Issuer).where(Issuer.slug == "bench0")).one()
            result = {
                "credentials": args.n,
                "seed_s": round(seeded, 1),
                "deployment": timed(session, None, args.rounds),
                "one_issuer": timed(session, one, args.rounds),
                "deployment_statement": timed_forms(session, args.rounds),
            }
        engine.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
