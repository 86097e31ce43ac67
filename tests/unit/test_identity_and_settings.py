from __future__ import annotations

import pytest
from pydantic import ValidationError

from badgeservice.domain.issuer import is_valid_slug, issuer_did
from badgeservice.services.keystore import new_secret
from badgeservice.settings import Settings


@pytest.mark.parametrize(
    ("base_url", "did"),
    [
        ("http://localhost:8000", "did:web:localhost%3A8000:issuers:wmde"),
        ("https://badges.example.org", "did:web:badges.example.org:issuers:wmde"),
    ],
)
def test_issuer_did_percent_encodes_port(base_url: str, did: str) -> None:
    assert issuer_did(base_url, "wmde") == did


@pytest.mark.parametrize(
    ("slug", "valid"),
    [
        ("wmde", True),
        ("wiki-loves-2", True),
        ("a", True),
        ("-x", False),
        ("x-", False),
        ("Upper", False),
        ("a b", False),
        ("a" * 64, True),
        ("a" * 65, False),
        ("", False),
    ],
)
def test_slug_rules(slug: str, valid: bool) -> None:
    assert is_valid_slug(slug) is valid


def test_settings_default_to_embedded_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "BASE_URL", "ENVIRONMENT"):
        monkeypatch.delenv(f"BADGESERVICE_{name}", raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///./var/badgeservice.db"
    assert settings.base_url == "http://localhost:8000"


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"base_url": "https://badges.example.org"},
        {"secret_key": new_secret()},
        {"base_url": "http://badges.example.org", "secret_key": new_secret()},
    ],
)
def test_production_refuses_development_defaults(overrides: dict[str, str]) -> None:
    with pytest.raises(ValidationError):
        Settings(environment="production", **overrides)


@pytest.mark.parametrize("base_url", ["ftp://x", "https://x.org/path", "localhost:8000"])
def test_base_url_must_be_a_bare_origin(base_url: str) -> None:
    with pytest.raises(ValidationError):
        Settings(base_url=base_url)


def test_production_accepts_https_base_url_and_secret() -> None:
    settings = Settings(
        environment="production", base_url="https://badges.example.org", secret_key=new_secret()
    )
    assert settings.host == "badges.example.org"
