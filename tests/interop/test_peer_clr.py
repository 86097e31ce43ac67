"""A CLR 2.0 ClrCredential we build and sign verifies in the independent verifier (Digital
Bazaar's JS stack), given our vendored CLR context; a tampered bundled credential does not."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from badgeservice.domain.clr import CLR_CONTEXT, Association, ClrContent, build_clr
from badgeservice.vc import key_from_multibase, sign_credential, verify_credential
from badgeservice.vc.dids import did_key_from_key
from badgeservice.vc.loader import CONTEXTS_DIR
from tests.interop.peer import Peer
from tests.interop.test_peer import TEST_KEYS, template, write

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _contexts_folder(tmp_path: Path) -> Path:
    """The CLR context as the peer's ``--contexts`` folder wants it (others come from npm)."""
    folder = tmp_path / "contexts"
    folder.mkdir()
    index = json.loads((CONTEXTS_DIR / "index.json").read_text())
    shutil.copy(CONTEXTS_DIR / index[CLR_CONTEXT]["file"], folder / "clr.jsonld")
    (folder / "context-map.json").write_text(json.dumps({CLR_CONTEXT: "clr.jsonld"}))
    return folder


def _signed_clr(peer: Peer) -> dict[str, Any]:
    key = key_from_multibase(*TEST_KEYS["eddsa-rdfc-2022"])
    did = did_key_from_key(key)
    method = f"{did}#{key.public_multibase()}"
    bundled = []
    for number in (1, 2):
        unsigned = template(peer, did)
        unsigned["id"] = f"urn:uuid:00000000-0000-4000-8000-00000000000{number}"
        unsigned["credentialSubject"]["achievement"]["id"] = f"urn:example:achievement:{number}"
        bundled.append(sign_credential(unsigned, key, method, proof_set=True))
    content = ClrContent(
        id="urn:uuid:00000000-0000-4000-8000-0000000000c1",
        issuer={"id": did, "type": ["Profile"], "name": "Peer test issuer"},
        name="Learning record",
        credentials=bundled,
        valid_from=NOW,
        associations=[
            Association("precedes", "urn:example:achievement:1", "urn:example:achievement:2")
        ],
    )
    return sign_credential(build_clr(content), key, method, proof_set=True)


def test_the_peer_verifies_our_clr_and_we_agree(peer: Peer, tmp_path: Path) -> None:
    clr = _signed_clr(peer)
    folder = _contexts_folder(tmp_path)
    run = peer.verify(write(tmp_path / "clr.json", clr), "--contexts", str(folder))
    assert (run.returncode, run.output["verified"]) == (0, True), run.output
    assert verify_credential(clr).verified is True


def test_a_tampered_bundled_credential_fails_in_both(peer: Peer, tmp_path: Path) -> None:
    clr = _signed_clr(peer)
    clr["credentialSubject"]["verifiableCredential"][1]["name"] = "Something else"
    folder = _contexts_folder(tmp_path)
    run = peer.verify(write(tmp_path / "clr.json", clr), "--contexts", str(folder))
    assert (run.returncode, run.output["verified"]) == (1, False), run.output
    report = verify_credential(clr)
    assert report.verified is False
    assert next(c for c in report.checks if c.id == "proof").outcome == "failed"
