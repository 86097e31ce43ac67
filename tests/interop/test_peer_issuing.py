"""Credentials issued by the running service verify with the independent JS verifier, which
resolves our did:web document and status list over HTTP from the server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.factories import ACHIEVEMENT
from tests.interop.peer import Peer
from tests.server import Server, running_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("server")) as running:
        yield running


@pytest.fixture(scope="module")
def issuing(server: Server) -> Iterator[tuple[httpx.Client, str]]:
    """An issuer, its token and an achievement, made over HTTP (the admin token by the CLI)."""
    admin = server.cli("tokens", "create", "--admin").strip().splitlines()[-1]
    client = httpx.Client(base_url=server.base_url, timeout=30)
    client.headers["Authorization"] = f"Bearer {admin}"
    client.post("/api/v1/issuers", json={"slug": "peer", "name": "Peer Chapter"}).raise_for_status()
    token = client.post("/api/v1/issuers/peer/tokens", json={}).json()["token"]
    client.headers["Authorization"] = f"Bearer {token}"
    response = client.post("/api/v1/issuers/peer/achievements", json=ACHIEVEMENT)
    response.raise_for_status()
    yield client, response.json()["id"]
    client.close()


def issue(issuing: tuple[httpx.Client, str], **body: Any) -> dict[str, Any]:
    client, achievement = issuing
    payload = {"achievementId": achievement, "recipient": {"email": "learner@example.org"}}
    response = client.post("/api/v1/issuers/peer/credentials", json=payload | body)
    response.raise_for_status()
    return dict(response.json())


def peer_verify(peer: Peer, server: Server, credential: dict[str, Any], tmp_path: Path) -> Any:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential))
    return peer.verify(path, "--did-web-base", server.base_url)


def test_peer_verifies_our_issued_credential(
    peer: Peer, server: Server, issuing: tuple[httpx.Client, str], tmp_path: Path
) -> None:
    issued = issue(issuing, recipient={"email": "ada@example.org", "name": "Ada"})
    run = peer_verify(peer, server, issued["credential"], tmp_path)
    assert run.returncode == 0, (run.output, run.stderr)
    assert run.output["verified"] is True


def test_peer_sees_our_revocation(
    peer: Peer, server: Server, issuing: tuple[httpx.Client, str], tmp_path: Path
) -> None:
    issued = issue(issuing)
    client, _ = issuing
    client.post(f"/api/v1/issuers/peer/credentials/{issued['id']}/revoke").raise_for_status()
    run = peer_verify(peer, server, issued["credential"], tmp_path)
    assert run.returncode == 1
    assert run.output["verified"] is False
    assert "status" in json.dumps(run.output)


def test_peer_verifies_after_key_rotation(
    peer: Peer, server: Server, issuing: tuple[httpx.Client, str], tmp_path: Path
) -> None:
    before = issue(issuing)
    client, _ = issuing
    client.post("/api/v1/issuers/peer/keys/rotate").raise_for_status()
    after = issue(issuing)
    for issued in (before, after):
        run = peer_verify(peer, server, issued["credential"], tmp_path)
        assert run.returncode == 0, (run.output, run.stderr)


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"])
def test_our_verify_api_accepts_what_the_peer_signs(
    peer: Peer, server: Server, tmp_path: Path, suite: str
) -> None:
    """Another issuer (did:key, signed by the JS stack) through POST /api/v1/verify."""
    keys = peer.run(
        "keygen.mjs",
        *(["--cryptosuite", suite, "--curve", "P-256"] if suite.startswith("ecdsa") else []),
    )
    assert keys.returncode == 0, keys.stderr
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps(keys.output))
    unsigned = json.loads((peer.directory / "credential-template.json").read_text())
    unsigned["issuer"]["id"] = keys.output["controller"]
    (tmp_path / "unsigned.json").write_text(json.dumps(unsigned))
    signed = peer.sign(tmp_path / "unsigned.json", key_file, "--cryptosuite", suite)
    assert signed.returncode == 0, signed.stderr
    response = httpx.post(f"{server.base_url}/api/v1/verify", json=signed.output, timeout=30)
    report = response.json()
    assert report["verified"] is True, report
    edited = json.loads(json.dumps(signed.output))
    edited["credentialSubject"]["achievement"]["name"] += " (edited)"
    response = httpx.post(f"{server.base_url}/api/v1/verify", json=edited, timeout=30)
    assert {c["id"]: c["outcome"] for c in response.json()["checks"]}["proof"] == "failed"


def test_peer_verifies_our_endorsement_and_its_revocation(
    peer: Peer, server: Server, issuing: tuple[httpx.Client, str], tmp_path: Path
) -> None:
    """An EndorsementCredential (proof array, our status list) through the JS verifier."""
    client, achievement = issuing
    body = {"subject": {"achievementId": achievement}, "comment": "A sound workshop."}
    response = client.post("/api/v1/issuers/peer/endorsements", json=body)
    response.raise_for_status()
    issued = response.json()
    assert isinstance(issued["endorsement"]["proof"], list)
    run = peer_verify(peer, server, issued["endorsement"], tmp_path)
    assert run.returncode == 0, (run.output, run.stderr)
    assert run.output["verified"] is True
    client.post(f"/api/v1/issuers/peer/endorsements/{issued['id']}/revoke").raise_for_status()
    run = peer_verify(peer, server, issued["endorsement"], tmp_path)
    assert (run.returncode, run.output["verified"]) == (1, False)
    assert "status" in json.dumps(run.output)


def test_peer_refuses_a_key_we_revoked(
    peer: Peer, server: Server, issuing: tuple[httpx.Client, str], tmp_path: Path
) -> None:
    """The DID document marks a revoked key and no longer lists it under assertionMethod:
    the independent verifier then refuses what it signed, and verifies what its replacement
    signs (the status list is re-signed too). Last in this module: it revokes the key."""
    before = issue(issuing)
    client, _ = issuing
    key_id = before["credential"]["proof"][0]["verificationMethod"].rsplit("#", 1)[1]
    client.post(
        f"/api/v1/issuers/peer/keys/{key_id}/revoke", json={"reason": "test"}
    ).raise_for_status()
    run = peer_verify(peer, server, before["credential"], tmp_path)
    assert (run.returncode, run.output["verified"]) == (1, False), run.output
    assert "not authorized by controller" in json.dumps(run.output["errors"])
    after = issue(issuing)
    run = peer_verify(peer, server, after["credential"], tmp_path)
    assert run.returncode == 0, (run.output, run.stderr)
    assert run.output["verified"] is True
