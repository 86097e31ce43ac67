"""Both ways with an independent verifier (Digital Bazaar's JS stack, see tests/interop/peer.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from badgeservice.vc import (
    build_did_document,
    key_from_multibase,
    sign_credential,
    verify_credential,
)
from badgeservice.vc.dids import did_key_from_key
from tests.interop.peer import Peer, serve_directory

NOW = datetime(2026, 1, 1, tzinfo=UTC)
TEST_KEYS = {
    "eddsa-rdfc-2022": (
        "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",
    ),
    "ecdsa-rdfc-2019": (
        "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP",
        "z42twTcNeSYcnqg1FLuSFs2bsGH3ZqbRHFmvS9XMsYhjxvHN",
    ),
}
WEB_DID = "did:web:badges.example.org:issuers:alpha"


def template(peer: Peer, issuer: str) -> dict[str, Any]:
    credential: dict[str, Any] = json.loads(
        (peer.directory / "credential-template.json").read_text()
    )
    credential["issuer"]["id"] = issuer
    return credential


def write(path: Path, document: Any) -> Path:
    path.write_text(json.dumps(document, indent=2))
    return path


def tampered(document: dict[str, Any]) -> dict[str, Any]:
    changed = json.loads(json.dumps(document))
    changed["credentialSubject"]["achievement"]["name"] += " (edited)"
    return changed


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"])
def test_peer_verifies_our_did_key_credentials_and_rejects_tampered(
    peer: Peer, tmp_path: Path, suite: str
) -> None:
    key = key_from_multibase(*TEST_KEYS[suite])
    did = did_key_from_key(key)
    signed = sign_credential(
        template(peer, did), key, f"{did}#{key.public_multibase()}", cryptosuite=suite
    )
    good = peer.verify(write(tmp_path / "good.json", signed))
    assert (good.returncode, good.output["verified"]) == (0, True), good.output
    bad = peer.verify(write(tmp_path / "bad.json", tampered(signed)))
    assert (bad.returncode, bad.output["verified"]) == (1, False)


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"])
def test_peer_verifies_our_did_web_credentials(peer: Peer, tmp_path: Path, suite: str) -> None:
    key = key_from_multibase(*TEST_KEYS[suite])
    vm = f"{WEB_DID}#key-1"
    did_file = tmp_path / "www" / "issuers" / "alpha" / "did.json"
    did_file.parent.mkdir(parents=True)
    write(did_file, build_did_document(WEB_DID, [(vm, key)]))
    signed = sign_credential(template(peer, WEB_DID), key, vm, cryptosuite=suite)
    with serve_directory(tmp_path / "www") as base:
        run = peer.verify(write(tmp_path / "cred.json", signed), "--did-web-base", base)
    assert (run.returncode, run.output["verified"]) == (0, True), run.output


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "ecdsa-rdfc-2019"])
def test_we_verify_what_the_peer_signs_and_reject_tampered(
    peer: Peer, tmp_path: Path, suite: str
) -> None:
    public, secret = TEST_KEYS[suite]
    key_file = write(
        tmp_path / "key.json", {"publicKeyMultibase": public, "secretKeyMultibase": secret}
    )
    did = f"did:key:{public}"
    run = peer.sign(
        write(tmp_path / "unsigned.json", template(peer, did)), key_file, "--cryptosuite", suite
    )
    assert run.returncode == 0, run.stderr
    report = verify_credential(run.output, now=NOW)
    assert report.verified, report.to_dict()
    assert not verify_credential(tampered(run.output), now=NOW).verified


def test_our_eddsa_signature_of_workload_credential_1_equals_the_peers(
    peer: Peer, tmp_path: Path
) -> None:
    first = tmp_path / "first.json"
    run = peer.run("bench.mjs", "2", "--warmup", "0", "--save-first", first)
    assert run.returncode == 0, run.stderr
    theirs = json.loads(first.read_text())
    key = key_from_multibase(*TEST_KEYS["eddsa-rdfc-2022"])
    ours = sign_credential(
        {k: v for k, v in theirs.items() if k != "proof"},
        key,
        theirs["proof"]["verificationMethod"],
        created=theirs["proof"]["created"],
    )
    assert ours == theirs
