"""The batch worker: claims pending rows from the database and issues them.

Run as many as you like (``badgeservice worker``); PostgreSQL hands each row to one of them.
In the embedded SQLite mode the server runs one in a background thread. The worker owns its
transactions: one per chunk of rows, committed here (services never commit). When idle it
re-signs status lists whose stored copy is behind their bits (left so by older releases).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from badgeservice.clock import Clock
from badgeservice.services.batches import process_pending, row_issuer
from badgeservice.services.keystore import KeyStore
from badgeservice.services.status_lists import ListSigner, publish_stale

log = logging.getLogger(__name__)


class Worker:
    def __init__(
        self,
        factory: sessionmaker[Session],
        base_url: str,
        key_store: KeyStore,
        *,
        clock: Clock,
        chunk: int = 20,
        idle_sleep: float = 1.0,
    ) -> None:
        self._factory = factory
        self._issue_row = row_issuer(base_url, key_store)
        self._clock = clock
        self._base_url, self._key_store = base_url, key_store
        self.chunk = chunk
        self._idle_sleep = idle_sleep
        self.stopping = threading.Event()

    def run_once(self) -> int:
        """Process one chunk in one transaction; the number of rows handled (0 when nothing
        is pending)."""
        with self._factory() as session:
            handled = process_pending(session, self._issue_row, self._clock, limit=self.chunk)
            session.commit()
        return handled

    def publish_stale(self) -> int:
        """Re-sign stale status lists in a transaction of their own; how many."""
        signer = ListSigner(self._base_url, self._key_store, self._clock.now())
        with self._factory() as session:
            signed = publish_stale(session, signer)
            session.commit()
        return signed

    def run(self, *, until_idle: bool = False) -> int:
        """Loop until stopped (or, with ``until_idle``, until no row is pending)."""
        total = 0
        while not self.stopping.is_set():
            try:
                handled = self.run_once()
            except Exception:  # a database hiccup must not kill the worker
                log.exception("worker cycle failed")
                handled = 0
            total += handled
            if handled == 0:
                self._sweep()
                if until_idle:
                    break
                self.stopping.wait(self._idle_sleep)
        return total

    def _sweep(self) -> None:
        try:
            self.publish_stale()
        except Exception:  # a list that cannot be signed must not stop the batches
            log.exception("status list re-signing failed")

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="batch-worker", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        self.stopping.set()
