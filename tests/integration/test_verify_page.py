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

    issue.headers = headers  # type: ignore[attr-defined]  # for status changes
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


def headline(text: str) -> str:
    found = re.search(r'<p class="verdict [a-z]+" role="(?:status|alert)">(.*?)</p>', text, re.S)
    assert found, text[:1000]
    return unescape(found.group(1))


def sentences(text: str) -> dict[str, str]:
    """Each check's plain sentence, by check id."""
    found = re.findall(r"</span><br>(.*?)\n.*?<code>([a-z_]+)</code> · <code>", text, re.S)
    return {check_id: unescape(sentence) for sentence, check_id in found}


def foreign_with(**changes: Any) -> dict[str, Any]:
    """A did:key credential from someone else with top-level fields changed, signed here."""
    document = built_credential(Recipient("email", "grace@example.org")) | {"issuer": profile()}
    return sign_credential(document | changes, KEY, VM)


def unknown_issuer() -> dict[str, Any]:
    """Signed by a did:web issuer that does not exist (our host, no such issuer)."""
    did = "did:web:localhost%3A8000:issuers:nobody"
    document = built_credential(Recipient("email", "grace@example.org"))
    document["issuer"] = profile() | {"id": did}
    return sign_credential(document, KEY, f"{did}#key-1")


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("tampered", "Not genuine: this credential was changed after it was signed."),
        ("revoked", "Not valid: the issuer has revoked this credential."),
        ("suspended", "Not valid for now: the issuer has suspended this credential."),
        ("expired", "Expired: the end date of this credential has passed."),
        ("not_yet_valid", "Not valid yet: the start date of this credential is ahead."),
        ("issuer_unknown", messages.ISSUER_UNKNOWN),
        ("key_revoked", messages.REASONS_BY_CODE["issuer_key_revoked"]),
    ],
)
def test_headline_says_why_a_credential_is_not_verified(
    client: TestClient, issue: Any, case: str, reason: str, language: str
) -> None:
    if case in ("revoked", "suspended"):
        issued = issue(suspendable=True)
        action = {"revoked": "revoke", "suspended": "suspend"}[case]
        token = client.post(f"{API}/credentials/{issued['id']}/{action}", headers=issue.headers)
        assert token.status_code == 200, token.text
        credential = issued["credential"]
    elif case == "tampered":
        credential = issue()["credential"] | {"name": "Something else entirely"}
    elif case == "expired":
        credential = foreign_with(
            validFrom="2020-01-01T00:00:00Z", validUntil="2021-01-01T00:00:00Z"
        )
    elif case == "not_yet_valid":
        credential = foreign_with(validFrom="2099-01-01T00:00:00Z")
    elif case == "key_revoked":
        credential = issue()["credential"]
        key_id = credential["proof"][0]["verificationMethod"].rpartition("#")[2]
        revoked = client.post(
            f"{API}/keys/{key_id}/revoke", json={"reason": "leaked"}, headers=issue.headers
        )
        assert revoked.status_code == 200, revoked.text
    else:
        credential = unknown_issuer()
    text = post(client, language, credential=json.dumps(credential))
    assert headline(text) == i18n.gettext(language, reason)
    assert i18n.gettext(language, reason) != reason or language == "en"


def test_revoked_and_suspended_are_said_apart_in_the_checklist(
    client: TestClient, issue: Any
) -> None:
    found = {}
    for action in ("revoke", "suspend"):
        issued = issue(suspendable=True)
        client.post(f"{API}/credentials/{issued['id']}/{action}", headers=issue.headers)
        text = post(client, credential=json.dumps(issued["credential"]))
        found[action] = sentences(text)["status"]
    assert found["revoke"] == "The issuer has revoked it. This is final."
    assert found["suspend"] == "The issuer has suspended it for now. The issuer can lift this."


def test_no_expiry_is_not_an_earlier_failure(client: TestClient) -> None:
    said = sentences(post(client, credential=json.dumps(foreign())))
    assert said["valid_until"] == "It has no end date."
    assert said["status"] == "The issuer gave no way to revoke it."
    tampered = foreign() | {"name": "Changed"}
    said = sentences(post(client, credential=json.dumps(tampered)))
    assert said["valid_until"] == "Not checked, because an earlier step failed."


def test_a_failed_credentials_details_are_unconfirmed_claims(
    client: TestClient, issued: dict[str, Any]
) -> None:
    note = "The credential says the following. As it is not verified, none of it is confirmed."
    tampered = issued["credential"] | {"name": "Something else entirely"}
    assert note in unescape(post(client, credential=json.dumps(tampered)))
    assert note not in unescape(post(client, credential=json.dumps(issued["credential"])))


OB2_ASSERTION = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "Assertion",
    "id": "https://example.org/assertions/1",
    "recipient": {"type": "email", "hashed": False, "identity": "ada@example.org"},
    "badge": "https://example.org/badges/1",
    "verification": {"type": "hosted"},
    "issuedOn": "2020-01-01T00:00:00Z",
}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64)


@pytest.mark.parametrize("language", sorted(i18n.LANGUAGES))
@pytest.mark.parametrize("kind", ["jpeg", "ob2-file", "ob2-pasted"])
def test_a_jpeg_or_an_open_badges_2_badge_is_named(
    client: TestClient, kind: str, language: str
) -> None:
    headers = {"Accept-Language": language}
    if kind == "jpeg":
        files = {"file": ("badge.jpg", JPEG, "image/jpeg")}
        response = client.post("/verify", files=files, headers=headers)
        expected = messages.INPUT_KINDS["jpeg"]
    elif kind == "ob2-file":
        files = {"file": ("badge.json", json.dumps(OB2_ASSERTION), "application/json")}
        response = client.post("/verify", files=files, headers=headers)
        expected = messages.INPUT_KINDS["ob2"]
    else:
        data = {"credential": json.dumps(OB2_ASSERTION)}
        response = client.post("/verify", data=data, headers=headers)
        expected = messages.INPUT_KINDS["ob2"]
    assert headline(response.text) == i18n.gettext(language, expected)


@pytest.mark.parametrize("language", ["en", "fr", "ja"])
def test_a_problem_with_the_input_is_said_in_the_readers_language(
    client: TestClient, language: str
) -> None:
    response = client.post(
        "/verify", data={"credential": "not a credential"}, headers={"Accept-Language": language}
    )
    assert response.status_code == 422
    wanted = messages.PROBLEMS["not_a_credential"]
    assert headline(response.text) == i18n.gettext(language, wanted)
