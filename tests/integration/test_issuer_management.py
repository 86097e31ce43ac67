"""What a first user manages: the issuer's profile (PATCH, logo upload), its tokens (listing,
last use, revocation by the issuer) and its keys (revocation: what a revoked key signed fails
verification with a clear reason)."""

from __future__ import annotations

import base64
import json
import re
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from xml.etree.ElementTree import canonicalize

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from badgeservice.clock import FixedClock
from badgeservice.db.models import ApiToken, AuditEvent, Issuer, IssuerKey, StatusList
from badgeservice.vc.dids import DidResolver
from badgeservice.vc.errors import DidResolutionError
from tests.factories import (
    ISSUER_API,
    SVG,
    bearer,
    create_issuer,
    create_token,
    issue_over_api,
    make_png,
)

LD_JSON = {"Accept": "application/ld+json"}


def scoped(session: Session, *scopes: str) -> dict[str, str]:
    """A token of the default issuer with only ``scopes``."""
    issuer = session.scalar(select(Issuer).where(Issuer.slug == "wmde"))
    return bearer(create_token(session, issuer, scopes=list(scopes)))


def live_profile(client: TestClient) -> dict[str, Any]:
    response = client.get("/issuers/wmde", headers=LD_JSON)
    assert response.status_code == 200, response.text
    return dict(response.json())


def verify(client: TestClient, credential: dict[str, Any] | str) -> dict[str, Any]:
    if isinstance(credential, str):
        response = client.post(
            "/api/v1/verify", content=credential, headers={"Content-Type": "text/plain"}
        )
    else:
        response = client.post("/api/v1/verify", json=credential)
    assert response.status_code == 200, response.text
    return dict(response.json())


def check(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["id"] == check_id)


def events(session: Session, action: str) -> list[AuditEvent]:
    session.rollback()
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- PATCH /api/v1/issuers/{slug} -------------------------------------------------------------


def test_issuer_write_changes_the_live_profile_not_issued_credentials(
    client: TestClient, headers: dict[str, str], achievement_id: str, session: Session
) -> None:
    before = issue_over_api(client, headers, achievement_id)["credential"]
    patch = {
        "name": "Wikimedia Deutschland e. V.",
        "url": "https://www.wikimedia.de/",
        "description": "Freies Wissen.",
        "email": "info@wikimedia.de",
    }
    response = client.patch(ISSUER_API, json=patch, headers=scoped(session, "issuer:write"))
    assert response.status_code == 200, response.text
    assert {k: response.json()[k] for k in patch} == patch
    profile = live_profile(client)
    assert {k: profile[k] for k in patch} == patch
    assert before["issuer"]["name"] == "Wikimedia Deutschland"  # signed as it was
    assert verify(client, before)["verified"] is True
    after = issue_over_api(client, headers, achievement_id)["credential"]
    assert after["issuer"]["name"] == patch["name"]
    (event,) = events(session, "issuer.updated")
    assert event.details == {"changed": ["description", "email", "name", "url"]}
    assert "info@wikimedia.de" not in json.dumps(event.details)


def test_patch_null_removes_a_member(client: TestClient, session: Session) -> None:
    create_issuer(session, description="Old text.", url="https://wikimedia.de/")
    response = client.patch(
        ISSUER_API, json={"description": None}, headers=scoped(session, "issuer:write")
    )
    assert response.status_code == 200, response.text
    assert response.json()["description"] is None
    assert response.json()["url"] == "https://wikimedia.de/"
    assert "description" not in live_profile(client)


@pytest.mark.parametrize(
    ("scopes", "patch", "status"),
    [
        (["issuer:write"], {"jwtAlgorithm": "RS256"}, 403),
        (["keys:manage"], {"name": "Other"}, 403),
        (["issuer:read"], {"description": "x"}, 403),
        (["keys:manage"], {"jwtAlgorithm": "RS256"}, 200),
        (["issuer:write", "keys:manage"], {"name": "Other", "jwtAlgorithm": "RS256"}, 200),
    ],
)
def test_patch_needs_the_scope_of_each_member(
    client: TestClient, session: Session, scopes: list[str], patch: dict[str, Any], status: int
) -> None:
    create_issuer(session)
    response = client.patch(ISSUER_API, json=patch, headers=scoped(session, *scopes))
    assert response.status_code == status, response.text
    if status == 403:
        assert response.json()["code"] == "permission_denied"
        session.rollback()
        issuer = session.scalar(select(Issuer).where(Issuer.slug == "wmde"))
        assert issuer is not None
        assert (issuer.name, issuer.jwt_algorithm) == ("Wikimedia Deutschland", "ES256")


@pytest.mark.parametrize(
    ("patch", "pointer"),
    [
        ({"name": None}, "/body/name"),
        ({"name": ""}, "/body/name"),
        ({"url": "ftp://example.org/"}, "/body/url"),
        ({"email": "not an email"}, "/body/email"),
        ({"image": "javascript:alert(1)"}, "/body/image"),
        ({"description": "x" * 5001}, "/body/description"),
        ({"slug": "other"}, "/body/slug"),
        ({"jwtAlgorithm": "HS256"}, "/body/jwtAlgorithm"),
    ],
)
def test_invalid_patch_gets_422_and_changes_nothing(
    client: TestClient, session: Session, patch: dict[str, Any], pointer: str
) -> None:
    create_issuer(session)
    headers = scoped(session, "issuer:write", "keys:manage")
    response = client.patch(ISSUER_API, json=patch, headers=headers)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "validation_failed"
    assert [e["pointer"] for e in body["errors"]] == [pointer]
    assert live_profile(client)["name"] == "Wikimedia Deutschland"
    assert events(session, "issuer.updated") == []


# --- PUT /api/v1/issuers/{slug}/image ---------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "media_type"), [(make_png(), "image/png"), (SVG, "image/svg+xml")]
)
def test_logo_upload_shows_in_profile_and_page(
    client: TestClient, session: Session, content: bytes, media_type: str
) -> None:
    create_issuer(session)
    response = client.put(
        f"{ISSUER_API}/image",
        content=content,
        headers={"Content-Type": media_type} | scoped(session, "issuer:write"),
    )
    assert response.status_code == 200, response.text
    url = response.json()["image"]
    assert re.fullmatch(r"http://localhost:8000/images/[0-9a-f-]{36}", url)
    assert live_profile(client)["image"] == {
        "id": url,
        "type": "Image",
        "caption": "Wikimedia Deutschland",
    }
    served = client.get(url.removeprefix("http://localhost:8000"))
    assert served.status_code == 200
    assert served.headers["content-type"] == media_type
    if media_type == "image/png":
        assert served.content == content
    else:  # stored cleaned, the same drawing
        assert canonicalize(served.content.decode()) == canonicalize(content.decode())
    page = client.get("/issuers/wmde", headers={"Accept": "text/html"})
    assert f'src="{url}"' in page.text
    assert [e.details for e in events(session, "issuer.updated")] == [{"changed": ["image"]}]


@pytest.mark.parametrize(
    ("content", "media_type", "scopes", "status", "code"),
    [
        (make_png(), "image/gif", ["issuer:write"], 415, "unsupported_media_type"),
        (b"\x89PNG\r\n\x1a\nbroken", "image/png", ["issuer:write"], 422, "validation_failed"),
        (b"<svg><!DOCTYPE x></svg>", "image/svg+xml", ["issuer:write"], 422, "validation_failed"),
        (make_png(), "image/png", ["issuer:read"], 403, "permission_denied"),
    ],
)
def test_bad_logo_upload_is_refused(
    client: TestClient,
    session: Session,
    content: bytes,
    media_type: str,
    scopes: list[str],
    status: int,
    code: str,
) -> None:
    create_issuer(session)
    response = client.put(
        f"{ISSUER_API}/image",
        content=content,
        headers={"Content-Type": media_type} | scoped(session, *scopes),
    )
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    assert "image" not in live_profile(client)


def test_a_logo_is_cleaned_like_an_achievement_image(client: TestClient, session: Session) -> None:
    create_issuer(session)
    hostile = SVG.replace(b"</svg>", b"<script>alert(1)</script></svg>")
    response = client.put(
        f"{ISSUER_API}/image",
        content=hostile,
        headers={"Content-Type": "image/svg+xml"} | scoped(session, "issuer:write"),
    )
    assert response.status_code == 200, response.text
    served = client.get(response.json()["image"].removeprefix("http://localhost:8000"))
    assert b"<circle" in served.content
    assert b"script" not in served.content


# --- GET /api/v1/issuers/{slug}/tokens, last use, revocation ----------------------------------


def test_tokens_are_listed_without_secrets(client: TestClient, session: Session) -> None:
    issuer = create_issuer(session)
    admin = bearer(create_token(session))
    reader = create_token(session, issuer, name="reader", scopes=["issuer:read"])
    old = create_token(session, issuer, name="old", scopes=["credentials:issue"])
    client.delete(
        f"{ISSUER_API}/tokens/{_token_id(session, old)}", headers=admin
    ).raise_for_status()
    client.get(ISSUER_API, headers=bearer(reader)).raise_for_status()
    response = client.get(f"{ISSUER_API}/tokens", headers=admin)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == 2
    listed = {t["name"]: t for t in page["items"]}
    assert listed["reader"]["scopes"] == ["issuer:read"]
    assert listed["reader"]["lastUsedAt"] is not None
    assert listed["reader"]["revokedAt"] is None
    assert listed["old"]["lastUsedAt"] is None
    assert listed["old"]["revokedAt"] is not None
    assert set(listed["reader"]) == {
        "id",
        "name",
        "prefix",
        "scopes",
        "createdAt",
        "expiresAt",
        "lastUsedAt",
        "revokedAt",
    }
    assert reader not in response.text
    assert listed["reader"]["prefix"] == reader[:12]


def test_issuer_token_lists_its_own_tokens_only(client: TestClient, session: Session) -> None:
    wmde = create_issuer(session)
    other = create_issuer(session, slug="wmat", name="Wikimedia Österreich")
    reader = bearer(create_token(session, wmde, scopes=["issuer:read"]))
    create_token(session, other, name="theirs")
    response = client.get(f"{ISSUER_API}/tokens", headers=reader)
    assert response.status_code == 200, response.text
    assert [t["name"] for t in response.json()["items"]] == ["test"]
    assert client.get("/api/v1/issuers/wmat/tokens", headers=reader).status_code == 404
    no_scope = bearer(create_token(session, wmde, scopes=["credentials:issue"]))
    assert client.get(f"{ISSUER_API}/tokens", headers=no_scope).status_code == 403


def test_last_use_is_written_at_most_once_a_minute(
    client: TestClient, session: Session, clock: FixedClock
) -> None:
    issuer = create_issuer(session)
    secret = create_token(session, issuer, scopes=["issuer:read"])
    token_id = _token_id(session, secret)
    first = clock.now()
    client.get(ISSUER_API, headers=bearer(secret)).raise_for_status()
    assert _last_used(session, token_id) == first
    for seconds in (1, 30, 59):
        clock.set(first + timedelta(seconds=seconds))
        client.get(ISSUER_API, headers=bearer(secret)).raise_for_status()
        assert _last_used(session, token_id) == first  # no write per request
    latest = clock.advance(timedelta(seconds=1))  # a minute after the recorded use
    client.get(ISSUER_API, headers=bearer(secret)).raise_for_status()
    assert _last_used(session, token_id) == latest


def test_last_use_is_recorded_even_when_the_request_then_fails(
    client: TestClient, session: Session
) -> None:
    issuer = create_issuer(session)
    secret = create_token(session, issuer, scopes=["issuer:read"])
    response = client.patch(ISSUER_API, json={"name": "x"}, headers=bearer(secret))
    assert response.status_code == 403
    assert _last_used(session, _token_id(session, secret)) is not None


def test_issuer_write_token_revokes_a_token_of_its_issuer(
    client: TestClient, session: Session
) -> None:
    issuer = create_issuer(session)
    leaked = create_token(session, issuer, name="leaked")
    writer = bearer(create_token(session, issuer, scopes=["issuer:write"]))
    reader = bearer(create_token(session, issuer, scopes=["issuer:read"]))
    path = f"{ISSUER_API}/tokens/{_token_id(session, leaked)}"
    assert client.delete(path, headers=reader).status_code == 403
    assert client.delete(path, headers=writer).status_code == 204
    response = client.get(ISSUER_API, headers=bearer(leaked))
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def _token_id(session: Session, secret: str) -> Any:
    session.rollback()
    return session.scalar(select(ApiToken.id).where(ApiToken.prefix == secret[:12]))


def _last_used(session: Session, token_id: Any) -> Any:
    session.rollback()
    return session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == token_id))


# --- POST /api/v1/issuers/{slug}/keys/{keyId}/revoke ------------------------------------------


def revoke(client: TestClient, headers: dict[str, str], key_id: str, reason: str = "leaked") -> Any:
    path = f"{ISSUER_API}/keys/{key_id}/revoke"
    return client.post(path, json={"reason": reason}, headers=headers)


def active_key(client: TestClient, headers: dict[str, str], purpose: str) -> dict[str, Any]:
    listed = client.get(f"{ISSUER_API}/keys", headers=headers).json()
    return next(k for k in listed if k["purpose"] == purpose and k["status"] == "active")


def assert_revoked_report(report: dict[str, Any], vm_id: str) -> None:
    assert report["verified"] is False
    key_check = check(report, "issuer_key")
    assert key_check["outcome"] == "failed"
    assert key_check["code"] == "issuer_key_revoked"
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert key_check["message"] == f"the issuer revoked this key on {today} ({vm_id})"


def test_credentials_signed_with_a_revoked_key_fail_with_the_reason(
    client: TestClient, headers: dict[str, str], achievement_id: str, session: Session
) -> None:
    before = issue_over_api(client, headers, achievement_id)["credential"]
    old = active_key(client, headers, "data_integrity")
    assert before["proof"][0]["verificationMethod"] == old["id"]
    response = revoke(client, headers, old["keyId"], "The key file was leaked.")
    assert response.status_code == 200, response.text
    listed = {k["keyId"]: k for k in response.json()}
    assert listed[old["keyId"]]["status"] == "revoked"
    assert listed[old["keyId"]]["revocationReason"] == "The key file was leaked."
    assert listed[old["keyId"]]["revokedAt"] is not None
    new = active_key(client, headers, "data_integrity")  # revoking replaced the active key
    assert new["keyId"] != old["keyId"]
    assert_revoked_report(verify(client, before), old["id"])
    after = issue_over_api(client, headers, achievement_id)["credential"]
    assert after["proof"][0]["verificationMethod"] == new["id"]
    report = verify(client, after)
    assert report["verified"] is True, report  # its status list is re-signed with the new key
    (event,) = events(session, "key.revoked")
    assert event.details == {
        "key": old["keyId"],
        "reason": "The key file was leaked.",
        "replacedBy": [new["keyId"]],
    }


def test_the_did_document_marks_a_revoked_key_and_stops_authorising_it(
    client: TestClient, headers: dict[str, str]
) -> None:
    old = active_key(client, headers, "data_integrity")
    revoke(client, headers, old["keyId"]).raise_for_status()
    document = client.get("/issuers/wmde/did.json").json()
    method = next(m for m in document["verificationMethod"] if m["id"] == old["id"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", method["revoked"])
    for relationship in ("assertionMethod", "authentication"):
        assert old["id"] not in document[relationship]
    assert active_key(client, headers, "data_integrity")["id"] in document["assertionMethod"]
    # What any verifier that checks the proof purpose then does with the key: refuse it.
    resolver = DidResolver(lambda _url: document)
    with pytest.raises(DidResolutionError) as refused:
        resolver.resolve(old["id"], "assertionMethod")
    assert refused.value.code == "verification_method_not_authorized"


def test_a_vc_jwt_signed_with_a_revoked_key_fails(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    token = issue_over_api(client, headers, achievement_id, format="jwt")["jwt"]
    kid = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"]
    old = active_key(client, headers, "jwt")
    assert kid == old["id"]
    revoke(client, headers, old["keyId"]).raise_for_status()
    assert_revoked_report(verify(client, token), old["id"])
    fresh = issue_over_api(client, headers, achievement_id, format="jwt")["jwt"]
    assert verify(client, fresh)["verified"] is True


def test_revoking_a_retired_key_creates_no_new_key(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    before = issue_over_api(client, headers, achievement_id)["credential"]
    old = active_key(client, headers, "data_integrity")
    client.post(f"{ISSUER_API}/keys/rotate", headers=headers).raise_for_status()
    assert verify(client, before)["verified"] is True  # retired: still verifies
    count = len(client.get(f"{ISSUER_API}/keys", headers=headers).json())
    response = revoke(client, headers, old["keyId"])
    assert response.status_code == 200, response.text
    assert len(response.json()) == count
    assert_revoked_report(verify(client, before), old["id"])


def test_revoking_twice_changes_nothing(client: TestClient, headers: dict[str, str]) -> None:
    old = active_key(client, headers, "data_integrity")
    first = revoke(client, headers, old["keyId"], "first").json()
    second = revoke(client, headers, old["keyId"], "second")
    assert second.status_code == 200
    assert second.json() == first


@pytest.mark.parametrize(
    ("key_id", "body", "scopes", "status", "code"),
    [
        ("key-99", {"reason": "x"}, ["keys:manage"], 404, "not_found"),
        ("did:web:elsewhere#key-1", {"reason": "x"}, ["keys:manage"], 404, "not_found"),
        ("key-1", {}, ["keys:manage"], 422, "validation_failed"),
        ("key-1", {"reason": ""}, ["keys:manage"], 422, "validation_failed"),
        ("key-1", {"reason": "x"}, ["issuer:write"], 403, "permission_denied"),
    ],
)
def test_bad_key_revocation_is_refused(
    client: TestClient,
    session: Session,
    key_id: str,
    body: dict[str, Any],
    scopes: list[str],
    status: int,
    code: str,
) -> None:
    create_issuer(session)
    response = client.post(
        f"{ISSUER_API}/keys/{key_id.replace('#', '%23')}/revoke",
        json=body,
        headers=scoped(session, *scopes),
    )
    assert response.status_code == status, response.text
    assert response.json()["code"] == code
    session.rollback()
    assert session.scalar(select(IssuerKey).where(IssuerKey.status == "revoked")) is None


def test_revoking_the_signing_key_re_signs_status_lists(
    client: TestClient, headers: dict[str, str], achievement_id: str, session: Session
) -> None:
    issued = issue_over_api(client, headers, achievement_id)
    url = issued["credential"]["credentialStatus"]["statusListCredential"]
    path = url.removeprefix("http://localhost:8000")
    old_list = client.get(path).json()
    old = active_key(client, headers, "data_integrity")
    assert old_list["proof"][0]["verificationMethod"] == old["id"]
    revoke(client, headers, old["keyId"]).raise_for_status()
    session.rollback()  # re-signed in the revoking transaction, before any GET
    stored = session.scalars(select(StatusList)).one()
    assert stored.signed_version == stored.version
    new = active_key(client, headers, "data_integrity")
    assert json.loads(stored.signed_document)["proof"][0]["verificationMethod"] == new["id"]
    assert client.get(path).text == stored.signed_document


def test_a_get_records_last_use_after_a_concurrent_write_commits(
    client: TestClient, session: Session, backend: str, database_url: str
) -> None:
    """On SQLite a GET reads in a deferred transaction; writing the last use in that same
    transaction fails at once ("database is locked") when another writer (a batch) committed
    while it waited. The write gets a transaction of its own, which waits its turn."""
    if backend != "sqlite":
        pytest.skip("the stale-snapshot failure is SQLite's")
    issuer = create_issuer(session)
    secret = create_token(session, issuer, scopes=["issuer:read"])
    token_id = _token_id(session, secret)
    path = str(make_url(database_url).database)
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")  # a batch holds the write lock ...
    writer.execute("UPDATE issuers SET name = name WHERE slug = 'wmde'")
    release = threading.Timer(0.5, writer.execute, args=("COMMIT",))  # ... and commits soon
    release.start()
    try:
        response = client.get(ISSUER_API, headers=bearer(secret))
    finally:
        release.join()
        writer.close()
    assert response.status_code == 200, response.text
    assert _last_used(session, token_id) is not None
