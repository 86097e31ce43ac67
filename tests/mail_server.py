"""A real SMTP server on localhost for the tests (aiosmtpd), with scripted replies.

``server.replies`` holds the answers to the next DATA commands (``"451 4.3.0 Try later"``);
when it is empty a message is accepted and kept in ``server.messages``.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

from badgeservice.settings import SmtpServer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage


@dataclass
class MailServer:
    port: int = field(default_factory=free_port)
    replies: list[str] = field(default_factory=list)
    messages: list[Received] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            if self.replies:
                return self.replies.pop(0)
            parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
            assert isinstance(parsed, EmailMessage)
            self.messages.append(Received(list(envelope.rcpt_tos), parsed))
        return "250 2.0.0 OK"

    @property
    def address(self) -> SmtpServer:
        return SmtpServer("127.0.0.1", self.port, "plain")

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
