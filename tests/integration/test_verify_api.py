"""POST /api/v1/verify and the /verify page: our credentials, tampering, other issuers, SSRF,
hostile input. Every answer is a report (or a clear 4xx), never a 500."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from badgeservice.app import create_app
from badgeservice.settings import Settings
from badgeservice.vc import STEP_IDS, baking, did_key_from_key, generate_key, sign_credential
from badgeservice.vc.dids import build_did_document
from tests.factories import ACHIEVEMENT, SVG, make_png
from tests.factories import issue_over_api as issue

API = "/api/v1/issuers/wmde"


def verify(client: TestClient, **kwargs: Any) -> dict[str, Any]:
    response = client.post("/api/v1/verify", **kwargs)
    assert response.status_code == 200, response.text
    return dict(response.json())


def outcomes(report: dict[str, Any]) -> dict[str, str]:
    return {check["id"]: check["outcome"] for check in report["checks"]}


def test_our_credential_verifies_with_a_summary(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    issued = issue(client, headers, achievement_id)
    report = verify(client, json=issued["credential"])
    assert report["verified"] is True, report
    assert set(outcomes(report).values()) <= {"passed", "skipped"}
    assert [c["id"] for c in report["checks"]] == [i for i in STEP_IDS if i != "recipient"]
    summary = report["credential"]
    assert summary["issuer"] == {
        "id": issued["credential"]["issuer"]["id"],
        "name": "Wikimedia Deutschland",
    }
    assert summary["recipient"] == {"name": "Ada", "hashedIdentifiers": ["emailAddress"]}
    assert summary["name"] == ACHIEVEMENT["name"]["en"]


def test_jwt_and_baked_images_verify(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    jwt = issue(client, headers, achievement_id, format="jwt")["jwt"]
    assert verify(client, content=jwt, headers={"Content-Type": "text/plain"})["verified"]
    credential = issue(client, headers, achievement_id)["credential"]
    png = baking.bake_png(make_png(), credential)
    report = verify(client, content=png, headers={"Content-Type": "image/png"})
    assert (report["verified"], report["format"]) == (True, "png")
    svg = baking.bake_svg(SVG, credential)
    files = {"file": ("badge.svg", svg, "image/svg+xml")}
    assert verify(client, files=files)["verified"]


@pytest.mark.parametrize(
    ("change", "failing"),
    [
        (
            {"validFrom": "2020-01-01T00:00:00Z", "validUntil": "2021-01-01T00:00:00Z"},
            "valid_until",
        ),
        ({"validFrom": "2099-01-01T00:00:00Z"}, "valid_from"),
    ],
)
def test_dates_fail_their_checks(
    client: TestClient, headers: dict[str, str], achievement_id: str, change: Any, failing: str
) -> None:
    report = verify(client, json=issue(client, headers, achievement_id, **change)["credential"])
    assert report["verified"] is False
    assert outcomes(report)[failing] == "failed"


def test_revoked_and_suspended(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    issued = issue(client, headers, achievement_id, suspendable=True)
    path = f"{API}/credentials/{issued['id']}"
    client.post(f"{path}/suspend", headers=headers).raise_for_status()
    assert outcomes(verify(client, json=issued["credential"]))["status"] == "failed"
    client.post(f"{path}/unsuspend", headers=headers).raise_for_status()
    assert verify(client, json=issued["credential"])["verified"]
    client.post(f"{path}/revoke", headers=headers).raise_for_status()
    report = verify(client, json=issued["credential"])
    assert outcomes(report)["status"] == "failed"
    assert report["verified"] is False


def test_key_rotation(client: TestClient, headers: dict[str, str], achievement_id: str) -> None:
    before = issue(client, headers, achievement_id)
    client.post(f"{API}/keys/rotate", headers=headers).raise_for_status()
    assert verify(client, json=before["credential"])["verified"]


def _subject_name(c: dict[str, Any]) -> None:
    c["credentialSubject"]["identifier"][1]["identityHash"] = "Mallory"


def _issuer_name(c: dict[str, Any]) -> None:
    c["issuer"]["name"] = "Another Chapter"


def _achievement(c: dict[str, Any]) -> None:
    c["credentialSubject"]["achievement"]["name"] = "Doctorate"


def _date(c: dict[str, Any]) -> None:
    c["validFrom"] = "2020-01-01T00:00:00Z"


def _proof_value(c: dict[str, Any]) -> None:
    proof = c["proof"][0]  # we issue proof sets (arrays)
    value = proof["proofValue"]
    proof["proofValue"] = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]


def _foreign_key(c: dict[str, Any]) -> None:
    key = generate_key("Ed25519")
    did = did_key_from_key(key)
    unsigned = {k: v for k, v in c.items() if k != "proof"}
    c["proof"] = sign_credential(unsigned, key, f"{did}#{did.removeprefix('did:key:')}")["proof"]


def _undefined_term(c: dict[str, Any]) -> None:
    c["credentialSubject"]["favouriteColour"] = "blue"


@pytest.mark.parametrize(
    ("tamper", "check"),
    [
        (_subject_name, "proof"),
        (_issuer_name, "proof"),
        (_achievement, "proof"),
        (_date, "proof"),
        (_proof_value, "proof"),
        (_foreign_key, "issuer_key"),
        (_undefined_term, "safe_mode"),
    ],
)
def test_tampering_fails_at_the_right_check(
    client: TestClient, headers: dict[str, str], achievement_id: str, tamper: Any, check: str
) -> None:
    credential = copy.deepcopy(issue(client, headers, achievement_id)["credential"])
    tamper(credential)
    report = verify(client, json=credential)
    assert report["verified"] is False
    failing = [c for c in report["checks"] if c["outcome"] in {"failed", "error"}]
    assert failing[0]["id"] == check, report
    assert failing[0]["message"]


def test_w3c_vector_reports_issuer_binding(client: TestClient, shared_data: Path) -> None:
    vector = json.loads((shared_data / "vectors/eddsa-rdfc-2022/signedDataInt.json").read_text())
    report = verify(client, json=vector)
    checks = outcomes(report)
    assert checks["contexts"] in {"error", "failed"}  # the examples context is not ours to load
    assert report["verified"] is False


class Listener(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []
    routes: ClassVar[dict[str, tuple[int, bytes]]] = {}

    def do_GET(self) -> None:
        Listener.hits.append(self.path)
        status, body = Listener.routes.get(self.path, (404, b"{}"))
        self.send_response(status)
        if status in {301, 302}:
            self.send_header("Location", body.decode())
            body = b""
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[str]:
    Listener.hits, Listener.routes = [], {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), Listener)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.mark.parametrize(
    "url",
    [
        "http://{listener}/credential.json",
        "https://{listener}/credential.json",
        "https://[::1]/credential.json",
        "https://10.0.0.1/credential.json",
        "https://169.254.169.254/latest/meta-data/",
        "https://localhost:{port}/credential.json",
        "file:///etc/passwd",
    ],
)
def test_ssrf_targets_are_refused_untouched(client: TestClient, listener: str, url: str) -> None:
    target = url.format(listener=listener, port=listener.rsplit(":", 1)[1])
    response = client.post("/api/v1/verify", json={"url": target})
    # a refused address answers as any unreachable server does (502), a refused URL with 400
    assert response.status_code in {400, 502}, response.text
    assert response.json()["code"] in {"remote_url_refused", "remote_unreachable"}
    assert Listener.hits == []


@pytest.fixture
def trusting_app(settings: Settings, listener: str) -> Iterator[TestClient]:
    """An app that trusts the local listener's origins (as a development setting would)."""
    port = listener.rsplit(":", 1)[1]
    origins = [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    trusting = settings.model_copy(update={"remote_trusted_origins": origins})
    application = create_app(trusting, configure_logs=False)
    with TestClient(application) as client:
        yield client
    application.state.engine.dispose()


def test_did_web_issuer_on_a_trusted_host_verifies(trusting_app: TestClient, listener: str) -> None:
    key = generate_key("Ed25519")
    port = listener.rsplit(":", 1)[1]
    did = f"did:web:localhost%3A{port}:issuers:alpha"  # did:web allows no IP addresses
    vm = f"{did}#key-1"
    Listener.routes["/issuers/alpha/did.json"] = (
        200,
        json.dumps(build_did_document(did, [(vm, key)])).encode(),
    )
    credential = other_issuer_credential(did)
    report = verify(trusting_app, json=sign_credential(credential, key, vm))
    assert report["verified"] is True, report
    assert "/issuers/alpha/did.json" in Listener.hits


def test_unreachable_status_list_is_an_error(trusting_app: TestClient, listener: str) -> None:
    key = generate_key("Ed25519")
    did = did_key_from_key(key)
    credential = other_issuer_credential(did) | {
        "credentialStatus": {
            "id": f"http://{listener}/status/1#5",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "5",
            "statusListCredential": f"http://{listener}/status/1",
        }
    }
    Listener.routes["/status/1"] = (500, b"oops")
    signed = sign_credential(credential, key, f"{did}#{did.removeprefix('did:key:')}")
    report = verify(trusting_app, json=signed)
    assert outcomes(report)["status"] == "error"
    assert report["verified"] is False


def other_issuer_credential(issuer_id: str) -> dict[str, Any]:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:2b6f1b8e-8c1c-4b8e-9f3e-0d6e3c9a1f00",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Other badge",
        "issuer": {"id": issuer_id, "type": ["Profile"], "name": "Other issuer"},
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "id": "did:example:learner",
            "achievement": {
                "id": "urn:uuid:7c6e2f3a-1b2c-4d5e-8f90-123456789abc",
                "type": ["Achievement"],
                "name": "Other badge",
                "description": "From someone else.",
                "criteria": {"narrative": "Do things."},
            },
        },
    }


@pytest.mark.parametrize(
    ("content", "content_type", "statuses"),
    [
        (b"{" * 10_000 + b"}" * 10_000, "application/json", {400, 422}),
        (json.dumps({"a": "x" * 200_000}).encode(), "application/json", {413}),
        (b"\xff\xfe\xfa not utf-8", "text/plain", {422}),
        (b"hello", "text/plain", {422}),
        (b"[1, 2]", "application/json", {422}),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "image/png", {422}),
        (b"GIF89a", "image/gif", {415}),
    ],
)
def test_hostile_input_gets_a_clear_4xx(
    client: TestClient, content: bytes, content_type: str, statuses: set[int]
) -> None:
    response = client.post(
        "/api/v1/verify", content=content, headers={"Content-Type": content_type}
    )
    assert response.status_code in statuses, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert client.get("/healthz").status_code == 200


def test_deeply_nested_credential_gets_a_report(client: TestClient) -> None:
    credential = json.dumps(other_issuer_credential("did:example:issuer"))
    deep = '{"x": ' * 3_000 + "1" + "}" * 3_000
    response = client.post(
        "/api/v1/verify",
        content=credential[:-1] + ', "deep": ' + deep + "}",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code in {200, 400, 422}
    if response.status_code == 200:
        assert response.json()["verified"] is False


def test_verify_page_works_without_javascript(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    form = client.get("/verify")
    assert '<form method="post" action="/verify" enctype="multipart/form-data">' in form.text
    issued = issue(client, headers, achievement_id)
    page = client.post("/verify", data={"credential": json.dumps(issued["credential"])})
    assert page.status_code == 200
    assert "This credential is verified." in page.text
    assert "Nobody has changed the credential since the issuer signed it." in page.text
    assert "<details>" in page.text
    bad = client.post("/verify", data={"credential": "hello"})
    assert bad.status_code == 422
    assert "text/html" in bad.headers["content-type"]
    credential_page = client.get(f"/credentials/{issued['id']}")
    assert 'href="/verify"' in credential_page.text


def test_app_fixture_is_not_trusting(app: FastAPI) -> None:
    assert app.state.settings.remote_trusted_origins == []


def test_poison_graph_is_refused_quickly(client: TestClient) -> None:
    """A 10-node clique of blank nodes (RDFC-1.0 test074) inside a credential."""
    link = "https://example.org/vocab#link"
    clique = [
        {"@id": f"_:b{i}", link: [{"@id": f"_:b{j}"} for j in range(10) if j != i]}
        for i in range(10)
    ]
    credential = other_issuer_credential("did:example:issuer")
    credential["credentialSubject"]["https://example.org/vocab#graph"] = clique
    report = verify(client, json=credential)
    assert report["verified"] is False
    refused = [c for c in report["checks"] if c["outcome"] in {"failed", "error"}]
    assert refused[0]["id"] in {"safe_mode", "contexts", "structure"}


def test_png_bomb_is_refused(client: TestClient) -> None:
    """A PNG whose credential chunk claims more bytes than the file holds, then a huge one."""
    truncated = make_png()[:33] + b"\xff\xff\xff\xf0iTXt" + b"\x00" * 64
    response = client.post(
        "/api/v1/verify", content=truncated, headers={"Content-Type": "image/png"}
    )
    assert response.status_code == 422
    big = baking.bake_png(make_png(), {"blob": "x" * 50_000})
    response = client.post("/api/v1/verify", content=big, headers={"Content-Type": "image/png"})
    assert response.status_code in {200, 413, 422}
    assert client.get("/healthz").status_code == 200


class SlowListener(Listener):
    def do_GET(self) -> None:
        import time

        time.sleep(1.0)
        super().do_GET()


@pytest.fixture
def slow_app(settings: Settings) -> Iterator[tuple[TestClient, str]]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowListener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    impatient = settings.model_copy(
        update={"remote_trusted_origins": [origin], "remote_timeout": 0.3}
    )
    application = create_app(impatient, configure_logs=False)
    with TestClient(application) as client:
        yield client, f"127.0.0.1:{server.server_address[1]}"
    application.state.engine.dispose()
    server.shutdown()


def test_status_list_timeout_is_an_error(slow_app: tuple[TestClient, str]) -> None:
    client, host = slow_app
    key = generate_key("Ed25519")
    did = did_key_from_key(key)
    credential = other_issuer_credential(did) | {
        "credentialStatus": {
            "id": f"http://{host}/status/1#5",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "5",
            "statusListCredential": f"http://{host}/status/1",
        }
    }
    report = verify(client, json=sign_credential(credential, key, f"{did}#{did[8:]}"))
    assert outcomes(report)["status"] == "error"
    assert report["verified"] is False


def test_our_own_credential_url_is_read_without_http(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    """The app under test trusts no host, so only a database read can answer these."""
    ldp = issue(client, headers, achievement_id)
    for suffix in ("", ".json"):
        report = verify(client, json={"url": ldp["url"] + suffix})
        assert (report["verified"], report["format"]) == (True, "json-ld"), (suffix, report)
    issued = issue(client, headers, achievement_id, format="jwt")
    for suffix in ("", ".json", ".jwt"):
        report = verify(client, json={"url": issued["url"] + suffix})
        assert (report["verified"], report["format"]) == (True, "jwt"), (suffix, report)
    missing = client.post("/api/v1/verify", json={"url": issued["url"][:-4] + "0000"})
    assert missing.status_code >= 400
