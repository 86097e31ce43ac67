"""The messages we send, built at send time from an outbox row (``services/mail.py``).

Each template is one Jinja file under ``web/mail_templates`` with three blocks: ``subject``,
``text`` and ``html``. Their strings are the ``mail`` catalogue (``web/locales/*/mail.po``,
extracted to ``mail.pot`` with the command in ``babel.cfg``), in the message's language (the
credential's for ``credential_issued``; a tag we have no catalogue for reads English). The
HTML says its ``lang`` and ``dir`` (Arabic is right-to-left). ``credential_issued`` shows the
badge image as an inline part (``cid:``): the PNG baked with the signed credential, as the
page's download offers it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, pass_context
from jinja2.runtime import Context
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential, Issuer, MailMessage
from badgeservice.domain.images import PNG
from badgeservice.domain.urls import credential_url
from badgeservice.services import badge_images
from badgeservice.services.mail import Render, UnsendableError
from badgeservice.web.i18n import DEFAULT_LANGUAGE, direction, supported, translations

TEMPLATES_DIR = Path(__file__).parent / "mail_templates"
DOMAIN = "mail"


@pass_context
def _gettext(context: Context, message: str) -> str:
    return translations(context["lang"], DOMAIN).gettext(message)


@pass_context
def _ngettext(context: Context, singular: str, plural: str, n: int) -> str:
    return translations(context["lang"], DOMAIN).ngettext(singular, plural, n)


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
    )
    env.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    return env


_env = _environment()


def renderer(base_url: str, sender: str, now: Callable[[], datetime]) -> Render:
    """The ``render`` of a ``MailSender``: outbox row → message, dated ``now()``."""

    def render(session: Session, message: MailMessage) -> EmailMessage:
        return build_message(session, message, base_url=base_url, sender=sender, sent=now())

    return render


def build_message(
    session: Session, message: MailMessage, *, base_url: str, sender: str, sent: datetime
) -> EmailMessage:
    if message.to_address is None:
        raise UnsendableError("no address")
    language = supported(message.language) or DEFAULT_LANGUAGE
    host = urlsplit(base_url).hostname or "localhost"
    values: dict[str, Any] = {
        **message.context,
        "lang": language,
        "dir": direction(language),
        "service": urlsplit(base_url).netloc,
        "base_url": base_url,
    }
    image = None
    if message.template == "credential_issued":
        found, image = _credential_values(session, message, base_url)
        values |= found
        values["image_cid"] = make_msgid("badge", domain=host)[1:-1]
    template = _env.get_template(f"{message.template}.jinja")
    email = EmailMessage()
    email["Subject"] = " ".join(_block(template, "subject", values).split())
    email["From"] = sender
    email["To"] = message.to_address
    email["Date"] = format_datetime(sent)
    email["Message-ID"] = make_msgid(domain=host)
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to us
    email.set_content(_block(template, "text", values))
    email.add_alternative(_block(template, "html", values), subtype="html")
    email["Content-Language"] = language  # after set_content, which drops Content-* headers
    if image is not None:
        html_part = email.get_payload()[1]  # type: ignore[index]
        assert isinstance(html_part, EmailMessage)
        html_part.add_related(
            image, "image", "png", cid=f"<{values['image_cid']}>", filename="badge.png"
        )
    return email


def _block(template: Template, name: str, values: dict[str, Any]) -> str:
    return "".join(template.blocks[name](template.new_context(values))).strip() + "\n"


def _credential_values(
    session: Session, message: MailMessage, base_url: str
) -> tuple[dict[str, Any], bytes]:
    """What ``credential_issued`` shows, from the credential as signed (its language)."""
    credential = session.get(Credential, uuid.UUID(message.context["credential"]))
    if credential is None:
        raise UnsendableError("credential deleted")
    if credential.revoked_at is not None:
        raise UnsendableError("credential revoked before the message was sent")
    document = json.loads(credential.document)
    subject = document.get("credentialSubject", {})
    achievement = subject.get("achievement", {}) if isinstance(subject, dict) else {}
    signer = document.get("issuer", {})
    issuer_name = signer.get("name") if isinstance(signer, dict) else None
    image = badge_images.baked_image(session, credential, PNG, base_url)
    values = {
        "achievement": str(achievement.get("name") or ""),
        "issuer": str(issuer_name or session.get_one(Issuer, credential.issuer_id).name),
        "recipient_name": credential.recipient_name or "",
        "url": credential_url(base_url, credential.id),
    }
    return values, image
