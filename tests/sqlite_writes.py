"""A watch on the app's SQLite engine: a write (INSERT, UPDATE, DELETE) in a transaction that
began ``DEFERRED`` and read first. SQLite refuses that write at once with "database is locked"
when another connection committed since the first read (the busy timeout does not apply), so
under concurrency it fails at random. Whatever reads and then writes begins ``IMMEDIATE``
(``db/engine.py``), waiting its turn for the lock; a DEFERRED one whose first statement is the
write waits its turn too.

See: https://www.sqlite.org/lang_transaction.html#deferred_immediate_and_exclusive_transactions
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event

WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
STATE = "badgeservice_transaction"


def watch(engine: Engine) -> list[str]:
    """Starts watching ``engine`` (SQLite only); the list it fills with each such write."""
    found: list[str] = []
    if engine.dialect.name != "sqlite":
        return found

    @event.listens_for(engine, "before_cursor_execute")
    def _seen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        words = statement.lstrip().split(None, 2)
        first = words[0].upper() if words else ""
        if first == "BEGIN":  # a DEFERRED one takes no snapshot until its first statement
            conn.info[STATE] = "deferred" if words[1:2] in ([], ["DEFERRED"]) else "immediate"
        elif first == "SELECT" and conn.info.get(STATE) == "deferred":
            conn.info[STATE] = "read"  # its snapshot is taken: a later write may find it stale
        elif first in WRITES and conn.info.get(STATE) == "read":
            found.append(" ".join(statement.split())[:120])

    return found
