"""What the PostgreSQL benchmarks share: a fresh, migrated database for one run (dropped
afterwards, whatever happens) and the figures they print of a list of timings."""

from __future__ import annotations

import statistics
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from badgeservice.db.engine import normalize_database_url
from badgeservice.db.migrations import upgrade


@contextmanager
def fresh_database(server_url: str, prefix: str) -> Iterator[str]:
    """The URL of a new database ``{prefix}_…`` on the server of ``server_url``, migrated."""
    admin = create_engine(normalize_database_url(server_url), isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalize_database_url(server_url)).set(database=name)
    try:
        url_text = url.render_as_string(hide_password=False)
        upgrade(url_text)
        yield url_text
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def figures(runs_ms: list[float]) -> dict[str, float]:
    """Median and worst of the runs, in milliseconds."""
    return {"median_ms": round(statistics.median(runs_ms), 1), "worst_ms": round(max(runs_ms), 1)}
