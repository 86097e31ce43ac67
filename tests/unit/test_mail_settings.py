"""Mail settings, the SMTP error classes, and the mail catalogue."""

from __future__ import annotations

import re
import smtplib
from email.message import EmailMessage
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from badgeservice.services.smtp import SendError, SmtpTransport
from badgeservice.settings import ConfigurationError, SmtpServer, load_settings, parse_smtp_url
from badgeservice.web import i18n
from tests.mail_server import MailServer, free_port

LOCALES = Path(i18n.__file__).parent / "locales"
MAIL_TEMPLATES = Path(i18n.__file__).parent / "mail_templates"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@pytest.mark.parametrize(
    ("url", "server"),
    [
        (
            "smtps://ada:s%40cret@mail.example.org",
            SmtpServer("mail.example.org", 465, "tls", "ada", "s@cret"),
        ),
        (
            "smtp://ada:pw@mail.example.org:587",
            SmtpServer("mail.example.org", 587, "starttls", "ada", "pw"),
        ),
        ("smtp://mail.example.org", SmtpServer("mail.example.org", 587, "starttls")),
        ("smtp://localhost:1025", SmtpServer("localhost", 1025, "plain")),
        ("smtp://127.0.0.1:1025/", SmtpServer("127.0.0.1", 1025, "plain")),
    ],
)
def test_smtp_url_forms(url: str, server: SmtpServer) -> None:
    assert parse_smtp_url(url) == server


def test_smtp_password_is_not_in_the_servers_repr() -> None:
    assert "s3cret" not in repr(parse_smtp_url("smtps://ada:s3cret@mail.example.org"))


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("http://ada:s3cret@mail.example.org", "must start with smtp:// or smtps://"),
        ("smtp://ada:s3cret@mail.example.org:99999", "port that is not a number"),
        ("smtp://ada:s3cret@mail.example.org/inbox", "no path, query or fragment"),
        ("smtps://ada:s3cret@:465", "names no host"),
    ],
)
def test_a_bad_smtp_url_is_one_line_naming_the_setting_never_the_password(
    url: str, says: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        load_settings(smtp_url=url)
    message = str(refused.value)
    assert message.startswith("BADGESERVICE_SMTP_URL: ")
    assert says in message
    assert "s3cret" not in message
    assert "\n" not in message


def test_mail_sender_defaults_to_the_base_url_host_and_checks_an_address() -> None:
    assert load_settings(base_url="https://badges.example.org").mail_sender == (
        "badges@badges.example.org"
    )
    assert load_settings(mail_from="Badges <b@example.org>").mail_sender == "Badges <b@example.org>"
    with pytest.raises(ConfigurationError, match=r"^BADGESERVICE_MAIL_FROM: must be an address"):
        load_settings(mail_from="nobody")


def test_an_empty_smtp_url_means_no_mail() -> None:
    settings = load_settings(smtp_url="")
    assert settings.smtp_url is None
    assert settings.smtp_server is None


def _message() -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@localhost", "b@example.org", "x"
    message.set_content("hello")
    return message


@pytest.mark.parametrize(
    ("reply", "summary", "permanent"),
    [
        ("451 4.3.0 Try later", "451 message refused", False),
        ("452 4.3.1 Insufficient storage", "452 message refused", False),
        ("550 5.1.1 <b@example.org> unknown", "550 message refused", True),
        ("554 5.7.1 Rejected", "554 message refused", True),
    ],
)
def test_replies_are_sorted_into_temporary_and_permanent(
    reply: str, summary: str, permanent: bool
) -> None:
    server = MailServer(replies=[reply])
    server.start()
    try:
        with pytest.raises(SendError) as failed:
            SmtpTransport(server.address, timeout=5).send(_message())
    finally:
        server.stop()
    assert (failed.value.summary, failed.value.permanent) == (summary, permanent)
    assert "example.org" not in str(failed.value)


def test_a_refused_connection_is_temporary() -> None:
    transport = SmtpTransport(SmtpServer("127.0.0.1", free_port(), "plain"), timeout=5)
    with pytest.raises(SendError) as failed:
        transport.send(_message())
    assert failed.value.permanent is False


def test_starttls_is_required_when_the_server_does_not_offer_it() -> None:
    server = MailServer()  # aiosmtpd without a TLS context offers no STARTTLS
    server.start()
    try:
        transport = SmtpTransport(SmtpServer("127.0.0.1", server.port, "starttls"), timeout=5)
        with pytest.raises(SendError, match="no STARTTLS") as failed:
            transport.send(_message())
    finally:
        server.stop()
    assert failed.value.permanent is False
    assert server.messages == []  # never sent in plain text instead


def test_smtp_errors_are_not_smtplib_errors() -> None:
    assert not issubclass(SendError, smtplib.SMTPException)


# -- the mail catalogue ------------------------------------------------------------------------


def test_mail_catalogue_template_has_every_message_of_the_mail_templates() -> None:
    """``mail.pot`` is up to date (re-extract with the command in ``babel-mail.cfg``)."""
    found = extract_from_dir(
        str(MAIL_TEMPLATES),
        method_map=[("**.jinja", "jinja2")],
        options_map={"**.jinja": {"extensions": "jinja2.ext.i18n"}},
    )
    with (LOCALES / "mail.pot").open("rb") as pot:
        template = {str(m.id) for m in read_po(pot) if m.id}
    assert {str(message) for _, _, message, _, _ in found} == template


@pytest.mark.parametrize("language", [code for code in i18n.LANGUAGES if code != "en"])
def test_mail_catalogue_translates_every_message_keeping_placeholders(language: str) -> None:
    with (LOCALES / "mail.pot").open("rb") as pot:
        wanted = {str(m.id) for m in read_po(pot) if m.id}
    with (LOCALES / language / "LC_MESSAGES" / "mail.po").open("rb") as po:
        catalog = read_po(po, locale=language)
    translated = {str(m.id): str(m.string) for m in catalog if m.id and m.string and not m.fuzzy}
    assert wanted - set(translated) == set()
    for message_id, text in translated.items():
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(message_id))
        assert text != message_id
