"""What the database layer leaves behind: no SQL parameters in errors and logs, private files."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from badgeservice.db.engine import make_engine
from badgeservice.db.migrations import upgrade

EMAIL = "learner.private@example.org"


def test_sql_errors_never_carry_their_parameters(database_url: str) -> None:
    engine = make_engine(database_url)
    with pytest.raises(DBAPIError) as failed, engine.connect() as connection:
        connection.execute(text("SELECT * FROM no_such_table WHERE email = :e"), {"e": EMAIL})
    engine.dispose()
    assert EMAIL not in str(failed.value)


def test_sqlite_files_we_create_are_the_owners_only(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'fresh.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("SELECT count(*) FROM issuers"))
        files = sorted((tmp_path / "var").iterdir())
        assert [f.name for f in files] == ["fresh.db", "fresh.db-shm", "fresh.db-wal"]
        modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in files}
    engine.dispose()
    assert modes == dict.fromkeys(modes, 0o600)
