"""Sending one message to the operator's SMTP server (standard library ``smtplib``).

``BADGESERVICE_SMTP_URL`` names the server (``settings.parse_smtp_url``). The password is
never in a log or an error.

Errors are sorted as RFC 5321 §4.2.1 replies are: a 5yz reply about this message (sender,
recipient or data refused) is permanent; 4yz replies, refused connections, timeouts and TLS
or login problems (the server's or our configuration, not the message) are temporary.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from badgeservice.settings import SmtpServer


class SendError(Exception):
    """A message was not accepted. ``summary`` names the reply code or the kind of failure,
    never an address or the server's text (which often repeats the address)."""

    def __init__(self, summary: str, *, permanent: bool) -> None:
        super().__init__(summary)
        self.summary, self.permanent = summary, permanent


class SmtpTransport:
    """Sends each message over a connection of its own (a worker sends a few at a time)."""

    def __init__(self, server: SmtpServer, *, timeout: float = 30.0) -> None:
        self.server, self.timeout = server, timeout

    def send(self, message: EmailMessage) -> None:
        try:
            with self._connect() as client:
                if self.server.username is not None:
                    client.login(self.server.username, self.server.password or "")
                refused = client.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _text in exc.recipients.values()]
            raise _reply_error("recipient refused", min(codes, default=550)) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise SendError(f"{exc.smtp_code} login refused", permanent=False) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise _reply_error("message refused", exc.smtp_code) from None
        except (smtplib.SMTPConnectError, smtplib.SMTPHeloError) as exc:
            raise SendError(f"{exc.smtp_code} greeting refused", permanent=False) from None
        except smtplib.SMTPNotSupportedError:
            raise SendError("server offers no STARTTLS", permanent=False) from None
        except smtplib.SMTPResponseException as exc:
            raise _reply_error("server reply", exc.smtp_code) from None
        except (smtplib.SMTPException, ssl.SSLError, TimeoutError, OSError) as exc:
            raise SendError(f"connection failed ({type(exc).__name__})", permanent=False) from None
        if refused:  # several recipients and some refused: we send to one, so not reached
            raise SendError("recipient refused", permanent=True)

    def _connect(self) -> smtplib.SMTP:
        server, context = self.server, ssl.create_default_context()
        if server.security == "tls":
            return smtplib.SMTP_SSL(server.host, server.port, timeout=self.timeout, context=context)
        client = smtplib.SMTP(server.host, server.port, timeout=self.timeout)
        if server.security == "starttls":
            try:
                client.starttls(context=context)
            except BaseException:
                client.close()
                raise
        return client


def _reply_error(kind: str, code: int) -> SendError:
    return SendError(f"{code} {kind}", permanent=500 <= code < 600)
