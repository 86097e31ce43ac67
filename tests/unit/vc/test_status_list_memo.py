"""The status check remembers a list's canonical form (one list serves many credentials), but
every verification still checks the list's proof."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from badgeservice.vc import did_key_from_key, generate_key, sign_credential, verify_credential
from tests.unit.vc.test_verify_inputs import (
    DID,
    LIST_URL,
    NOW,
    outcomes,
    status_list_2021,
    with_2021_status,
)


def _other_signature(listing: dict[str, Any]) -> None:
    value = listing["proof"]["proofValue"]
    listing["proof"]["proofValue"] = value[:-2] + ("A" if value[-2] != "A" else "B") + value[-1]


def _bit_set_under_the_old_proof(listing: dict[str, Any]) -> None:
    listing["credentialSubject"] = status_list_2021(DID, 7)["credentialSubject"]


@pytest.mark.parametrize("tamper", [_other_signature, _bit_set_under_the_old_proof])
def test_status_list_proof_is_checked_again_when_a_list_comes_back_altered(
    tamper: Callable[[dict[str, Any]], None],
) -> None:
    listing = status_list_2021()
    credential = with_2021_status("7")
    first = verify_credential(credential, fetch_status_list={LIST_URL: listing}.get, now=NOW)
    assert outcomes(first)["status"] == ("passed", "status_valid")
    forged = copy.deepcopy(listing)
    tamper(forged)
    second = verify_credential(credential, fetch_status_list={LIST_URL: forged}.get, now=NOW)
    assert not second.verified
    assert outcomes(second)["status"][0] == "error"


def test_status_list_signed_by_someone_else_is_not_trusted() -> None:
    """A list that names the credential's issuer but is signed by a stranger's key."""
    stranger = generate_key("Ed25519")
    stranger_did = did_key_from_key(stranger)
    listing = status_list_2021()
    unsigned = {k: v for k, v in listing.items() if k != "proof"}
    forged = sign_credential(unsigned, stranger, f"{stranger_did}#{stranger_did[8:]}")
    report = verify_credential(
        with_2021_status("7"), fetch_status_list={LIST_URL: forged}.get, now=NOW
    )
    assert not report.verified
    assert outcomes(report)["status"] == ("error", "status_list_signer_mismatch")
