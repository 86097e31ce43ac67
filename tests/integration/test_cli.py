"""The CLI against a real migrated database, with the same settings as the server."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from badgeservice.cli import app
from badgeservice.clock import SYSTEM_CLOCK
from badgeservice.db.engine import make_engine, make_session_factory
from badgeservice.db.models import ApiToken, Batch, Credential, Issuer, IssuerKey
from badgeservice.services import achievements, members
from badgeservice.services.auth import authenticate
from badgeservice.services.keystore import new_secret
from badgeservice.settings import Settings
from tests.factories import ACHIEVEMENT, TEST_SECRET_KEY, create_issuer
from tests.server import Server, running_server

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
        assert authenticate(session, secret, now=SYSTEM_CLOCK.now()).is_admin
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
        secret = token.output.strip().splitlines()[-1]
        principal = authenticate(session, secret, now=SYSTEM_CLOCK.now())
        assert not principal.is_admin
        issuer = session.scalar(select(Issuer).where(Issuer.slug == "cli-test"))
        assert issuer is not None
        session.delete(issuer)
        session.commit()
    engine.dispose()


def test_issuers_add_owner_makes_a_member_and_says_what_is_wrong(env: str) -> None:
    created = runner.invoke(app, ["issuers", "create", "--slug", "cli-staff", "--name", "Staff"])
    assert created.exit_code == 0, created.output
    added = runner.invoke(app, ["issuers", "add-owner", "cli-staff", "--username", "jane_doe"])
    assert added.exit_code == 0, added.output
    assert "Jane doe is now owner of cli-staff" in added.output
    again = runner.invoke(app, ["issuers", "add-owner", "cli-staff", "--username", "Jane doe"])
    assert again.exit_code == 1
    assert "already" in again.output
    bad = runner.invoke(app, ["issuers", "add-owner", "cli-staff", "--email", "not-an-address"])
    assert bad.exit_code == 1
    assert runner.invoke(app, ["issuers", "add-owner", "cli-staff"]).exit_code == 2
    both = ["issuers", "add-owner", "cli-staff", "--username", "A", "--email", "a@example.org"]
    assert runner.invoke(app, both).exit_code == 2
    engine = make_engine(env)
    with make_session_factory(engine)() as session:
        issuer = session.scalar(select(Issuer).where(Issuer.slug == "cli-staff"))
        assert issuer is not None
        assert [(m.label, m.role) for m in members.list_members(session, issuer)] == [
            ("Jane doe", "owner")
        ]
        session.delete(issuer)
        session.commit()
    engine.dispose()


def test_tokens_create_needs_exactly_one_owner(env: str) -> None:
    assert runner.invoke(app, ["tokens", "create"]).exit_code == 2


def test_keys_new_secret_is_a_valid_secret_key() -> None:
    result = runner.invoke(app, ["keys", "new-secret"])
    assert result.exit_code == 0
    assert Settings(secret_key=result.output.strip()).secret_key


@pytest.fixture
def issuer_and_achievement(env: str) -> tuple[str, str]:
    """(slug, achievement id) of a new issuer with ``ACHIEVEMENT`` (English and German)."""
    slug = f"cli-{uuid.uuid4().hex[:8]}"
    engine = make_engine(env)
    with make_session_factory(engine)() as session:
        issuer = create_issuer(session, slug=slug, name="CLI")
        fields = {k: v for k, v in ACHIEVEMENT.items() if k not in {"alignments"}}
        achievement = achievements.create_achievement(session, issuer, fields, actor="test")
        session.commit()
        achievement_id = str(achievement.id)
    engine.dispose()
    return slug, achievement_id


def stored(env: str, slug: str) -> tuple[list[Credential], list[Batch]]:
    """The credentials and batches of the issuer ``slug``."""
    engine = make_engine(env)
    with make_session_factory(engine)() as session:
        issuer = session.scalars(select(Issuer).where(Issuer.slug == slug)).one()
        credentials = session.scalars(
            select(Credential).where(Credential.issuer_id == issuer.id)
        ).all()
        found = session.scalars(select(Batch).where(Batch.issuer_id == issuer.id)).all()
        session.expunge_all()
    engine.dispose()
    return list(credentials), list(found)


def issue(
    tmp_path: Path, slug: str, achievement_id: str, rows: str, *options: str
) -> tuple[int, str]:
    csv = tmp_path / "people.csv"
    csv.write_text(f"name,email\n{rows}")
    args = ["issue", "--issuer", slug, "--achievement", achievement_id, "--csv", str(csv)]
    result = runner.invoke(app, [*args, *options])
    return result.exit_code, result.output


PEOPLE = "Ada,ada@example.org\nBad,nope\nGrace,grace@example.org\n"
BAD_ROW = (
    "row 2 was not issued: recipient email: 'nope' is not an email address (validation_failed)."
)


def test_issue_from_csv_exits_1_with_row_errors_and_credential_urls(
    env: str, tmp_path: Path, issuer_and_achievement: tuple[str, str]
) -> None:
    slug, achievement_id = issuer_and_achievement
    code, output = issue(tmp_path, slug, achievement_id, PEOPLE)
    assert code == 1, output
    assert "2 issued, 0 skipped, 1 not issued, 0 pending, of 3 rows" in output
    assert BAD_ROW in output
    credentials, _batches = stored(env, slug)
    assert sorted(c.recipient_name or "" for c in credentials) == ["Ada", "Grace"]
    for credential in credentials:
        assert f"issued, http://localhost:8000/credentials/{credential.id}" in output
    assert "ada@example.org" not in output


def test_issue_exits_0_when_every_row_is_issued(
    env: str, tmp_path: Path, issuer_and_achievement: tuple[str, str]
) -> None:
    slug, achievement_id = issuer_and_achievement
    code, output = issue(tmp_path, slug, achievement_id, "Ada,ada@example.org\n")
    assert code == 0, output
    assert "1 issued, 0 skipped, 0 not issued" in output


def test_issue_skip_existing_skips_holders_and_still_exits_0(
    env: str, tmp_path: Path, issuer_and_achievement: tuple[str, str]
) -> None:
    slug, achievement_id = issuer_and_achievement
    assert issue(tmp_path, slug, achievement_id, "Ada,ada@example.org\n")[0] == 0
    rows = "Ada,ada@example.org\nGrace,grace@example.org\n"
    code, output = issue(tmp_path, slug, achievement_id, rows, "--skip-existing", "--dry-run")
    assert code == 0, output
    assert "row 1 would be skipped: the recipient holds it." in output
    assert "row 2 would be issued to Grace (email)." in output
    code, output = issue(tmp_path, slug, achievement_id, rows, "--skip-existing")
    assert code == 0, output
    assert "1 issued, 1 skipped, 0 not issued" in output
    assert re.search(r"row 1: skipped, the recipient holds http://\S+/credentials/", output)
    credentials, _ = stored(env, slug)
    assert len(credentials) == 2  # Ada once, Grace once


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--format", "JWT"], "--format: Input should be 'ldp' or 'jwt'"),
        (["--format", "banana"], "--format: Input should be 'ldp' or 'jwt'"),
        (["--valid-until", "2030-01-01T00:00:00"], "valid_until needs a time zone (e.g. 'Z')"),
        (["--valid-until", "soon"], "--valid-until: Input should be a valid datetime"),
    ],
)
def test_issue_refuses_options_the_api_refuses(
    env: str,
    tmp_path: Path,
    issuer_and_achievement: tuple[str, str],
    options: list[str],
    message: str,
) -> None:
    slug, achievement_id = issuer_and_achievement
    code, output = issue(tmp_path, slug, achievement_id, PEOPLE, *options)
    assert code == 2, output
    assert message in output
    assert stored(env, slug) == ([], [])


def test_issue_options_reach_the_credentials(
    env: str, tmp_path: Path, issuer_and_achievement: tuple[str, str]
) -> None:
    slug, achievement_id = issuer_and_achievement
    options = ["--format", "jwt", "--language", "de", "--suspendable"]
    options += ["--valid-until", "2030-01-01T00:00:00Z"]
    code, output = issue(tmp_path, slug, achievement_id, "Ada,ada@example.org\n", *options)
    assert code == 0, output
    [credential], _batches = stored(env, slug)
    assert (credential.format, credential.language) == ("jwt", "de")
    assert credential.valid_until is not None
    assert credential.valid_until.replace(tzinfo=UTC) == datetime(2030, 1, 1, tzinfo=UTC)
    assert credential.jwt is not None
    status = json.loads(credential.document)["credentialStatus"]
    assert [entry["statusPurpose"] for entry in status] == ["revocation", "suspension"]
    assert "two credentialStatus entries" in output  # the API's warning, as a note


def test_issue_reports_the_service_error_of_every_row(
    env: str, tmp_path: Path, issuer_and_achievement: tuple[str, str]
) -> None:
    slug, achievement_id = issuer_and_achievement
    past = ["--valid-until", "2020-01-01T00:00:00Z"]
    code, output = issue(tmp_path, slug, achievement_id, "Ada,ada@example.org\n", *past)
    assert code == 1, output
    assert "row 1 was not issued:" in output
    assert "(validation_failed)." in output
    assert stored(env, slug)[0] == []


def test_issue_dry_run_checks_everything_and_issues_nothing(
    env: str, tmp_path: Path, issuer_and_achievement: tuple[str, str]
) -> None:
    slug, achievement_id = issuer_and_achievement
    code, output = issue(tmp_path, slug, achievement_id, PEOPLE, "--dry-run", "--language", "de")
    assert code == 1, output
    assert "row 1 would be issued to Ada (email)." in output
    assert BAD_ROW.replace("was not", "would not be") in output
    assert "dry run: 2 of 3 rows would be issued (format ldp, language de); nothing was issued" in (
        output
    )
    assert stored(env, slug) == ([], [])
    good = "Ada,ada@example.org\n"
    assert issue(tmp_path, slug, achievement_id, good, "--dry-run")[0] == 0
    # the issuing service's own rules run: an expiry before the issue time fails the row
    code, output = issue(
        tmp_path, slug, achievement_id, good, "--dry-run", "--valid-until", "2020-01-01T00:00:00Z"
    )
    assert code == 1, output
    assert "row 1 would not be issued: validUntil: validUntil must be after validFrom" in (output)
    assert stored(env, slug) == ([], [])


def test_batches_show_prints_each_row_and_the_api_json(
    env: str, tmp_path: Path, issuer_and_achievement: tuple[str, str]
) -> None:
    slug, achievement_id = issuer_and_achievement
    issue(tmp_path, slug, achievement_id, PEOPLE)
    credentials, [batch] = stored(env, slug)
    shown = runner.invoke(app, ["batches", "show", str(batch.id)])
    assert shown.exit_code == 0, shown.output
    summary = f"batch {batch.id} (finished): 2 issued, 0 skipped, 1 not issued, 0 pending"
    assert f"{summary}, of 3 rows" in shown.output
    assert BAD_ROW in shown.output
    as_json = runner.invoke(app, ["batches", "show", str(batch.id), "--json"])
    assert as_json.exit_code == 0, as_json.output
    report = json.loads(as_json.stdout)
    assert (report["done"], report["error"], report["finished"]) == (2, 1, True)
    urls = {item["credentialUrl"] for item in report["items"] if item["status"] == "done"}
    assert urls == {f"http://localhost:8000/credentials/{c.id}" for c in credentials}
    assert report["items"][1]["error"]["code"] == "validation_failed"
    missing = runner.invoke(app, ["batches", "show", str(uuid.uuid4())])
    assert missing.exit_code == 1
    assert "not found (not_found)." in missing.output


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_issuers_create_with_a_jwt_algorithm(env: str, algorithm: str) -> None:
    slug = f"cli-{uuid.uuid4().hex[:8]}"
    args = ["issuers", "create", "--slug", slug, "--name", "JWT", "--jwt-algorithm", algorithm]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    engine = make_engine(env)
    with make_session_factory(engine)() as session:
        issuer = session.scalars(select(Issuer).where(Issuer.slug == slug)).one()
        assert issuer.jwt_algorithm == algorithm
    engine.dispose()


def test_issuers_create_refuses_an_unknown_jwt_algorithm(env: str) -> None:
    args = ["issuers", "create", "--slug", "cli-hs", "--name", "JWT", "--jwt-algorithm", "HS256"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "error: jwtAlgorithm: Use one of ES256, RS256 (validation_failed)." in result.output


@pytest.fixture(scope="module")
def local_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, str]]:
    """A real server on ``localhost:<port>`` with an issuer; (server, token, achievement id)."""
    with running_server(tmp_path_factory.mktemp("server"), host="localhost") as server:
        server.cli("issuers", "create", "--slug", "local", "--name", "Local")
        token = server.cli("tokens", "create", "--issuer", "local").strip().splitlines()[-1]
        response = httpx.post(
            f"{server.base_url}/api/v1/issuers/local/achievements",
            json=ACHIEVEMENT,
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.text
        yield server, token, response.json()["id"]


@pytest.mark.parametrize("credential_format", ["ldp", "jwt"])
def test_vc_verify_file_of_a_local_server_resolves_its_did_web(
    local_server: tuple[Server, str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    credential_format: str,
) -> None:
    server, token, achievement_id = local_server
    body = {
        "achievementId": achievement_id,
        "recipient": {"email": "ada@example.org"},
        "format": credential_format,
    }
    issued = httpx.post(
        f"{server.base_url}/api/v1/issuers/local/credentials",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    path = tmp_path / "credential"
    path.write_text(issued["jwt"] or json.dumps(issued["credential"]))
    for name in ("ENVIRONMENT", "REMOTE_TRUSTED_ORIGINS"):  # the development defaults
        monkeypatch.delenv(f"BADGESERVICE_{name}", raising=False)
    # the server's own settings: its origin (that port only) is the one trusted
    monkeypatch.setenv("BADGESERVICE_BASE_URL", server.base_url)
    result = runner.invoke(app, ["vc", "verify", str(path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    outcomes = {check["id"]: check["outcome"] for check in report["checks"]}
    assert outcomes["proof"] == outcomes["issuer_key"] == outcomes["status"] == "passed"


def test_issue_refuses_a_csv_that_is_not_utf8(
    env: str, tmp_path: Path, issuer_and_achievement: tuple[str, str]
) -> None:
    slug, achievement_id = issuer_and_achievement
    csv = tmp_path / "latin1.csv"
    csv.write_bytes("name,email\nJosé,jose@example.org\n".encode("latin-1"))
    args = ["issue", "--issuer", slug, "--achievement", achievement_id, "--csv", str(csv)]
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "is not UTF-8 text; save the CSV as UTF-8." in result.output
    assert stored(env, slug) == ([], [])


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


def test_issue_from_csv_takes_a_wikimedia_username_column(
    env: str, tmp_path: Path, issuer_and_achievement: tuple[str, str]
) -> None:
    slug, achievement_id = issuer_and_achievement
    csv = tmp_path / "usernames.csv"
    csv.write_text("name,wikimedia_username\nAda,ada_lovelace\nBad,a|b\n")
    args = ["issue", "--issuer", slug, "--achievement", achievement_id, "--csv", str(csv)]
    dry = runner.invoke(app, [*args, "--dry-run"])
    assert "row 1 would be issued to Ada (wikimedia_username)." in dry.output, dry.output
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "1 issued, 0 skipped, 1 not issued" in result.output
    assert "lovelace" not in result.output.lower()
    credentials, _batches = stored(env, slug)
    assert [c.recipient_type for c in credentials] == ["wikimedia_username"]


def test_issue_takes_another_issuers_shared_skill_and_signs_it_itself(
    env: str, tmp_path: Path
) -> None:
    engine = make_engine(env)
    with make_session_factory(engine)() as session:
        definer = create_issuer(session, slug="cli-definer", name="Definer")
        create_issuer(session, slug="cli-other", name="Other")
        fields = {k: v for k, v in ACHIEVEMENT.items() if k not in {"alignments"}}
        shared = achievements.create_achievement(
            session,
            definer,
            fields | {"achievementType": "Competency", "shared": True},
            actor="test",
        )
        private = achievements.create_achievement(session, definer, fields, actor="test")
        session.commit()
        shared_id, private_id = str(shared.id), str(private.id)
    engine.dispose()
    code, output = issue(tmp_path, "cli-other", shared_id, "Ada,ada@example.org\n")
    assert code == 0, output
    [credential], _batches = stored(env, "cli-other")
    assert str(credential.achievement_id) == shared_id
    signed = json.loads(credential.document)
    assert signed["issuer"]["id"].endswith(":issuers:cli-other")
    assert signed["credentialSubject"]["achievement"]["creator"]["id"].endswith(
        ":issuers:cli-definer"
    )
    code, output = issue(tmp_path, "cli-other", private_id, "Ada,ada@example.org\n")
    assert code != 0
    assert f"Achievement {private_id} not found" in output  # unshared: the definer's only
    assert len(stored(env, "cli-other")[0]) == 1
