"""POST /api/v1/verify and status: re-verification past the remote cache (``?fresh=true``, a
form's ``fresh`` field), ``checkedAt``, 1EdTech revocation lists, status lists of another
issuer, short and expired lists. Other servers answer through ``httpx.MockTransport`` (the one
network seam); every document is signed in the test."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from badgeservice.app import create_app
from badgeservice.remote import RemoteFetcher
from badgeservice.settings import Settings
from badgeservice.vc import build_did_document, did_key_from_key, generate_key, sign_credential
from badgeservice.vc.keys import KeyPair
from badgeservice.vc.statuslist import (
    DEFAULT_SIZE,
    StatusList,
    build_status_entry,
    build_status_list_credential,
)
from tests.unit.vc.documents import ob_credential

KEY = generate_key("Ed25519")
ISSUER = "did:web:issuer.example.org"
VM = f"{ISSUER}#key-1"
DID_URL = "https://issuer.example.org/.well-known/did.json"
LIST_URL = "https://status.example.org/lists/1"
RL_URL = "https://status.example.org/revocations/1"
CREDENTIAL_URL = "https://credentials.example.org/1"
EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CREDENTIAL_ID = "urn:uuid:1355319d-8ae6-4f8d-a5be-0601399a1f50"


class Web:
    """Other servers: JSON documents by URL, and every URL asked for."""

    def __init__(self) -> None:
        self.documents: dict[str, Any] = {DID_URL: build_did_document(ISSUER, [(VM, KEY)])}
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        # the fetcher connects to the checked address; the name travels in the Host header
        url = f"{request.url.scheme}://{request.headers['host']}{request.url.path}"
        self.seen.append(url)
        if url not in self.documents:
            return httpx.Response(404, json={})
        return httpx.Response(200, json=self.documents[url])

    def hits(self, url: str) -> int:
        return self.seen.count(url)


@pytest.fixture
def web() -> Web:
    return Web()


@pytest.fixture
def api(settings: Settings, web: Web) -> Iterator[TestClient]:
    """The app, its guarded client talking to ``web`` (every host resolves to one public
    address, so the SSRF guard lets the requests through to the mock)."""
    application = create_app(settings, configure_logs=False)
    application.state.remote.close()
    application.state.remote = RemoteFetcher(
        transport=httpx.MockTransport(web), resolve=lambda host, port: ["93.184.216.34"]
    )
    with TestClient(application, raise_server_exceptions=False) as client:
        yield client
    application.state.engine.dispose()


def status_list(
    *set_bits: int,
    issuer: str = ISSUER,
    key: KeyPair = KEY,
    vm: str = VM,
    size: int = DEFAULT_SIZE,
    **dates: str,
) -> dict[str, Any]:
    bits = StatusList(size)
    for index in set_bits:
        bits.set(index)
    unsigned = build_status_list_credential(LIST_URL, issuer, "revocation", bits, **dates)
    return sign_credential(unsigned, key, vm, proof_set=True)


def credential(status: dict[str, Any] | None = None) -> dict[str, Any]:
    unsigned = ob_credential(ISSUER, credentialStatus=status or build_status_entry(LIST_URL, 5))
    if unsigned["credentialStatus"]["type"] == "1EdTechRevocationList":
        unsigned["@context"].append(EXTENSIONS)
    return sign_credential(unsigned, KEY, VM, proof_set=True)


def verify(api: TestClient, query: str = "", **kwargs: Any) -> dict[str, Any]:
    response = api.post(f"/api/v1/verify{query}", **kwargs)
    assert response.status_code == 200, response.text
    return dict(response.json())


def status(report: dict[str, Any]) -> dict[str, Any]:
    return next(check for check in report["checks"] if check["id"] == "status")


def test_reverify_with_fresh_fetches_past_the_cache_and_carries_checked_at(
    api: TestClient, web: Web
) -> None:
    web.documents[LIST_URL] = status_list()
    signed = credential()
    for _ in range(2):
        assert verify(api, json=signed)["verified"] is True
    assert (web.hits(DID_URL), web.hits(LIST_URL)) == (1, 1)  # cached by default

    web.documents[LIST_URL] = status_list(5)  # the issuer revokes it
    assert verify(api, json=signed)["verified"] is True  # the cached list still says valid
    before = datetime.now(UTC).replace(microsecond=0)
    report = verify(api, "?fresh=true", json=signed)
    assert (report["verified"], status(report)["code"]) == (False, "status_revoked")
    assert (web.hits(DID_URL), web.hits(LIST_URL)) == (2, 2)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", report["checkedAt"])
    checked_at = datetime.fromisoformat(report["checkedAt"].replace("Z", "+00:00"))
    assert before <= checked_at <= datetime.now(UTC) + timedelta(seconds=1)

    assert verify(api, json=signed)["verified"] is False  # the fresh copy replaced the old
    assert (web.hits(DID_URL), web.hits(LIST_URL)) == (2, 2)


@pytest.mark.parametrize(("fresh", "hits"), [("1", 2), ("true", 2), ("0", 1), ("", 1)])
def test_form_field_fresh_reverifies_past_the_cache(
    api: TestClient, web: Web, fresh: str, hits: int
) -> None:
    """The verification page's "check again" button posts ``fresh=1`` with the credential."""
    web.documents[LIST_URL] = status_list()
    form = {"credential": json.dumps(credential()), "fresh": fresh}
    verify(api, data=form)
    report = verify(api, data=form)
    assert report["verified"] is True, report
    assert (web.hits(DID_URL), web.hits(LIST_URL)) == (hits, hits)


def test_verification_page_reverifies_past_the_cache_with_fresh(api: TestClient, web: Web) -> None:
    web.documents[LIST_URL] = status_list()
    form = {"credential": json.dumps(credential()), "fresh": "1"}
    for _ in range(2):
        page = api.post("/verify", data=form)
        assert page.status_code == 200, page.text
    assert (web.hits(DID_URL), web.hits(LIST_URL)) == (2, 2)


def test_credential_by_url_is_fetched_again_with_fresh(api: TestClient, web: Web) -> None:
    web.documents[LIST_URL] = status_list()
    web.documents[CREDENTIAL_URL] = credential()
    for query in ("", "", "?fresh=true"):
        assert verify(api, query, json={"url": CREDENTIAL_URL})["verified"] is True
    assert web.hits(CREDENTIAL_URL) == 2


def test_openapi_documents_the_fresh_parameter(api: TestClient) -> None:
    operation = api.get("/openapi.json").json()["paths"]["/api/v1/verify"]["post"]
    (fresh,) = [p for p in operation["parameters"] if p["name"] == "fresh"]
    assert fresh["in"] == "query"
    assert "cache" in fresh["description"]
    schema = api.get("/openapi.json").json()["components"]["schemas"]["VerifyOut"]
    assert "checkedAt" in schema["required"]


@pytest.mark.parametrize(
    ("revoked", "verified", "code"),
    [
        ([{"id": CREDENTIAL_ID, "revocationReason": "Issued in error"}], False, "status_revoked"),
        ([{"id": "urn:uuid:another"}], True, "status_valid"),
    ],
)
def test_1edtech_revocation_list_is_fetched_and_read(
    api: TestClient, web: Web, revoked: list[dict[str, Any]], verified: bool, code: str
) -> None:
    web.documents[RL_URL] = {"id": RL_URL, "issuer": ISSUER, "revokedCredentials": revoked}
    signed = credential({"id": RL_URL, "type": "1EdTechRevocationList"})
    report = verify(api, json=signed)
    assert (report["verified"], status(report)["code"]) == (verified, code), report
    assert "without a proof" in status(report)["message"]
    assert web.hits(RL_URL) == 1


def test_unreachable_1edtech_revocation_list_is_an_error(api: TestClient, web: Web) -> None:
    report = verify(api, json=credential({"id": RL_URL, "type": "1EdTechRevocationList"}))
    assert (status(report)["outcome"], status(report)["code"]) == (
        "error",
        "status_list_unreachable",
    )
    assert report["verified"] is False


def test_short_list_of_another_issuer_verifies_with_a_warning(api: TestClient, web: Web) -> None:
    other = generate_key("Ed25519")
    other_did = did_key_from_key(other)
    vm = f"{other_did}#{other_did.removeprefix('did:key:')}"
    web.documents[LIST_URL] = status_list(issuer=other_did, key=other, vm=vm, size=16_384)
    report = verify(api, json=credential())
    assert report["verified"] is True, report
    assert f"signed by {other_did}" in status(report)["message"]
    assert [(w["check"], w["code"]) for w in report["warnings"]] == [
        ("status", "status_list_short")
    ]
    assert [w["code"] for w in status(report)["warnings"]] == ["status_list_short"]


@pytest.mark.parametrize(
    ("dates", "code"),
    [
        ({"valid_until": "2021-01-01T00:00:00Z"}, "status_list_expired"),
        ({"valid_from": "2099-01-01T00:00:00Z"}, "status_list_not_yet_valid"),
    ],
)
def test_status_list_outside_its_validity_period_is_an_error(
    api: TestClient, web: Web, dates: dict[str, str], code: str
) -> None:
    web.documents[LIST_URL] = status_list(**dates)
    report = verify(api, json=credential())
    assert (status(report)["outcome"], status(report)["code"]) == ("error", code)
    assert report["verified"] is False


def test_status_list_naming_the_issuer_but_signed_by_a_stranger_is_refused(
    api: TestClient, web: Web
) -> None:
    stranger = generate_key("Ed25519")
    did = did_key_from_key(stranger)
    web.documents[LIST_URL] = status_list(key=stranger, vm=f"{did}#{did.removeprefix('did:key:')}")
    report = verify(api, json=credential())
    assert (status(report)["outcome"], status(report)["code"]) == (
        "error",
        "status_list_signer_mismatch",
    )
    assert report["verified"] is False
