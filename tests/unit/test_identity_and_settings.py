from __future__ import annotations

import pytest
from pydantic import ValidationError

from badgeservice.domain.issuer import is_valid_slug
from badgeservice.domain.urls import issuer_did
from badgeservice.services.keystore import new_secret
from badgeservice.settings import ConfigurationError, Settings, load_settings


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


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:8000", "https://10.0.0.5", "http://[::1]:8000"]
)
def test_base_url_naming_an_ip_address_is_refused_with_the_fix(base_url: str) -> None:
    with pytest.raises(ConfigurationError) as refused:
        load_settings(base_url=base_url)
    message = str(refused.value)
    assert message.startswith("BADGESERVICE_BASE_URL: names an IP address")
    assert "localhost" in message
    assert "\n" not in message


@pytest.mark.parametrize("base_url", ["http://localhost:8000", "https://badges.example.org"])
def test_base_url_naming_a_host_is_accepted(base_url: str) -> None:
    assert load_settings(base_url=base_url).base_url == base_url


SECRET_LOOKALIKE = "hunter2-do-not-print-me"


@pytest.mark.parametrize(
    ("values", "setting", "fix"),
    [
        ({"secret_key": SECRET_LOOKALIKE}, "BADGESERVICE_SECRET_KEY", "keys new-secret"),
        ({"secret_key": "A" * 40}, "BADGESERVICE_SECRET_KEY", "keys new-secret"),
        ({"environment": "prod"}, "BADGESERVICE_ENVIRONMENT", "'production'"),
        ({"environment": "production"}, "BADGESERVICE_BASE_URL", "https://"),
        (
            {"environment": "production", "base_url": "https://badges.example.org"},
            "BADGESERVICE_SECRET_KEY",
            "keys new-secret",
        ),
        ({"database_busy_timeout": "soon"}, "BADGESERVICE_DATABASE_BUSY_TIMEOUT", "number"),
    ],
)
def test_configuration_error_is_one_line_naming_the_setting_and_never_the_value(
    monkeypatch: pytest.MonkeyPatch, values: dict[str, str], setting: str, fix: str
) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"BADGESERVICE_{name.upper()}", value)
    with pytest.raises(ConfigurationError) as refused:
        load_settings()
    message = str(refused.value)
    assert message.startswith(f"{setting}: ")
    assert fix in message
    assert "\n" not in message
    for value in values.values():
        if value not in {"production", "prod"}:
            assert value not in message
