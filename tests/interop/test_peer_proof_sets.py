"""The independent JS verifier takes our proof arrays: a credential from the running server
(``proof`` a list of one), its status list credential (also a list), and a suspendable
credential whose two status lists it fetches and checks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.interop.peer import Peer
from tests.interop.test_peer_issuing import issue, issuing, peer_verify
from tests.server import Server, running_server

__all__ = ["issuing"]  # the fixture, used here with this module's own server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory.mktemp("server")) as running:
        yield running


@pytest.mark.parametrize("suspendable", [False, True])
def test_peer_verifies_our_proof_arrays(
    peer: Peer,
    server: Server,
    issuing: tuple[httpx.Client, str],
    tmp_path: Path,
    suspendable: bool,
) -> None:
    issued = issue(issuing, suspendable=suspendable)
    credential = issued["credential"]
    assert [p["type"] for p in credential["proof"]] == ["DataIntegrityProof"]
    entries = credential["credentialStatus"]
    entries = entries if isinstance(entries, list) else [entries]
    for entry in entries:
        listed = httpx.get(server.base_url + urlsplit(entry["statusListCredential"]).path)
        assert [p["type"] for p in listed.json()["proof"]] == ["DataIntegrityProof"]
    run = peer_verify(peer, server, credential, tmp_path)
    assert run.returncode == 0, (run.output, run.stderr)
    checks = run.output["checks"]
    assert checks["proof"]["count"] == 1
    assert [e["outcome"] for e in checks["status"]["entries"]] == [
        "not revoked",
        *(["not suspended"] if suspendable else []),
    ]


def test_peer_verifies_our_status_list_credential_on_its_own(
    peer: Peer, server: Server, issuing: tuple[httpx.Client, str], tmp_path: Path
) -> None:
    issued = issue(issuing)
    url = urlsplit(issued["credential"]["credentialStatus"]["statusListCredential"]).path
    status_list = httpx.get(server.base_url + url).json()
    assert isinstance(status_list["proof"], list)
    run = peer_verify(peer, server, status_list, tmp_path)
    assert run.returncode == 0, (run.output, run.stderr)
    assert run.output["checks"]["proof"]["ok"] is True
