"""One Alembic history builds the same schema on SQLite and PostgreSQL, both ways."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, update

from badgeservice.db.base import Base
from badgeservice.db.engine import make_engine, make_session_factory
from badgeservice.db.migrations import downgrade, head_revisions, upgrade
from badgeservice.db.models import Batch, BatchItem, Credential, CredentialAlignment
from badgeservice.domain.recipient import identity_hash_matches
from badgeservice.services.achievements import create_achievement
from tests.factories import ACHIEVEMENT, create_issuer

TABLES = {
    "issuers",
    "issuer_keys",
    "api_tokens",
    "audit_events",
    "achievements",
    "images",
    "credentials",
    "status_lists",
    "status_allocations",
    "idempotency_keys",
    "batches",
    "batch_items",
    "endorsements",
}


def test_upgrade_downgrade_upgrade(backend: str, new_database: object) -> None:
    url = new_database(backend)  # type: ignore[operator]
    engine = make_engine(url)
    upgrade(url)
    assert set(inspect(engine).get_table_names()) >= TABLES
    downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(url)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()


def test_models_match_migrations(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert context.get_current_heads() == tuple(head_revisions())
        assert compare_metadata(context, Base.metadata) == []
    engine.dispose()


def test_upgrade_creates_the_sqlite_folder(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'nested' / 'badgeservice.db'}"
    upgrade(url)
    assert (tmp_path / "var" / "nested" / "badgeservice.db").is_file()


def test_0008_rewrites_stored_batch_emails(backend: str, new_database: object) -> None:
    """Rows stored before 0008 held emails in clear: pending ones keep only a salted hash to
    issue from, finished ones lose the email; the downgrade drops the warnings columns."""
    url = new_database(backend)  # type: ignore[operator]
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        issuer = create_issuer(session)
        achievement = create_achievement(session, issuer, ACHIEVEMENT, actor="test")
        batch = Batch(
            issuer_id=issuer.id, achievement_id=achievement.id, options={}, actor="t", total=3
        )
        session.add(batch)
        session.flush()
        for number, state in enumerate(["pending", "done", "error"], start=1):
            session.add(BatchItem(batch_id=batch.id, row_number=number, input={}, status=state))
        session.commit()
    downgrade(url, "0006")
    assert "warnings" not in {c["name"] for c in inspect(engine).get_columns("batch_items")}
    old = {"recipient": {"email": " Ada@Example.org", "name": "Ada"}, "narrative": "n"}
    with engine.begin() as connection:  # what 0004 to 0006 stored
        connection.execute(update(BatchItem.__table__).values(input=old))
    upgrade(url)
    with engine.connect() as connection:
        query = select(BatchItem.status, BatchItem.input).order_by(BatchItem.row_number)
        stored = {status: row for status, row in connection.execute(query)}
    pending = stored["pending"]["recipient"]
    assert identity_hash_matches(pending["identityHash"], "ada@example.org", pending["salt"])
    assert (pending["name"], stored["pending"]["narrative"]) == ("Ada", "n")
    assert stored["done"] == stored["error"] == {"recipient": {"name": "Ada"}, "narrative": "n"}
    assert "example.org" not in str(stored)
    downgrade(url, "0006")
    assert "warnings" not in {c["name"] for c in inspect(engine).get_columns("batches")}
    engine.dispose()


def test_0007_adds_the_key_revocation_reason_and_takes_it_back(
    backend: str, new_database: object
) -> None:
    url = new_database(backend)  # type: ignore[operator]
    engine = make_engine(url)

    def key_columns() -> set[str]:
        return {column["name"] for column in inspect(engine).get_columns("issuer_keys")}

    upgrade(url, "0007")
    assert {"revoked_at", "revocation_reason"} <= key_columns()
    assert "last_used_at" in {c["name"] for c in inspect(engine).get_columns("api_tokens")}
    downgrade(url, "0006")
    assert "revocation_reason" not in key_columns()
    assert "revoked_at" in key_columns()
    upgrade(url, "0007")
    assert "revocation_reason" in key_columns()
    engine.dispose()


def test_0015_fills_in_the_alignments_of_credentials_issued_before(
    backend: str, new_database: object
) -> None:
    """Credentials stored before 0015 get their ``credential_alignments`` rows from the signed
    document; a document without alignments, or not JSON, gets none and stops nothing."""
    url = new_database(backend)  # type: ignore[operator]
    upgrade(url)
    engine = make_engine(url)
    esco = "http://data.europa.eu/esco/skill/0a1b"
    qid = "http://www.wikidata.org/entity/Q42"
    aligned = {"credentialSubject": {"achievement": {"alignment": [
        {"targetUrl": esco}, {"targetUrl": qid}, {"targetUrl": esco}, {"targetName": "no url"},
    ]}}}  # fmt: skip
    documents = [json.dumps(aligned), json.dumps({"credentialSubject": {}}), "not json"]
    when = datetime(2026, 1, 1, tzinfo=UTC)
    with make_session_factory(engine)() as session:
        issuer = create_issuer(session)
        achievement = create_achievement(session, issuer, ACHIEVEMENT, actor="test")
        session.commit()
        ids = [uuid.uuid4() for _ in documents]
        rows = [
            {
                "id": credential_id, "issuer_id": issuer.id, "achievement_id": achievement.id,
                "achievement_revision": 1, "format": "ldp", "document": document,
                "sha256": "0" * 64, "recipient_type": "email", "language": "en",
                "issued_at": when, "valid_from": when,
            }
            for credential_id, document in zip(ids, documents, strict=True)
        ]  # fmt: skip
    downgrade(url, "0014")
    with engine.begin() as connection:  # 0015 left the credentials table as it was
        connection.execute(Credential.__table__.insert(), rows)
    upgrade(url)
    with engine.connect() as connection:
        stored = connection.execute(select(CredentialAlignment.__table__)).all()
    assert sorted((row.credential_id, row.target_url) for row in stored) == sorted(
        [(ids[0], esco), (ids[0], qid)]
    )
    engine.dispose()
