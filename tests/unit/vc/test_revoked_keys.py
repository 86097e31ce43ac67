"""verify_credential() on keys their controller document marks ``revoked`` (CID 1.0): from the
revocation on, ``issuer_key`` fails with ``issuer_key_revoked`` and says since when; before it,
and for keys not marked, nothing changes. ``build_did_document`` writes the mark."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from badgeservice.vc import generate_key, sign_credential, verify_credential
from badgeservice.vc.dids import build_did_document
from tests.unit.vc.documents import ob_credential

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
KEY = generate_key("Ed25519")
DID = "did:web:badges.example.org:issuers:alpha"
URL = "https://badges.example.org/issuers/alpha/did.json"
VM = f"{DID}#key-1"


def report_for(revoked: dict[str, str]) -> dict[str, tuple[str, str, str]]:
    document = build_did_document(DID, [(VM, KEY)], revoked=revoked)
    signed = sign_credential(ob_credential(DID), KEY, VM)

    def fetch(url: str) -> dict[str, Any]:
        assert url == URL
        return copy.deepcopy(document)

    report = verify_credential(signed, fetch_json=fetch, now=NOW)
    return {c.id: (c.outcome, c.code, c.message) for c in report.checks}


def test_the_document_keeps_a_revoked_key_only_as_revoked() -> None:
    document = build_did_document(DID, [(VM, KEY)], revoked={VM: "2025-05-01T00:00:00Z"})
    assert document["verificationMethod"][0]["revoked"] == "2025-05-01T00:00:00Z"
    assert document["assertionMethod"] == []
    assert document["authentication"] == []


@pytest.mark.parametrize(
    ("revoked", "message"),
    [
        ("2025-05-01T10:00:00Z", f"the issuer revoked this key on 2025-05-01 ({VM})"),
        ("2025-06-01T12:00:00Z", f"the issuer revoked this key on 2025-06-01 ({VM})"),
        ("soon", f"the issuer revoked this key ({VM})"),
    ],
)
def test_a_key_revoked_by_now_fails_issuer_key(revoked: str, message: str) -> None:
    checks = report_for({VM: revoked})
    assert checks["proof"][0] == "passed"  # the signature itself is intact
    assert checks["issuer_key"] == ("failed", "issuer_key_revoked", message)
    assert checks["proof_purpose"][:2] == ("failed", "proof_purpose_not_authorized")


def test_a_key_revoked_later_than_now_still_verifies() -> None:
    # A document listing the key under assertionMethod and marking it revoked in the future.
    later = {VM: "2025-07-01T00:00:00Z"}
    document = build_did_document(DID, [(VM, KEY)])
    document["verificationMethod"][0]["revoked"] = later[VM]
    signed = sign_credential(ob_credential(DID), KEY, VM)
    report = verify_credential(signed, fetch_json=lambda _url: copy.deepcopy(document), now=NOW)
    assert report.verified, report.to_dict()


def test_a_key_not_marked_verifies() -> None:
    checks = report_for({})
    assert checks["issuer_key"][:2] == ("passed", "issuer_key_bound")
