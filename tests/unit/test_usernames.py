"""Wikimedia usernames (the MediaWiki normalisation), the profile's checks, where sign-in may
send a browser afterwards, and our User-Agent."""

from __future__ import annotations

from typing import Any

import pytest

from badgeservice.api.schemas.credentials import check_row
from badgeservice.domain.recipient import Recipient, RecipientError, normalize_username
from badgeservice.domain.recipient_check import claimed_recipient
from badgeservice.services.batches import csv_row_input, read_csv
from badgeservice.services.sign_in import DEFAULT_NEXT, safe_next
from badgeservice.services.wikimedia import (
    SignInUnavailableError,
    authorize_url,
    profile_of,
    user_agent,
)
from badgeservice.settings import Settings


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Ada Lovelace", "Ada Lovelace"),
        ("ada_lovelace", "Ada lovelace"),  # only the first letter: MediaWiki is case-sensitive
        ("  Ada__ _Lovelace  ", "Ada Lovelace"),
        ("ádám", "Ádám"),
        ("ßtraße", "ßtraße"),  # "ß".upper() is "SS": MediaWiki keeps the letter, so do we
        ("日本語", "日本語"),
        ("محمد", "محمد"),
        ("a" * 255, "A" + "a" * 254),
        ("é" * 127, "É" + "é" * 126),  # 254 bytes
        ("Ada\u00a0Lovelace", "Ada Lovelace"),  # a no-break space is a space to MediaWiki
        ("\u200eAda\u3000 Lovelace\u200f", "Ada Lovelace"),  # direction marks dropped
    ],
)
def test_usernames_are_normalised_as_mediawiki_names_accounts(given: str, expected: str) -> None:
    assert normalize_username(given) == expected


@pytest.mark.parametrize(
    "given",
    [
        *("", "   ", "___", "a#b", "a<b", "a>b", "a[b", "a]b", "a|b", "a{b", "a}b", "a/b"),
        *("a@b", "User:Ada", "tab\there", "new\nline", "a" * 256, "é" * 128),
    ],
)
def test_names_mediawiki_refuses_are_refused_without_echo(given: str) -> None:
    with pytest.raises(RecipientError) as raised:
        normalize_username(given)
    assert given.strip() == "" or given not in str(raised.value)


def test_a_username_recipient_publishes_only_a_salted_hash() -> None:
    fields = Recipient("wikimedia_username", "ada_lovelace").subject_fields(salt="pepper")
    (identity,) = fields["identifier"]
    assert identity["identityType"] == "userName"
    assert identity["hashed"] is True
    assert identity["salt"] == "pepper"
    assert "ada" not in identity["identityHash"].lower().replace("sha256$", "")


def test_a_csv_wikimedia_username_column_becomes_the_recipient_member() -> None:
    rows = read_csv("wikimedia_username,name\nada_lovelace,Ada\n").rows
    assert csv_row_input(rows[0]) == {
        "recipient": {"wikimediaUsername": "ada_lovelace", "name": "Ada"}
    }
    checked = check_row(csv_row_input(rows[0]))
    assert checked.error is None
    assert checked.input is not None
    assert checked.input["recipient"] == {"wikimediaUsername": "Ada lovelace", "name": "Ada"}


def test_a_claimed_user_page_is_a_username_and_other_text_is_still_refused() -> None:
    claimed = claimed_recipient("User:ada_lovelace")
    assert (claimed.kind, claimed.value) == ("wikimedia_username", "Ada lovelace")
    assert "lovelace" not in repr(claimed)
    with pytest.raises(RecipientError):
        claimed_recipient("Ada Lovelace")
    with pytest.raises(RecipientError):
        claimed_recipient("User:a|b")


@pytest.mark.parametrize(
    ("profile", "private", "expected"),
    [
        ({"sub": "123", "username": "Ada"}, False, ("123", "Ada", None)),
        ({"sub": 123, "username": "ada_x"}, False, ("123", "Ada x", None)),
        (
            {"sub": "1", "username": "Ada", "email": "A@B.org", "confirmed_email": True},
            True,
            ("1", "Ada", "a@b.org"),
        ),
        (
            {"sub": "1", "username": "Ada", "email": "a@b.org", "confirmed_email": False},
            True,
            ("1", "Ada", None),
        ),
        (
            {"sub": "1", "username": "Ada", "email": "a@b.org", "confirmed_email": True},
            False,
            ("1", "Ada", None),
        ),
    ],
)
def test_profile_fields_we_use(profile: dict[str, Any], private: bool, expected: Any) -> None:
    found = profile_of(profile, private=private)
    assert (found.sub, found.username, found.email) == expected
    assert found.username not in repr(found)


@pytest.mark.parametrize(
    "profile",
    [
        {"username": "Ada"},
        {"sub": "", "username": "Ada"},
        {"sub": True, "username": "Ada"},
        {"sub": ["1"], "username": "Ada"},
        {"sub": "1"},
        {"sub": "1", "username": "Ada|x"},
        {"sub": "x" * 256, "username": "Ada"},
    ],
)
def test_profiles_we_cannot_use_are_refused(profile: dict[str, Any]) -> None:
    with pytest.raises(SignInUnavailableError):
        profile_of(profile, private=False)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/me", "/me"),
        ("/people/ada?tab=badges", "/people/ada?tab=badges"),
        (None, DEFAULT_NEXT),
        ("", DEFAULT_NEXT),
        ("//evil.example", DEFAULT_NEXT),
        ("/\\evil.example", DEFAULT_NEXT),
        ("https://evil.example/", DEFAULT_NEXT),
        ("me", DEFAULT_NEXT),
        ("/a b", DEFAULT_NEXT),
        ("/" + "a" * 600, DEFAULT_NEXT),
    ],
)
def test_only_paths_of_this_site_are_followed_after_sign_in(
    given: str | None, expected: str
) -> None:
    assert safe_next(given) == expected


def test_user_agent_names_us_and_a_contact() -> None:
    settings = Settings(base_url="https://badges.example.org")
    assert user_agent(settings).startswith("badgeservice/0.1.0 (https://badges.example.org) ")
    contact = Settings(contact="ops@example.org")
    assert "(ops@example.org)" in user_agent(contact)


def test_the_authorize_url_asks_for_code_with_an_s256_challenge() -> None:
    settings = Settings(wikimedia_client_id="abc", base_url="https://badges.example.org")
    url = authorize_url(settings, "the-state", "v" * 64)
    assert url.startswith("https://meta.wikimedia.org/w/rest.php/oauth2/authorize?")
    for part in (
        "response_type=code",
        "client_id=abc",
        "state=the-state",
        "code_challenge_method=S256",
        "scope=mwoauth-authonly",
        "redirect_uri=https%3A%2F%2Fbadges.example.org%2Fauth%2Fwikimedia%2Fcallback",
    ):
        assert part in url
    assert "v" * 64 not in url


def test_production_signs_in_over_https_only() -> None:
    from badgeservice.settings import ConfigurationError, load_settings

    with pytest.raises(ConfigurationError, match="BADGESERVICE_WIKIMEDIA_OAUTH_URL"):
        load_settings(
            environment="production",
            base_url="https://badges.example.org",
            secret_key="A" * 43,
            wikimedia_oauth_url="http://wiki.example.org/w/rest.php",
        )
