"""Service settings: one ``Settings`` object, read from ``BADGESERVICE_*`` environment variables.

Defaults serve the embedded mode (SQLite file under ``./var``, http://localhost:8000). Outside
development (``BADGESERVICE_ENVIRONMENT=production``) development defaults are refused.
``load_settings`` turns every refusal into a ``ConfigurationError`` of one line: the setting's
name, what is wrong, the fix, and never the value given (it may be a secret).
"""

from __future__ import annotations

import base64
import ipaddress
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./var/badgeservice.db"
DEFAULT_BASE_URL = "http://localhost:8000"
ENV_PREFIX = "BADGESERVICE_"


Security = Literal["tls", "starttls", "plain"]
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
DEFAULT_PORTS = {"smtps": 465, "smtp": 587}


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    security: Security
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def parse_smtp_url(url: str) -> SmtpServer:
    """The server of ``BADGESERVICE_SMTP_URL``: ``smtps://user:pass@host:465`` (implicit
    TLS), ``smtp://user:pass@host:587`` (STARTTLS, required: a server that does not offer it
    is an error, never a fallback to plain text), ``smtp://localhost:1025`` (plain, only to a
    loopback host: a development catcher). ``ValueError`` says what is wrong without
    repeating the URL (it holds the password)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError("must start with smtp:// or smtps://, such as smtps://user:pass@host:465")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        raise ValueError("has a port that is not a number from 1 to 65535") from None
    if not parts.hostname:
        raise ValueError("names no host, such as smtp://localhost:1025")
    if parts.path not in {"", "/"} or parts.query or parts.fragment:
        raise ValueError("must have no path, query or fragment")
    security: Security = "tls" if parts.scheme == "smtps" else "starttls"
    if parts.scheme == "smtp" and parts.hostname in LOOPBACK:
        security = "plain"  # a catcher on this machine; nothing crosses a network
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return SmtpServer(parts.hostname, port, security, username, password)


class ConfigurationError(Exception):
    """A setting the service cannot start with; the message is one line naming the setting."""


def decode_secret(value: str) -> bytes:
    """The 32-byte key-encryption key from its base64url form (``keys new-secret``)."""
    try:
        key = base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))
    except ValueError as exc:
        raise ValueError(f"is not base64url; {_NEW_SECRET}") from exc
    if len(key) != 32:
        raise ValueError(f"must decode to 32 bytes; {_NEW_SECRET}")
    return key


_NEW_SECRET = "make one with `badgeservice keys new-secret`"  # noqa: S105 (a hint, no secret)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    base_url: str = DEFAULT_BASE_URL
    secret_key: str | None = Field(default=None, repr=False)
    keys_dir: Path = Path("keys")
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    max_body_bytes: int = 1_048_576
    database_pool_size: int = 5
    # Seconds an SQLite writer waits for the write lock before the request answers 503.
    database_busy_timeout: float = 30.0
    migrations_dir: Path | None = None
    # Run a batch worker inside the server process (default: only with SQLite).
    embedded_worker: bool | None = None
    # Outbound HTTP (did:web, status lists, verify-by-URL); see remote/.
    # Origins (scheme://host:port) fetched over http and to any address; default: base_url's
    # origin outside production, none in production.
    remote_trusted_origins: list[str] | None = None
    remote_timeout: float = 5.0
    remote_max_bytes: int = 1_048_576
    remote_max_redirects: int = 3
    remote_cache_ttl: float = 300.0
    remote_cache_size: int = 256
    # Verification refuses what 1EdTech's validator accepts only with a warning (a key the
    # issuer's own document could not confirm); see DESIGN.md §7.
    verify_strict: bool = False
    # One verification: its wall-clock deadline (fetches and JSON-LD work alike), and how many
    # documents it may fetch from other servers (DESIGN.md §7).
    verify_deadline_seconds: float = Field(default=10.0, gt=0)
    verify_max_fetches: int = Field(default=16, ge=0)
    # Mail (README "Mail"): without an SMTP server nothing is enqueued or sent (sign-in links
    # need it too).
    smtp_url: str | None = Field(default=None, repr=False)
    smtp_timeout: float = Field(default=30.0, gt=0)
    # The From of every message; default badges@ the base URL's host.
    mail_from: str | None = None
    # Tries of one message before it is given up (backoff: 1 min, 5 min, 30 min, 2 h, 12 h).
    mail_max_attempts: int = Field(default=6, ge=1, le=20)
    # Sign in with Wikimedia (OAuth 2.0 + PKCE; README "Signing in"). Without a client id the
    # sign-in page offers email links only. The secret is optional: a public client uses PKCE.
    wikimedia_oauth_url: str = "https://meta.wikimedia.org/w/rest.php"
    wikimedia_client_id: str | None = None
    wikimedia_client_secret: str | None = Field(default=None, repr=False)
    # mwoauth-authonlyprivate also gives the confirmed email, recorded as a verified identity.
    wikimedia_scope: Literal["mwoauth-authonly", "mwoauth-authonlyprivate"] = "mwoauth-authonly"
    # The wiki whose on-wiki events (the CampaignEvents extension) we read participants from:
    # its rest.php URL; default: wikimedia_oauth_url (Meta-Wiki's, unless that is changed).
    campaignevents_url: str | None = None
    # Contact named in our User-Agent (Wikimedia's User-Agent policy): a URL or an email;
    # default: the base URL.
    contact: str | None = None
    # Sign-in and link requests: at most this many per address and per client IP per window.
    sign_in_limit_per_address: int = Field(default=5, ge=1)
    sign_in_limit_per_ip: int = Field(default=30, ge=1)
    sign_in_limit_window_seconds: int = Field(default=900, ge=1)
    # The skills map shows a count below this as "fewer than N" (and 0 as none), so that no
    # aggregate points at a handful of people.
    skills_map_threshold: int = Field(default=5, ge=1, le=1000)

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("must be an absolute http(s) URL, such as http://localhost:8000")
        if parts.path not in {"", "/"} or parts.query or parts.fragment:
            raise ValueError("must have no path, query or fragment, such as https://example.org")
        if _is_ip_address(parts.hostname):
            # did:web names a host: https://w3c-ccg.github.io/did-method-web/#read-resolve
            raise ValueError(
                "names an IP address, and did:web allows only host names, so no credential "
                "issued under it would verify; use http://localhost:PORT or a host name"
            )
        return value.rstrip("/")

    @field_validator("smtp_url")
    @classmethod
    def _check_smtp_url(cls, value: str | None) -> str | None:
        if value is not None and value.strip():
            parse_smtp_url(value)
            return value
        return None

    @field_validator("mail_from")
    @classmethod
    def _check_mail_from(cls, value: str | None) -> str | None:
        if value is None:
            return None
        _name, address = parseaddr(value)
        if "@" not in address or any(c in value for c in "\r\n"):
            raise ValueError("must be an address, such as Badges <badges@example.org>")
        return value.strip()

    @field_validator("wikimedia_oauth_url", "campaignevents_url")
    @classmethod
    def _check_rest_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError(
                "must be the wiki's rest.php URL, such as https://meta.wikimedia.org/w/rest.php"
            )
        return value.rstrip("/")

    @model_validator(mode="after")
    def _refuse_development_defaults(self) -> Settings:
        if self.environment != "production":
            return self
        if self.base_url == DEFAULT_BASE_URL or not self.base_url.startswith("https://"):
            raise ValueError(
                "BADGESERVICE_BASE_URL: production needs a public https URL; set it, "
                "such as https://badges.example.org"
            )
        if not self.secret_key:
            raise ValueError(
                f"BADGESERVICE_SECRET_KEY: production needs the key-encryption key; {_NEW_SECRET}"
            )
        if not self.wikimedia_oauth_url.startswith("https://"):
            raise ValueError(
                "BADGESERVICE_WIKIMEDIA_OAUTH_URL: production signs in over https only; set "
                "the wiki's https rest.php URL, such as https://meta.wikimedia.org/w/rest.php"
            )
        if not self.events_rest_url.startswith("https://"):
            raise ValueError(
                "BADGESERVICE_CAMPAIGNEVENTS_URL: production reads events over https only; set "
                "the wiki's https rest.php URL, such as https://meta.wikimedia.org/w/rest.php"
            )
        return self

    @field_validator("secret_key")
    @classmethod
    def _check_secret_key(cls, value: str | None) -> str | None:
        if value is not None:
            decode_secret(value)
        return value

    @property
    def smtp_server(self) -> SmtpServer | None:
        return parse_smtp_url(self.smtp_url) if self.smtp_url else None

    @property
    def mail_sender(self) -> str:
        """The From address: ``mail_from``, else ``badges@`` the base URL's host."""
        return self.mail_from or f"badges@{urlsplit(self.base_url).hostname}"

    @property
    def events_rest_url(self) -> str:
        """The rest.php URL events are read from: ``campaignevents_url`` or the sign-in wiki's."""
        return self.campaignevents_url or self.wikimedia_oauth_url

    @property
    def host(self) -> str:
        """``host[:port]`` of the public base URL."""
        return urlsplit(self.base_url).netloc


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def load_settings(**values: object) -> Settings:
    """``Settings`` from the environment (and ``values``), or a one-line ``ConfigurationError``."""
    try:
        return Settings(**values)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise ConfigurationError(configuration_message(exc)) from None


def configuration_message(exc: ValidationError) -> str:
    """One line for all of ``exc``'s errors: each names its setting and never the input."""
    parts = []
    for error in exc.errors(include_input=False, include_url=False):
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["loc"]:  # a field's own check; the model's checks name their settings
            message = f"{ENV_PREFIX}{str(error['loc'][0]).upper()}: {message}"
        parts.append(message)
    return "; ".join(parts)
