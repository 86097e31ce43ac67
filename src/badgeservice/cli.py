"""The ``badgeservice`` command line. Every command reads the same settings as the server."""

from __future__ import annotations

import signal
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from badgeservice import cli_batches
from badgeservice.cli_vc import vc_app
from badgeservice.clock import SystemClock
from badgeservice.db import migrations
from badgeservice.db.engine import make_engine, make_session_factory
from badgeservice.errors import ServiceError
from badgeservice.services import auth, frameworks, issuers, key_revocation, keys, members
from badgeservice.services.keystore import build_key_store, new_secret
from badgeservice.services.status_lists import ListSigner
from badgeservice.settings import ConfigurationError, Settings, load_settings
from badgeservice.worker import Worker, mail_sender

app = typer.Typer(help="Open Badges 3.0 issuing and verification service.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens.", no_args_is_help=True)
issuers_app = typer.Typer(help="Issuers (tenants).", no_args_is_help=True)
keys_app = typer.Typer(help="Signing keys and the key-encryption key.", no_args_is_help=True)
batches_app = typer.Typer(help="Bulk issuance batches.", no_args_is_help=True)
frameworks_app = typer.Typer(help="Skill frameworks (CapX, ESCO, CASE).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(tokens_app, name="tokens")
app.add_typer(issuers_app, name="issuers")
app.add_typer(keys_app, name="keys")
app.add_typer(batches_app, name="batches")
app.add_typer(frameworks_app, name="frameworks")
app.add_typer(vc_app, name="vc")


@contextmanager
def _session() -> Iterator[tuple[Session, Settings]]:
    settings = load_settings()
    engine = make_engine(settings.database_url)
    session = make_session_factory(engine)()
    try:
        migrations.check_schema_current(engine, settings.migrations_dir)
        yield session, settings
        session.commit()
    except ServiceError as exc:
        session.rollback()
        message = cli_batches.error_sentence(cli_batches.error_of(exc))
        typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
        raise typer.Exit(1) from exc
    finally:
        session.close()
        engine.dispose()


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the HTTP server (uvicorn)."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    settings = load_settings()
    build_key_store(settings)  # refuse a bad key-encryption key here, in one line
    config = uvicorn.Config(
        "badgeservice.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_config=None,
        log_level=settings.log_level.lower(),
    )
    if workers == 1:
        uvicorn.Server(config).run()
        return
    # uvicorn's shared listening socket is created with proto 0, so asyncio does not set
    # TCP_NODELAY on accepted connections and every keep-alive response waits ~40 ms for a
    # delayed ACK (uvicorn issue #3149). Accepted sockets inherit the option on Linux.
    sock = config.bind_socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    Multiprocess(config, sockets=[sock]).run()


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    settings = load_settings()
    migrations.upgrade(settings.database_url, revision, settings.migrations_dir)
    typer.echo(f"database at {revision}")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()] = "-1") -> None:
    """Revert migrations down to REVISION (default: one step; 'base' for an empty database)."""
    settings = load_settings()
    migrations.downgrade(settings.database_url, revision, settings.migrations_dir)
    typer.echo(f"database at {revision}")


@db_app.command("current")
def db_current() -> None:
    """Show the database's revision and the newest one."""
    settings = load_settings()
    engine = make_engine(settings.database_url)
    current = migrations.current_revisions(engine)
    engine.dispose()
    heads = migrations.head_revisions(settings.migrations_dir)
    typer.echo(
        f"current: {','.join(sorted(current)) or '(empty)'}  head: {','.join(sorted(heads))}"
    )


@tokens_app.command("create")
def tokens_create(
    admin: Annotated[bool, typer.Option("--admin", help="An admin token.")] = False,
    issuer: Annotated[
        str | None, typer.Option(help="Slug of the issuer the token acts for.")
    ] = None,
    scope: Annotated[
        list[str] | None, typer.Option(help="Issuer scope (repeat); all if none.")
    ] = None,
    name: Annotated[str, typer.Option(help="A label for the token.")] = "CLI token",
) -> None:
    """Create a token. The secret is printed once, as the last line."""
    if admin == (issuer is not None):
        typer.secho("error: give exactly one of --admin or --issuer SLUG", err=True)
        raise typer.Exit(2)
    with _session() as (session, _settings):
        owner = issuers.get_issuer(session, issuer) if issuer else None
        token, secret = auth.create_token(
            session, name=name, actor="cli", issuer=owner, scopes=scope
        )
        typer.echo(f"token {token.id} ({', '.join(token.scopes)}); store this secret now:")
        typer.echo(secret)


@tokens_app.command("revoke")
def tokens_revoke(token_id: uuid.UUID) -> None:
    """Revoke a token by its id."""
    with _session() as (session, _settings):
        auth.revoke_token(session, token_id, actor="cli", now=SystemClock().now())
        typer.echo(f"token {token_id} revoked")


@tokens_app.command("list")
def tokens_list(slug: str) -> None:
    """List an issuer's tokens: id, name, scopes, last use, state (never a secret)."""
    with _session() as (session, _settings):
        issuer = issuers.get_issuer(session, slug)
        rows, _total = auth.list_tokens(session, issuer, limit=1000, offset=0)
        for token in rows:
            used = token.last_used_at.isoformat() if token.last_used_at else "never used"
            state = "revoked" if token.revoked_at else "active"
            typer.echo(f"{token.id}  {token.name}  {','.join(token.scopes)}  {used}  {state}")


@issuers_app.command("create")
def issuers_create(
    slug: Annotated[str, typer.Option(help="URL and DID segment, e.g. 'wmde'.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    url: Annotated[str | None, typer.Option()] = None,
    email: Annotated[str | None, typer.Option()] = None,
    description: Annotated[str | None, typer.Option()] = None,
    image: Annotated[str | None, typer.Option()] = None,
    jwt_algorithm: Annotated[
        str, typer.Option(help="JWS algorithm of its VC-JWT credentials: ES256 or RS256.")
    ] = keys.DEFAULT_JWT_ALGORITHM,
) -> None:
    """Create an issuer."""
    with _session() as (session, settings):
        issuer = issuers.create_issuer(
            session,
            slug=slug,
            name=name,
            base_url=settings.base_url,
            actor="cli",
            key_store=build_key_store(settings),
            url=url,
            email=email,
            description=description,
            image=image,
            jwt_algorithm=jwt_algorithm,
        )
        typer.echo(f"issuer {issuer.slug} created: {issuer.did}")


@issuers_app.command("add-owner")
def issuers_add_owner(
    slug: str,
    username: Annotated[str | None, typer.Option(help="A Wikimedia username.")] = None,
    email: Annotated[str | None, typer.Option(help="An email address.")] = None,
    role: Annotated[str, typer.Option(help="owner, editor or viewer.")] = "owner",
) -> None:
    """Make whoever signs in with this Wikimedia account (or verifies this email) a member of
    the issuer: its first owner, who invites the others in the console."""
    if (username is None) == (email is None):
        typer.secho("error: give --username or --email (one of them)", err=True, fg="red")
        raise typer.Exit(2)
    kind, value = ("wikimedia", username) if username is not None else ("email", email)
    with _session() as (session, settings):
        issuer = issuers.get_issuer(session, slug)
        member = members.invite(
            session, issuer, kind=kind, value=value or "", role=role, actor="cli",
            key_store=build_key_store(settings),
        )  # fmt: skip
        typer.echo(f"{member.label} is now {member.role} of {issuer.slug}: sign in at /console")


@keys_app.command("new-secret")
def keys_new_secret() -> None:
    """Print a new key-encryption key for BADGESERVICE_SECRET_KEY (32 random bytes)."""
    typer.echo(new_secret())


@keys_app.command("revoke")
def keys_revoke(
    slug: str,
    key_id: Annotated[str, typer.Argument(help="The key's id as listed, e.g. key-1.")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit trail).")],
) -> None:
    """Revoke a signing key: what it signed no longer verifies. An active key is replaced."""
    with _session() as (session, settings):
        issuer = issuers.get_issuer(session, slug)
        now = SystemClock().now()
        signer = ListSigner(settings.base_url, build_key_store(settings), now)
        row = key_revocation.revoke_key(
            session, issuer, key_id, reason, signer, actor="cli", now=now
        )
        typer.echo(f"key {row.key_id} of {slug} revoked")


@app.command()
def worker(
    chunk: Annotated[int, typer.Option(help="Rows claimed per transaction.")] = 20,
    until_idle: Annotated[bool, typer.Option(help="Exit when nothing is pending.")] = False,
) -> None:
    """Issue pending batch rows and send due mail (run several of these with PostgreSQL)."""
    settings = load_settings()
    engine = make_engine(settings.database_url, pool_size=settings.database_pool_size)
    migrations.check_schema_current(engine, settings.migrations_dir)
    factory = make_session_factory(engine)
    clock = SystemClock()
    mail = mail_sender(factory, settings, clock)
    key_store = build_key_store(settings)
    runner = Worker(factory, settings.base_url, key_store, clock=clock, chunk=chunk, mail=mail)
    signal.signal(signal.SIGTERM, lambda *_: runner.stop())
    try:
        handled = runner.run(until_idle=until_idle)
    except KeyboardInterrupt:
        handled = 0
    finally:
        engine.dispose()
    typer.echo(f"worker stopped; {handled} rows and messages handled")


@app.command()
def issue(
    issuer: Annotated[str, typer.Option(help="Issuer slug.")],
    achievement: Annotated[uuid.UUID, typer.Option(help="Achievement id.")],
    csv: Annotated[Path, typer.Option(exists=True, dir_okay=False, help="CSV of recipients.")],
    valid_until: Annotated[
        str | None, typer.Option(help="Expiry, ISO 8601 with a time zone (…Z).")
    ] = None,
    credential_format: Annotated[str, typer.Option("--format", help="ldp or jwt.")] = "ldp",
    language: Annotated[
        str | None, typer.Option(help="Achievement language (default: its first).")
    ] = None,
    suspendable: Annotated[
        bool, typer.Option("--suspendable", help="Add a suspension status entry.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything, issue nothing.")
    ] = False,
    skip_existing: Annotated[
        bool,
        typer.Option(
            "--skip-existing", help="Skip recipients who hold an active credential of it."
        ),
    ] = False,
    notify: Annotated[
        bool, typer.Option(help='Mail each recipient (when mail is configured; README "Mail").')
    ] = True,
) -> None:
    """Issue an achievement to every row of a CSV (columns: name, email, did, url,
    wikimedia_username, evidence_url, narrative), with the API's rules and a progress bar;
    prints each row's credential URL or why it was not issued. Exit 0: all issued, 1: a row was
    not, 2: usage."""
    options = cli_batches.issue_options(credential_format, language, valid_until, suspendable)
    with _session() as (session, settings):
        code = cli_batches.issue_csv(
            session,
            settings,
            issuer_slug=issuer,
            achievement_id=achievement,
            text=cli_batches.read_csv(csv),
            options=options,
            dry_run=dry_run,
            clock=SystemClock(),
            skip_existing=skip_existing,
            notify=notify,
        )
    raise typer.Exit(code)


@batches_app.command("show")
def batches_show(
    batch_id: uuid.UUID,
    as_json: Annotated[bool, typer.Option("--json", help="The API's JSON instead.")] = False,
) -> None:
    """A batch's progress and each row's result: credential URL or error."""
    with _session() as (session, settings):
        cli_batches.show_batch(session, settings, batch_id, as_json=as_json)


def main() -> None:
    """The entry point: a configuration or schema problem is one line on stderr, not a
    traceback (which could quote a secret or a row)."""
    try:
        app()
    except (ConfigurationError, migrations.SchemaNotCurrentError) as exc:
        typer.secho(f"error: {exc}", err=True, fg=typer.colors.RED)
        raise SystemExit(2) from None
    except OperationalError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        typer.secho(f"error: the database is unavailable: {reason}", err=True, fg=typer.colors.RED)
        raise SystemExit(1) from None


def _framework_file(kind: str, path: Path) -> bytes | dict[str, bytes]:
    """The file's bytes; for ESCO a folder of its CSV files is read too."""
    if kind == "esco" and path.is_dir():
        return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*.csv"))}
    if not path.is_file():
        typer.secho(f"error: {path} is not a file", err=True, fg=typer.colors.RED)
        raise typer.Exit(2)
    if path.stat().st_size > frameworks.MAX_IMPORT_BYTES:
        typer.secho(f"error: {path} is larger than 64 MB", err=True, fg=typer.colors.RED)
        raise typer.Exit(2)
    return path.read_bytes()


@frameworks_app.command("import")
def frameworks_import(
    kind: Annotated[str, typer.Argument(help="capx, esco or case.")],
    file: Annotated[Path, typer.Argument(help="The file (ESCO: the zip or its folder).")],
    key: Annotated[str | None, typer.Option(help="The framework's key (default by kind).")] = None,
    version: Annotated[str | None, typer.Option(help="A version to record (ESCO).")] = None,
) -> None:
    """Import or re-import a framework: items keep their ids, missing ones are retired."""
    data = _framework_file(kind, file)
    with _session() as (session, _settings):
        framework = frameworks.import_framework(
            session, kind, data, now=SystemClock().now(), actor="cli", key=key, version=version
        )
        typer.echo(f"{framework.key}: {framework.item_count} items ({framework.name})")


@frameworks_app.command("list")
def frameworks_list() -> None:
    """The imported frameworks: key, kind, items, name."""
    with _session() as (session, _settings):
        for framework in frameworks.list_frameworks(session):
            typer.echo(
                f"{framework.key}\t{framework.kind}\t{framework.item_count}\t{framework.name}"
            )
