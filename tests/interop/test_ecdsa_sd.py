"""ecdsa-sd-2023 proofs made by an independent signer verify in ours (and tampered ones fail).

The signer is Digital Bazaar's ``@digitalbazaar/ecdsa-sd-2023-cryptosuite`` run by the small
harness in ``tests/interop/sd_signer`` (copied to ``.cache`` and ``npm ci``-ed once per session,
like the peer). It signs base proofs with our P-256 key and chosen mandatory pointers, derives
proofs for chosen selective pointers and says whether its own verifier accepts them. Its
document loader serves our vendored contexts only.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from badgeservice.cli_vc import vc_app
from badgeservice.vc import _cbor, verify_credential
from badgeservice.vc.dids import DidResolver, did_key_from_key
from badgeservice.vc.keys import key_from_multibase
from badgeservice.vc.loader import CONTEXTS_DIR
from badgeservice.vc.proofs import ProofResult, verify_proofs
from tests.conftest import REPO_ROOT, require
from tests.interop.peer import prepare_peer
from tests.unit.vc.documents import ob_credential
from tests.unit.vc.sd_values import encode, proof_bytes, proof_value

HARNESS = Path(__file__).parent / "sd_signer"
NOW = datetime(2026, 1, 2, tzinfo=UTC)
# A fixed P-256 test key (the W3C vc-di-ecdsa example key pair).
KEY = key_from_multibase(
    "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP",
    "z42twTcNeSYcnqg1FLuSFs2bsGH3ZqbRHFmvS9XMsYhjxvHN",
)
DID = did_key_from_key(KEY)
VM = f"{DID}#{DID.removeprefix('did:key:')}"
MANDATORY = ["/issuer", "/validFrom", "/credentialSubject/achievement/id"]


@pytest.fixture(scope="module")
def signer() -> Path:
    require(
        shutil.which("node") is not None and shutil.which("npm") is not None,
        "node and npm are needed for the ecdsa-sd-2023 signer",
    )
    started = time.perf_counter()
    try:
        directory = prepare_peer(HARNESS, REPO_ROOT / ".cache")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        require(False, f"npm ci of the ecdsa-sd-2023 signer failed: {error}")
        raise
    print(f"ecdsa-sd-2023 signer ready in {time.perf_counter() - started:.1f}s")
    return directory


def credential() -> dict[str, Any]:
    document = ob_credential(DID)
    document["credentialSubject"]["achievement"]["tag"] = ["first", "second", "third"]
    return document


def sign(signer: Path, mandatory: list[str], selections: list[list[str]]) -> dict[str, Any]:
    """Run the JS harness: a base proof and one derived credential per selection."""
    job = {
        "credential": credential(),
        "key": {
            "publicKeyMultibase": KEY.public_multibase(),
            "secretKeyMultibase": KEY.secret_multibase(),
        },
        "verificationMethod": VM,
        "created": "2026-01-01T00:00:00Z",
        "mandatoryPointers": mandatory,
        "selections": selections,
        "contexts": str(CONTEXTS_DIR),
    }
    done = subprocess.run(
        ["node", "sd.mjs"],
        cwd=signer,
        input=json.dumps(job),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def verified(document: dict[str, Any]) -> ProofResult:
    [result] = verify_proofs(document, DidResolver())
    return result


@pytest.mark.parametrize(
    "mandatory", [[], ["/issuer"], MANDATORY, ["/credentialSubject/achievement/tag/1", "/name"]]
)
def test_base_proof_from_the_js_suite_verifies(signer: Path, mandatory: list[str]) -> None:
    base = sign(signer, mandatory, [])["base"]
    result = verified(base)
    assert (result.outcome, result.code) == ("passed", "proof_verified"), result.message
    assert "base proof" in result.message


SELECTIONS = [
    [],
    ["/credentialSubject/achievement/name"],
    ["/name", "/credentialSubject/type", "/credentialSubject/achievement/criteria"],
    ["/credentialSubject/achievement/tag/0", "/credentialSubject/achievement/tag/2"],
    ["/credentialSubject"],
]


def test_derived_proofs_from_the_js_suite_verify(signer: Path) -> None:
    signed = sign(signer, MANDATORY, SELECTIONS)
    assert signed["verified"] == [True] * len(SELECTIONS)
    sizes = set()
    for derived in signed["derived"]:
        result = verified(derived)
        assert (result.outcome, result.code) == ("passed", "proof_verified"), result.message
        assert "derived proof" in result.message
        sizes.add(result.message)
    assert len(sizes) == len(SELECTIONS)  # each selection disclosed a different part
    tags = signed["derived"][3]["credentialSubject"]["achievement"]["tag"]
    assert tags == ["first", "third"]


def with_components(document: dict[str, Any], change: Any) -> dict[str, Any]:
    """A copy whose proofValue's CBOR components went through ``change``."""
    changed = copy.deepcopy(document)
    data = proof_bytes(changed["proof"]["proofValue"])
    components = _cbor.decode(data[3:])
    change(components)
    changed["proof"]["proofValue"] = proof_value(data[:3] + encode(components))
    return changed


def drop_signature(components: list[Any]) -> None:
    index = 3 if isinstance(components[2], bytes) else 2  # base: [.., hmacKey, signatures, ..]
    components[index] = components[index][1:]


def flip_base_signature(components: list[Any]) -> None:
    components[0] = bytes([components[0][0] ^ 0x01]) + components[0][1:]


def edit_name(document: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    changed["credentialSubject"]["achievement"]["name"] = "Edited"
    return changed


def remove_mandatory(document: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    del changed["issuer"]["name"]
    return changed


TAMPERING = {
    "disclosed value changed": edit_name,
    "signature dropped": lambda d: with_components(d, drop_signature),
    "mandatory field removed": remove_mandatory,
    "base signature bit-flipped": lambda d: with_components(d, flip_base_signature),
}


@pytest.mark.parametrize("kind", ["base", "derived"])
@pytest.mark.parametrize("tamper", list(TAMPERING.values()), ids=list(TAMPERING))
def test_tampered_js_proofs_fail(signer: Path, kind: str, tamper: Any) -> None:
    signed = sign(signer, MANDATORY, [["/credentialSubject/achievement/name", "/name"]])
    document = signed["base"] if kind == "base" else signed["derived"][0]
    assert verified(document).outcome == "passed"
    result = verified(tamper(document))
    assert (result.outcome, result.code) == ("failed", "proof_signature_invalid"), result.message


def test_full_verification_of_a_derived_credential_passes(signer: Path) -> None:
    signed = sign(signer, MANDATORY, [["/name", "/credentialSubject/achievement/name"]])
    derived = signed["derived"][0]
    report = verify_credential(derived, now=NOW)
    outcomes = {check.id: check.outcome for check in report.checks}
    assert outcomes["proof"] == "passed", report.to_dict()
    assert outcomes["issuer_key"] == "passed"
    assert report.verified, report.to_dict()


def test_full_verification_of_a_tampered_derived_credential_fails(signer: Path) -> None:
    derived = sign(signer, MANDATORY, [["/name"]])["derived"][0]
    report = verify_credential(edit_name({**derived, "name": "Edited"}), now=NOW)
    assert report.check("proof").outcome == "failed"
    assert not report.verified


@pytest.mark.parametrize(
    ("selection", "exit_code", "schema"),
    [
        (["/credentialSubject/achievement", "/name"], 0, "passed"),
        (["/name"], 1, "failed"),  # the Achievement's required members were withheld
    ],
)
def test_cli_verifies_a_derived_credential_with_the_schema(
    signer: Path, tmp_path: Path, selection: list[str], exit_code: int, schema: str
) -> None:
    derived = sign(signer, MANDATORY, [selection])["derived"][0]
    path = tmp_path / "derived.json"
    path.write_text(json.dumps(derived))
    result = CliRunner().invoke(vc_app, ["verify", str(path), "--now", "2026-01-02T00:00:00Z"])
    assert result.exit_code == exit_code, result.output
    outcomes = {c["id"]: c["outcome"] for c in json.loads(result.stdout)["checks"]}
    assert (outcomes["proof"], outcomes["schema"]) == ("passed", schema)
