"""The integration tests' watch for a write after a read in a DEFERRED SQLite transaction
(``tests/sqlite_writes.py``) sees that pattern, and only that; and SQLite does refuse such a
write at once when another connection committed in between, the failure it guards against."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from badgeservice.db.engine import make_engine, make_session_factory
from tests.sqlite_writes import watch


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'watched.db'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    yield engine
    engine.dispose()


def test_a_write_after_a_read_in_a_deferred_transaction_is_seen(engine: Engine) -> None:
    found = watch(engine)
    reads = make_session_factory(engine, for_reads=True)
    with reads() as session:
        session.execute(text("SELECT x FROM t")).all()
        session.execute(text("UPDATE t SET x = 2"))
        session.commit()
    assert found == ["UPDATE t SET x = 2"]


def test_immediate_and_write_first_transactions_are_not(engine: Engine) -> None:
    found = watch(engine)
    with make_session_factory(engine)() as session:  # IMMEDIATE: reads, then writes
        session.execute(text("SELECT x FROM t")).all()
        session.execute(text("UPDATE t SET x = 3"))
        session.commit()
    with make_session_factory(engine, for_reads=True)() as session:  # DEFERRED, the write first
        session.execute(text("UPDATE t SET x = 4"))
        session.commit()
    assert found == []


def test_sqlite_refuses_that_write_when_another_writer_committed_between(engine: Engine) -> None:
    reads, writes = make_session_factory(engine, for_reads=True), make_session_factory(engine)
    with reads() as reader:
        reader.execute(text("SELECT x FROM t")).all()
        with writes() as other:
            other.execute(text("INSERT INTO t VALUES (5)"))
            other.commit()
        with pytest.raises(OperationalError, match="database is locked"):
            reader.execute(text("UPDATE t SET x = 6"))


def test_sqlite_refuses_it_while_another_transaction_holds_the_lock_writing_nothing(
    engine: Engine,
) -> None:
    """An idle worker's chunk (BEGIN IMMEDIATE, nothing pending, COMMIT) is enough."""
    reads, writes = make_session_factory(engine, for_reads=True), make_session_factory(engine)
    with reads() as reader, writes() as idle:
        reader.execute(text("SELECT x FROM t")).all()
        idle.execute(text("SELECT x FROM t")).all()  # IMMEDIATE: holds the write lock
        with pytest.raises(OperationalError, match="database is locked"):
            reader.execute(text("UPDATE t SET x = 7"))
