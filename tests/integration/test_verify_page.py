"""The /verify page with a report: what it shows of the credential (description, issuer,
recipient, only safe badge images), the time of the checks in the reader's language, each
check's warnings in plain words, the recipient field, "check again", and its CSP."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta, timezone
from html import unescape
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.domain.recipient import Recipient
from badgeservice.vc import baking, sign_credential
from badgeservice.web import i18n, messages
from tests.factories import ACHIEVEMENT, bearer, create_issuer, create_token, make_png
from tests.unit.ob_documents import KEY, VM, built_credential, profile

API = "/api/v1/issuers/wmde"
BASE = "http://localhost:8000"
PNG_DATA = "data:image/png;base64," + base64.b64encode(make_png()).decode()
HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


@pytest.fixture
def issue(client: TestClient, session: Session) -> Any:
    """Issues our credentials (``issue(format="jwt")``) of an achievement with an image."""
    headers = bearer(create_token(session, create_issuer(session)))
    achievement = client.post(f"{API}/achievements", json=ACHIEVEMENT, headers=headers).json()
    client.put(
        f"{API}/achievements/{achievement['id']}/image",
        content=make_png(8, 8),
        headers={"Content-Type": "image/png", **headers},
    ).raise_for_status()

    def issue(**options: Any) -> dict[str, Any]:
        recipient = {"email": "a@b.org", "name": "Ada"}
        body = {"achievementId": achievement["id"], "recipient": recipient, **options}
        response = client.post(f"{API}/credentials", json=body, headers=headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    return issue


@pytest.fixture
def issued(issue: Any) -> dict[str, Any]:
    return dict(issue())


def foreign(image: Any = None, **subject_changes: Any) -> dict[str, Any]:
    """A did:key credential from someone else, signed here, its achievement image set."""
    document = built_credential(Recipient("email", "grace@example.org")) | {"issuer": profile()}
    achievement = document["credentialSubject"]["achievement"]
    if image is None:
        achievement.pop("image", None)
    else:
        achievement["image"] = {"id": image, "type": "Image"}
    document["credentialSubject"] |= subject_changes
    return sign_credential(document, KEY, VM)


def post(client: TestClient, language: str = "en", **data: str) -> str:
    response = client.post("/verify", data=data, headers={"Accept-Language": language})
    assert response.status_code == 200, response.text
    return response.text


def images(text: str) -> list[str]:
    return [unescape(src) for src in re.findall(r'<img[^>]* src="([^"]+)"', text)]


def test_report_shows_the_achievement_issuer_and_recipient(
    client: TestClient, issued: dict[str, Any]
) -> None:
    text = post(client, credential=json.dumps(issued["credential"]))
    assert f'<h2 id="summary" dir="auto">{ACHIEVEMENT["name"]["en"]}</h2>' in text
    description = ACHIEVEMENT["description"]["en"]
    assert f'<div class="markdown" dir="auto"><p>{description}</p>\n</div>' in text
    assert '<dd dir="auto">Wikimedia Deutschland</dd>' in text
    assert '<dt>Awarded to</dt><dd dir="auto">Ada</dd>' in text
    assert "<dt>Recipient identified by</dt><dd>a hashed email address</dd>" in text
    assert "a@b.org" not in text


@pytest.mark.parametrize(
    ("image", "shown"),
    [
        (f"{BASE}/images/00000000-0000-4000-8000-000000000001", True),
        (PNG_DATA, True),
        ("https://tracker.example/pixel.png", False),
        ("http://localhost:9999/images/x.png", False),
        ("https://localhost:8000/images/x.png", False),
        ("javascript:alert(1)", False),
    ],
    ids=["ours", "data", "third-party", "other-port", "other-scheme", "script"],
)
def test_badge_image_is_shown_only_when_ours_or_data(
    client: TestClient, image: str, shown: bool
) -> None:
    text = post(client, credential=json.dumps(foreign(image)))
    placeholder = "The badge image is hosted elsewhere and is not loaded here."
    assert images(text) == ([image] if shown else [])
    assert (placeholder in text) is not shown


def test_our_uploaded_image_is_shown(client: TestClient, issued: dict[str, Any]) -> None:
    shown = images(post(client, credential=json.dumps(issued["credential"])))
    assert len(shown) == 1
    assert shown[0].startswith(f"{BASE}/images/")


def test_credential_without_an_image_shows_no_placeholder(client: TestClient) -> None:
    text = post(client, credential=json.dumps(foreign(None)))
    assert images(text) == []
    assert "hosted elsewhere" not in text


@pytest.mark.parametrize("language", ["en", "de", "ar"])
def test_time_of_the_checks_is_formatted_in_the_readers_language(
    client: TestClient, issued: dict[str, Any], language: str
) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    text = post(client, language, credential=json.dumps(issued["credential"]))
    found = re.search(r'<p class="checked">([^<]+): <time datetime="([^"]+)">([^<]+)</time>', text)
    assert found is not None
    label, moment, shown = found.groups()
    assert label == i18n.gettext(language, "Checked at")
    assert before <= datetime.fromisoformat(moment) <= datetime.now(UTC)
    assert shown == i18n.format_datetime(moment, language)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "December 2, 2026, 10:05:09\u202fAM UTC"),
        ("de", "2. Dezember 2026, 10:05:09 UTC"),
        ("ja", "2026年12月2日 10:05:09 UTC"),
        ("fr", "2 décembre 2026, 10:05:09 TU"),
    ],
)
def test_format_datetime_is_babels_long_form_in_utc(language: str, expected: str) -> None:
    moment = datetime(2026, 12, 2, 11, 5, 9, tzinfo=timezone(timedelta(hours=1)))
    assert i18n.format_datetime(moment, language) == expected
    assert i18n.format_datetime("2026-12-02T10:05:09Z", language) == expected
    assert i18n.format_datetime("not a date", language) == "not a date"


@pytest.mark.parametrize("language", ["en", "de", "ja", "ar"])
def test_warnings_are_shown_in_plain_translated_words(client: TestClient, language: str) -> None:
    credential = foreign(None, type="AchievementSubject")  # a single type: a warning
    text = unescape(post(client, language, credential=json.dumps(credential)))
    assert i18n.gettext(language, messages.WARNINGS["schema_compacted_value"]) in text
    assert "<code>schema_compacted_value</code>" in text
    assert text.count('class="warning"') == 1


def test_unknown_warning_codes_fall_back_to_the_reports_english() -> None:
    assert messages.warning("made_up_code", "plain English", "ja") == ("plain English", "en")
    known = messages.warning("issuer_key_unconfirmed", "x", "de")
    assert known == (
        "Das eigene Dokument des Ausstellers konnte diesen Schlüssel nicht bestätigen.",
        "de",
    )


def test_form_has_a_labelled_optional_recipient_field(client: TestClient) -> None:
    text = client.get("/verify?lang=fr").text
    assert '<label for="recipient">Adresse e-mail, DID ou URL du titulaire</label>' in text
    assert '<input id="recipient" name="recipient" type="text"' in text


def again(text: str) -> dict[str, str]:
    form = text.split('class="again">', 1)[1].split("</form>", 1)[0]
    assert '<button type="submit">' in form
    return {name: unescape(value) for name, value in HIDDEN.findall(form)}


def test_check_again_reposts_the_same_pasted_credential_freshly(
    client: TestClient, issued: dict[str, Any]
) -> None:
    text = post(client, credential=json.dumps(issued["credential"]), recipient="a@b.org")
    assert 'action="/verify?fresh=1"' in text
    fields = again(text)
    assert fields.keys() == {"fresh", "credential", "recipient"}
    assert fields["fresh"] == "1"
    assert json.loads(fields["credential"]) == issued["credential"]
    again_text = post(client, **fields)
    assert "This credential is verified." in again_text
    assert again_text.count('<li class="passed">') == text.count('<li class="passed">')


@pytest.mark.parametrize("kind", ["url", "png", "jwt"])
def test_check_again_keeps_the_kind_of_input(
    client: TestClient, issue: Any, issued: dict[str, Any], kind: str
) -> None:
    if kind == "url":
        fields = again(post(client, url=issued["url"]))
        assert fields == {"fresh": "1", "url": issued["url"]}
    elif kind == "png":
        png = baking.bake_png(make_png(), issued["credential"])
        response = client.post("/verify", files={"file": ("b.png", png, "image/png")})
        fields = again(response.text)
        assert base64.b64decode(fields["image"]) == png
    else:
        token = issue(format="jwt")["jwt"]
        fields = again(post(client, credential=token))
        assert fields == {"fresh": "1", "credential": token}
    assert "This credential is verified." in post(client, **fields)


def test_check_again_keeps_the_language(client: TestClient, issued: dict[str, Any]) -> None:
    response = client.post("/verify?lang=de", data={"credential": json.dumps(issued["credential"])})
    assert 'action="/verify?fresh=1&amp;lang=de"' in response.text


def test_page_policy_allows_only_our_and_data_images_and_no_script(client: TestClient) -> None:
    for response in (client.get("/verify"), client.post("/verify", data={"url": ""})):
        policy = response.headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["default-src"] == "'none'"
        assert directives["img-src"] == f"{BASE} data:"
        assert "script-src" not in directives
        assert "*" not in policy
        assert response.headers["cache-control"] == "private, no-store"
