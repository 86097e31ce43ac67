"""``BADGESERVICE_CAMPAIGNEVENTS_URL``: the wiki events are read from."""

from __future__ import annotations

import pytest

from badgeservice.services.keystore import new_secret
from badgeservice.settings import ConfigurationError, load_settings

PRODUCTION = {
    "environment": "production",
    "base_url": "https://badges.example.org",
    "secret_key": new_secret(),
}


def test_events_are_read_from_meta_wiki_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BADGESERVICE_CAMPAIGNEVENTS_URL", raising=False)
    monkeypatch.delenv("BADGESERVICE_WIKIMEDIA_OAUTH_URL", raising=False)
    assert load_settings().events_rest_url == "https://meta.wikimedia.org/w/rest.php"


def test_events_follow_the_sign_in_wiki_when_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BADGESERVICE_CAMPAIGNEVENTS_URL", raising=False)
    settings = load_settings(wikimedia_oauth_url="https://wiki.example.org/w/rest.php/")
    assert settings.events_rest_url == "https://wiki.example.org/w/rest.php"


def test_the_events_url_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BADGESERVICE_CAMPAIGNEVENTS_URL", "https://test.wikipedia.org/w/rest.php/")
    assert load_settings().events_rest_url == "https://test.wikipedia.org/w/rest.php"


@pytest.mark.parametrize("url", ["meta.wikimedia.org/w/rest.php", "ftp://meta.wikimedia.org"])
def test_an_events_url_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="BADGESERVICE_CAMPAIGNEVENTS_URL"):
        load_settings(campaignevents_url=url)


def test_production_reads_events_over_https_only() -> None:
    with pytest.raises(ConfigurationError, match="BADGESERVICE_CAMPAIGNEVENTS_URL"):
        load_settings(**PRODUCTION, campaignevents_url="http://wiki.example.org/w/rest.php")
    assert load_settings(**PRODUCTION).events_rest_url.startswith("https://")
