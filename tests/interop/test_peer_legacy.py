"""The peer signs what we only verify: legacy Ed25519Signature2020 proofs and Bitstring Status
List credentials (statuslist.mjs + sign.mjs)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from badgeservice.vc import sign_credential, verify_credential, verify_proofs
from badgeservice.vc.dids import DidResolver
from badgeservice.vc.keys import key_from_multibase
from badgeservice.vc.statuslist import StatusList, build_status_entry
from tests.interop.peer import Peer

NOW = datetime(2026, 1, 1, tzinfo=UTC)
CREATED = "2025-01-01T00:00:00Z"
PUBLIC = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"  # the W3C eddsa test key
SECRET = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
DID = f"did:key:{PUBLIC}"
LIST_URL = "https://status.example.org/lists/1"
SET_BITS = [5, 42, 1000]


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, indent=2))
    return path


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return write(
        tmp_path / "key.json", {"publicKeyMultibase": PUBLIC, "secretKeyMultibase": SECRET}
    )


def template(peer: Peer, version: str) -> dict[str, Any]:
    credential: dict[str, Any] = json.loads(
        (peer.directory / "credential-template.json").read_text()
    )
    credential["issuer"]["id"] = DID
    if version == "vc1.1":
        credential["@context"][0] = "https://www.w3.org/2018/credentials/v1"
        credential["issuanceDate"] = credential.pop("validFrom")
    return credential


def peer_sign(peer: Peer, tmp_path: Path, key_file: Path, document: Any, *options: str) -> Any:
    run = peer.sign(
        write(tmp_path / "unsigned.json", document), key_file, "--created", CREATED, *options
    )
    assert run.returncode == 0, run.stderr
    return run.output


@pytest.mark.parametrize("version", ["vc2.0", "vc1.1"])
def test_we_verify_the_peers_ed25519signature2020_and_reject_tampered(
    peer: Peer, tmp_path: Path, key_file: Path, version: str
) -> None:
    signed = peer_sign(
        peer, tmp_path, key_file, template(peer, version), "--cryptosuite", "Ed25519Signature2020"
    )
    assert signed["proof"]["type"] == "Ed25519Signature2020"
    report = verify_credential(signed, now=NOW)
    assert report.verified, report.to_dict()
    assert report.check("proof").outcome == "passed"
    signed["credentialSubject"]["achievement"]["name"] += " (edited)"
    changed = verify_credential(signed, now=NOW)
    assert not changed.verified
    assert (changed.check("proof").outcome, changed.check("proof").code) == (
        "failed",
        "proof_signature_invalid",
    )


@pytest.fixture
def peer_status_list(peer: Peer, tmp_path: Path, key_file: Path) -> dict[str, Any]:
    bits = ",".join(map(str, SET_BITS))
    run = peer.run("statuslist.mjs", "--id", LIST_URL, "--issuer", DID, "--set", bits)
    assert run.returncode == 0, run.stderr
    signed: dict[str, Any] = peer_sign(peer, tmp_path, key_file, run.output)
    return signed


def test_the_peers_status_list_credential_verifies_and_decodes_to_its_set_bits(
    peer_status_list: dict[str, Any],
) -> None:
    [proof] = verify_proofs(peer_status_list, DidResolver())
    assert (proof.outcome, proof.code) == ("passed", "proof_verified")
    assert verify_credential(peer_status_list, now=NOW).verified
    bits = StatusList.decode(peer_status_list["credentialSubject"]["encodedList"])
    assert bits.size == 131_072
    assert bits.set_indexes() == SET_BITS


def test_a_tampered_peer_status_list_does_not_verify(peer_status_list: dict[str, Any]) -> None:
    changed = json.loads(json.dumps(peer_status_list))
    changed["credentialSubject"]["encodedList"] = StatusList(131_072).encode()
    [proof] = verify_proofs(changed, DidResolver())
    assert proof.outcome == "failed"


@pytest.mark.parametrize(
    ("index", "status"),
    [(42, ("failed", "status_revoked")), (43, ("passed", "status_valid"))],
)
def test_our_credentials_status_is_read_from_the_peers_list(
    peer: Peer, peer_status_list: dict[str, Any], index: int, status: tuple[str, str]
) -> None:
    unsigned = template(peer, "vc2.0")
    unsigned["credentialStatus"] = build_status_entry(LIST_URL, index)
    key = key_from_multibase(PUBLIC, SECRET)
    signed = sign_credential(unsigned, key, f"{DID}#{PUBLIC}")
    report = verify_credential(
        signed, fetch_status_list={LIST_URL: peer_status_list}.__getitem__, now=NOW
    )
    assert (report.check("status").outcome, report.check("status").code) == status
    assert report.verified is (status[0] == "passed")
