"""Engines and sessions for SQLite (embedded default) and PostgreSQL (production).

SQLite (DESIGN.md §5): WAL journal, so readers never wait for the writer; a unit of work that
may write begins ``IMMEDIATE`` (it takes the one write lock up front, waiting up to the busy
timeout), a unit of work that only reads (a GET request) begins ``DEFERRED`` and takes no lock.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

# Execution option naming how an SQLite transaction begins: "IMMEDIATE" or "DEFERRED".
SQLITE_BEGIN = "badgeservice_sqlite_begin"
DEFAULT_BUSY_TIMEOUT = 30.0


def normalize_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in {"postgresql", "postgres"}:
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _sqlite_configurer(busy_timeout: float) -> Any:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, begin transactions, so SAVEPOINTs nest inside them.
        # See: https://docs.sqlalchemy.org/en/20/dialects/sqlite.html#serializable-isolation-savepoints-transactional-ddl
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # See: https://www.sqlite.org/wal.html (readers and the writer do not block each other)
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.close()

    return configure


def _begin_sqlite(connection: Any) -> None:
    # A deferred transaction that read first and writes later fails at once with "database is
    # locked" when another writer committed meanwhile (its snapshot is stale): so whatever may
    # write begins IMMEDIATE, and only pure reads begin DEFERRED.
    # See: https://www.sqlite.org/lang_transaction.html#deferred_immediate_and_exclusive_transactions
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
    connection.exec_driver_sql(f"BEGIN {mode}")


def prepare_sqlite_file(url: str) -> None:
    """Create the folder of an SQLite file (``./var`` in the embedded mode) and the file itself,
    readable by its owner only (SQLite gives its -wal and -shm files the same mode)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(parsed.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def make_engine(
    url: str,
    *,
    pool_size: int = 5,
    sqlite_immediate: bool = True,
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
) -> Engine:
    """An engine for ``url``; SQL parameters (emails, token hashes) never reach a log.
    ``sqlite_immediate=False`` makes every SQLite transaction DEFERRED (tools and tests that
    only look); ``busy_timeout`` is how long an SQLite writer waits for the write lock."""
    url = normalize_database_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        prepare_sqlite_file(url)
        begin = "IMMEDIATE" if sqlite_immediate else "DEFERRED"
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            hide_parameters=True,
            execution_options={SQLITE_BEGIN: begin},
        )
        event.listen(engine, "connect", _sqlite_configurer(busy_timeout))
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        hide_parameters=True,
    )


def make_session_factory(engine: Engine, *, for_reads: bool = False) -> sessionmaker[Session]:
    """Sessions on ``engine``; ``for_reads=True`` for units of work that only read (GET
    requests): on SQLite they begin DEFERRED and never wait for the writer."""
    bind = engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"}) if for_reads else engine
    return sessionmaker(bind, expire_on_commit=False)
