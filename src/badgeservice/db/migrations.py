"""Running the Alembic history from code (CLI, readiness probe, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from badgeservice.db.engine import normalize_database_url, prepare_sqlite_file

_SOURCE_MIGRATIONS = Path(__file__).resolve().parents[3] / "migrations"


def find_migrations_dir(configured: Path | None = None) -> Path:
    for candidate in (configured, _SOURCE_MIGRATIONS, Path.cwd() / "migrations"):
        if candidate is not None and (candidate / "env.py").is_file():
            return candidate
    raise FileNotFoundError("migrations directory not found; set BADGESERVICE_MIGRATIONS_DIR")


def alembic_config(database_url: str, migrations_dir: Path | None = None) -> Config:
    prepare_sqlite_file(database_url)
    config = Config()
    config.set_main_option("script_location", str(find_migrations_dir(migrations_dir)))
    # ConfigParser interpolation: escape '%' in passwords.
    url = normalize_database_url(database_url).replace("%", "%%")
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(database_url: str, revision: str = "head", migrations_dir: Path | None = None) -> None:
    command.upgrade(alembic_config(database_url, migrations_dir), revision)


def downgrade(database_url: str, revision: str = "-1", migrations_dir: Path | None = None) -> None:
    command.downgrade(alembic_config(database_url, migrations_dir), revision)


def head_revisions(migrations_dir: Path | None = None) -> set[str]:
    config = Config()
    config.set_main_option("script_location", str(find_migrations_dir(migrations_dir)))
    return set(ScriptDirectory.from_config(config).get_heads())


class SchemaNotCurrentError(Exception):
    """The database's schema is not at the newest migration (the message is one line)."""


def check_schema_current(engine: Engine, migrations_dir: Path | None = None) -> None:
    """Raise ``SchemaNotCurrentError`` unless the database is at the newest migration."""
    current, heads = current_revisions(engine), head_revisions(migrations_dir)
    if current == heads:
        return
    found = f"is at revision {', '.join(sorted(current))}" if current else "has no schema yet"
    raise SchemaNotCurrentError(
        f"the database {found} (newest: {', '.join(sorted(heads))}); run `badgeservice db upgrade`"
    )


def current_revisions(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())
