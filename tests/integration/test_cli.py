"""The CLI against a real migrated database, with the same settings as the server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from badgeservice.cli import app
from badgeservice.db.engine import make_engine, make_session_factory
from badgeservice.db.models import ApiToken, Credential, Issuer
from badgeservice.services import achievements
from badgeservice.services.auth import authenticate
from badgeservice.services.keystore import new_secret
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


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``badgeservice ARGS`` as a user runs it (its own process, the real entry point)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BADGESERVICE_")}
    command = [sys.executable, "-m", "badgeservice", *args]
    return subprocess.run(
        command, env=environment | env, capture_output=True, text=True, timeout=60
    )


SECRET_LOOKALIKE = "s3cr3t-value-that-must-not-be-printed"


@pytest.mark.parametrize(
    ("args", "env", "setting"),
    [
        (["tokens", "create", "--admin"], {"SECRET_KEY": SECRET_LOOKALIKE}, "SECRET_KEY"),
        (["serve"], {"SECRET_KEY": SECRET_LOOKALIKE}, "SECRET_KEY"),
        (["db", "upgrade"], {"ENVIRONMENT": "staging"}, "ENVIRONMENT"),
        (["serve"], {"BASE_URL": "http://127.0.0.1:8000"}, "BASE_URL"),
        (["serve"], {"ENVIRONMENT": "production"}, "BASE_URL"),
    ],
)
def test_configuration_error_is_one_line_without_the_secret(
    tmp_path: Path, args: list[str], env: dict[str, str], setting: str
) -> None:
    settings = {f"BADGESERVICE_{k}": v for k, v in env.items()}
    database = f"sqlite:///{tmp_path / 'never.db'}"
    done = run_cli(*args, BADGESERVICE_DATABASE_URL=database, **settings)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"error: BADGESERVICE_{setting}: ")
    assert done.stderr.count("\n") == 1, done.stderr
    assert SECRET_LOOKALIKE not in done.stderr


def test_serve_refuses_a_master_key_others_can_read(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    (keys / "master.key").write_text(new_secret() + "\n")
    (keys / "master.key").chmod(0o644)
    done = run_cli(
        "serve",
        BADGESERVICE_KEYS_DIR=str(keys),
        BADGESERVICE_DATABASE_URL=f"sqlite:///{tmp_path / 'never.db'}",
    )
    assert done.returncode == 2
    path = keys / "master.key"
    assert done.stderr == (
        f"error: {path} is readable by other users than its owner; run `chmod 600 {path}`\n"
    )


@pytest.mark.parametrize("args", [["tokens", "create", "--admin"], ["worker", "--until-idle"]])
def test_cli_on_an_unmigrated_database_says_run_db_upgrade(
    backend: str, new_database: object, args: list[str]
) -> None:
    url = new_database(backend)  # type: ignore[operator]
    done = run_cli(*args, BADGESERVICE_DATABASE_URL=url, BADGESERVICE_SECRET_KEY=TEST_SECRET_KEY)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("error: the database has no schema yet (newest: ")
    assert done.stderr.endswith("); run `badgeservice db upgrade`\n")
    assert done.stderr.count("\n") == 1
