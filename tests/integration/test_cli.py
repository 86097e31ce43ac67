"""The CLI against a real migrated database, with the same settings as the server."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from badgeservice.cli import app
from badgeservice.db.engine import make_engine, make_session_factory
from badgeservice.db.models import ApiToken, Credential, Issuer, IssuerKey
from badgeservice.services import achievements
from badgeservice.services.auth import authenticate
from badgeservice.settings import Settings
from tests.factories import ACHIEVEMENT, TEST_SECRET_KEY

runner = CliRunner()


@pytest.fixture
def env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BADGESERVICE_DATABASE_URL", database_url)
    monkeypatch.setenv("BADGESERVICE_SECRET_KEY", TEST_SECRET_KEY)
    return database_url


def test_tokens_create_admin_prints_token_last(env: str) -> None:
    result = runner.invoke(app, ["tokens", "create", "--admin"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    engine = make_engine(env)
    with make_session_factory(engine)() as session:
        assert authenticate(session, secret).is_admin
        token = session.scalar(select(ApiToken).where(ApiToken.prefix == secret[:12]))
        assert token is not None
        session.delete(token)
        session.commit()
    engine.dispose()


def test_issuers_create_then_issuer_token(env: str) -> None:
    created = runner.invoke(app, ["issuers", "create", "--slug", "cli-test", "--name", "CLI"])
    assert created.exit_code == 0, created.output
    assert "did:web:localhost%3A8000:issuers:cli-test" in created.output
    again = runner.invoke(app, ["issuers", "create", "--slug", "cli-test", "--name", "CLI"])
    assert again.exit_code == 1
    assert "slug_taken" in again.output
    token = runner.invoke(app, ["tokens", "create", "--issuer", "cli-test"])
    assert token.exit_code == 0, token.output
    engine = make_engine(env)
    with make_session_factory(engine)() as session:
        principal = authenticate(session, token.output.strip().splitlines()[-1])
        assert not principal.is_admin
        issuer = session.scalar(select(Issuer).where(Issuer.slug == "cli-test"))
        assert issuer is not None
        session.delete(issuer)
        session.commit()
    engine.dispose()


def test_tokens_create_needs_exactly_one_owner(env: str) -> None:
    assert runner.invoke(app, ["tokens", "create"]).exit_code == 2


def test_keys_new_secret_is_a_valid_secret_key() -> None:
    result = runner.invoke(app, ["keys", "new-secret"])
    assert result.exit_code == 0
    assert Settings(secret_key=result.output.strip()).secret_key


def test_issue_from_csv_with_progress(env: str, tmp_path: Path) -> None:
    runner.invoke(app, ["issuers", "create", "--slug", "csv-test", "--name", "CSV"])
    engine = make_engine(env)
    factory = make_session_factory(engine)
    with factory() as session:
        issuer = session.scalar(select(Issuer).where(Issuer.slug == "csv-test"))
        assert issuer is not None
        fields = {
            k: v for k, v in ACHIEVEMENT.items() if k not in {"alignments", "achievementType"}
        }
        achievement = achievements.create_achievement(
            session, issuer, {**fields, "criteria": {"narrative": {"en": "x"}}}, actor="test"
        )
        session.commit()
        achievement_id = str(achievement.id)
    csv = tmp_path / "people.csv"
    csv.write_text("name,email\nAda,ada@example.org\nBad,nope\nGrace,grace@example.org\n")
    args = ["issue", "--issuer", "csv-test", "--achievement", achievement_id, "--csv", str(csv)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2 issued, 1 not issued" in result.output
    assert "row 2: validation_failed" in result.output
    with factory() as session:
        stored = session.scalars(select(Credential).where(Credential.issuer_id == issuer.id)).all()
        assert sorted(c.recipient_name or "" for c in stored) == ["Ada", "Grace"]
        session.delete(session.get_one(Issuer, issuer.id))
        session.commit()
    engine.dispose()


def test_tokens_list_and_keys_revoke(env: str) -> None:
    created = runner.invoke(app, ["issuers", "create", "--slug", "cli-keys", "--name", "CLI"])
    assert created.exit_code == 0, created.output
    made = runner.invoke(app, ["tokens", "create", "--issuer", "cli-keys", "--name", "ops"])
    secret = made.output.strip().splitlines()[-1]
    listed = runner.invoke(app, ["tokens", "list", "cli-keys"])
    assert listed.exit_code == 0, listed.output
    (line,) = listed.output.strip().splitlines()
    assert "  ops  " in line
    assert line.endswith("never used  active")
    assert secret not in listed.output
    revoked = runner.invoke(app, ["keys", "revoke", "cli-keys", "key-1", "--reason", "lost"])
    assert revoked.exit_code == 0, revoked.output
    assert "key key-1 of cli-keys revoked" in revoked.output
    unknown = runner.invoke(app, ["keys", "revoke", "cli-keys", "key-9", "--reason", "lost"])
    assert unknown.exit_code == 1
    assert "not_found" in unknown.output
    engine = make_engine(env)
    with make_session_factory(engine)() as session:
        issuer = session.scalar(select(Issuer).where(Issuer.slug == "cli-keys"))
        assert issuer is not None
        rows = {k.key_id: k for k in session.scalars(select(IssuerKey))}
        assert rows["key-1"].status == "revoked"
        assert rows["key-1"].revocation_reason == "lost"
        assert any(k.status == "active" and k.purpose == "data_integrity" for k in rows.values())
        session.delete(issuer)
        session.commit()
    engine.dispose()
