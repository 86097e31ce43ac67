"""Service settings: one ``Settings`` object, read from ``BADGESERVICE_*`` environment variables.

Defaults serve the embedded mode (SQLite file under ``./var``, http://localhost:8000). Outside
development (``BADGESERVICE_ENVIRONMENT=production``) development defaults are refused.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./var/badgeservice.db"
DEFAULT_BASE_URL = "http://localhost:8000"


def decode_secret(value: str) -> bytes:
    """The 32-byte key-encryption key from its base64url form (``keys new-secret``)."""
    try:
        key = base64.urlsafe_b64decode(value.strip() + "=" * (-len(value.strip()) % 4))
    except ValueError as exc:
        raise ValueError("the secret key is not base64url") from exc
    if len(key) != 32:
        raise ValueError("the secret key must decode to 32 bytes (badgeservice keys new-secret)")
    return key


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BADGESERVICE_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    database_url: str = DEFAULT_DATABASE_URL
    base_url: str = DEFAULT_BASE_URL
    secret_key: str | None = Field(default=None, repr=False)
    keys_dir: Path = Path("keys")
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    max_body_bytes: int = 1_048_576
    database_pool_size: int = 5
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

    @field_validator("base_url")
    @classmethod
    def _check_base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ValueError("base_url must be an absolute http(s) URL")
        if parts.path not in {"", "/"} or parts.query or parts.fragment:
            raise ValueError("base_url must have no path, query or fragment")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _refuse_development_defaults(self) -> Settings:
        if self.environment != "production":
            return self
        if self.base_url == DEFAULT_BASE_URL or not self.base_url.startswith("https://"):
            raise ValueError("production needs BADGESERVICE_BASE_URL set to a public https URL")
        if not self.secret_key:
            raise ValueError("production needs BADGESERVICE_SECRET_KEY (the key-encryption key)")
        return self

    @field_validator("secret_key")
    @classmethod
    def _check_secret_key(cls, value: str | None) -> str | None:
        if value is not None:
            decode_secret(value)
        return value

    @property
    def host(self) -> str:
        """``host[:port]`` of the public base URL."""
        return urlsplit(self.base_url).netloc
