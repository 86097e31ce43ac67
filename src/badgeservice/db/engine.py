"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def normalize_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, begin transactions, so SAVEPOINTs nest inside them.
    # See: https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#serializable-isolation-savepoints-transactional-ddl
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _begin_sqlite_immediate(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front: a deferred transaction that read first and
    # writes later fails with "database is locked" when another writer committed meanwhile.
    # SQLite thus runs one transaction at a time; the busy timeout makes the others wait.
    # PostgreSQL is the choice for concurrency.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _begin_sqlite_deferred(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def ensure_sqlite_directory(url: str) -> None:
    """Create the folder of an SQLite file (``./var`` in the embedded mode) if missing."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def make_engine(url: str, *, pool_size: int = 5, sqlite_immediate: bool = True) -> Engine:
    """An engine for ``url``. ``sqlite_immediate=False`` is for read-mostly tools (tests that
    inspect the database) that must not hold SQLite's write lock while they look."""
    url = normalize_database_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        ensure_sqlite_directory(url)
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _configure_sqlite)
        begin = _begin_sqlite_immediate if sqlite_immediate else _begin_sqlite_deferred
        event.listen(engine, "begin", begin)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
