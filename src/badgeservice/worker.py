"""The worker: claims pending batch rows from the database and issues them, and sends the
mail outbox (``services/mail.py``) when an SMTP server is configured.

Run as many as you like (``badgeservice worker``); PostgreSQL hands each row and each message
to one of them. In the embedded SQLite mode the server runs one in a background thread. The
worker owns its transactions: one per chunk of rows, committed here (services never commit).
When idle it re-signs status lists whose stored copy is behind their bits (left so by older
releases).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.orm import Session, sessionmaker

from badgeservice.clock import Clock
from badgeservice.mail_sender import MailSender
from badgeservice.services.batches import process_pending, row_issuer
from badgeservice.services.keystore import KeyStore
from badgeservice.services.smtp import SmtpTransport
from badgeservice.services.status_lists import ListSigner, publish_stale
from badgeservice.settings import Settings
from badgeservice.web.mail import renderer

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
        mail: MailSender | None = None,
    ) -> None:
        self._factory = factory
        self.mail = mail
        self._issue_row = row_issuer(base_url, key_store)
        self._clock = clock
        self._base_url, self._key_store = base_url, key_store
        self.chunk = chunk
        self._idle_sleep = idle_sleep
        self.stopping = threading.Event()

    def run_once(self) -> int:
        """Process one chunk of rows in one transaction, then send due mail; the number of
        rows and messages handled (0 when nothing is pending)."""
        with self._factory() as session:
            handled = process_pending(session, self._issue_row, self._clock, limit=self.chunk)
            session.commit()
        if self.mail is not None:
            handled += self.mail.run_once(limit=self.chunk)
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


def mail_sender(
    factory: sessionmaker[Session], settings: Settings, clock: Clock
) -> MailSender | None:
    """The outbox's sender for ``settings``' SMTP server; ``None`` without one."""
    server = settings.smtp_server
    if server is None:
        return None
    return MailSender(
        factory,
        renderer(settings.base_url, settings.mail_sender, clock.now),
        SmtpTransport(server, timeout=settings.smtp_timeout),
        max_attempts=settings.mail_max_attempts,
        now=clock.now,
    )
