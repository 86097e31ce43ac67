"""verify_credential(): check order, outcomes, skipping, issuer binding, dates, hostile input."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from badgeservice.vc import CHECK_IDS, ExtraCheck, generate_key, sign_credential, verify_credential
from badgeservice.vc._checks import Outcome
from badgeservice.vc.dids import build_did_document, did_key_from_key
from tests.unit.vc.documents import ob_credential

NOW = datetime(2025, 6, 1, tzinfo=UTC)
KEY = generate_key("Ed25519")
DID = did_key_from_key(KEY)
VM = f"{DID}#{DID.removeprefix('did:key:')}"
WEB_DID = "did:web:badges.example.org:issuers:alpha"
WEB_URL = "https://badges.example.org/issuers/alpha/did.json"


def credential(issuer: str = DID, **extra: Any) -> dict[str, Any]:
    return ob_credential(issuer, **extra)


def outcomes(report: Any) -> dict[str, str]:
    return {check["id"]: check["outcome"] for check in report.to_dict()["checks"]}


def test_signed_credential_passes_every_check_in_order() -> None:
    report = verify_credential(sign_credential(credential(), KEY, VM), now=NOW)
    assert report.verified
    assert [c["id"] for c in report.to_dict()["checks"]] == list(CHECK_IDS)
    assert outcomes(report)["valid_until"] == "skipped"


def test_tampered_credential_fails_proof_and_skips_the_rest() -> None:
    signed = sign_credential(credential(), KEY, VM)
    signed["name"] = "Edited"
    report = verify_credential(signed, now=NOW)
    assert not report.verified
    result = outcomes(report)
    assert result["proof"] == "failed"
    assert {result[c] for c in CHECK_IDS[CHECK_IDS.index("proof") + 1 :]} == {"skipped"}


@pytest.mark.parametrize(
    ("extra", "check", "code"),
    [
        ({"validFrom": "2025-06-01T00:02:00Z"}, "valid_from", "credential_not_yet_valid"),
        ({"validUntil": "2025-05-31T23:58:00Z"}, "valid_until", "credential_expired"),
        ({"validUntil": "2024-01-01T00:00:00Z"}, "valid_until", "valid_until_before_valid_from"),
        ({"validFrom": "June"}, "valid_from", "valid_from_malformed"),
    ],
)
def test_dates_fail_outside_the_skew(extra: dict[str, Any], check: str, code: str) -> None:
    report = verify_credential(sign_credential(credential(**extra), KEY, VM), now=NOW)
    assert (report.check(check).outcome, report.check(check).code) == ("failed", code)


@pytest.mark.parametrize(
    ("extra", "check"),
    [
        ({"validFrom": "2025-06-01T00:00:59Z"}, "valid_from"),
        ({"validUntil": "2025-05-31T23:59:01Z"}, "valid_until"),
    ],
)
def test_dates_pass_within_the_skew(extra: dict[str, Any], check: str) -> None:
    report = verify_credential(sign_credential(credential(**extra), KEY, VM), now=NOW)
    assert report.check(check).outcome == "passed"
    assert "60 s" in report.check(check).message


def test_issuer_other_than_the_key_controller_fails_issuer_key() -> None:
    doc = credential(issuer=did_key_from_key(generate_key("Ed25519")))
    report = verify_credential(sign_credential(doc, KEY, VM), now=NOW)
    assert report.check("issuer_key").code == "issuer_key_controller_mismatch"
    assert not report.verified


def test_fragment_key_of_a_web_issuer_is_an_error_unless_listed_or_trusted() -> None:
    vm = f"{WEB_DID}#{KEY.public_multibase()}"
    signed = sign_credential(credential(issuer=WEB_DID), KEY, vm)
    empty = {"id": WEB_DID, "verificationMethod": [], "assertionMethod": []}
    unlisted = verify_credential(signed, fetch_json=lambda url: empty, now=NOW)
    assert unlisted.check("proof").outcome == "passed"
    assert unlisted.check("issuer_key").outcome == "error"
    trusted = verify_credential(
        signed, fetch_json=lambda url: empty, now=NOW, trusted_issuer_keys=lambda i, k: True
    )
    assert trusted.verified


def test_did_web_issuer_with_a_listed_key_verifies() -> None:
    vm = f"{WEB_DID}#key-1"
    document = build_did_document(WEB_DID, [(vm, KEY)])
    signed = sign_credential(credential(issuer=WEB_DID), KEY, vm)
    report = verify_credential(signed, fetch_json={WEB_URL: document}.__getitem__, now=NOW)
    assert report.verified, report.to_dict()


def test_unreachable_did_web_document_is_an_error() -> None:
    vm = f"{WEB_DID}#key-1"
    signed = sign_credential(credential(issuer=WEB_DID), KEY, vm)
    report = verify_credential(signed, fetch_json={}.__getitem__, now=NOW)
    assert report.check("proof").outcome == "error"


def test_wrong_proof_purpose_fails_proof_purpose() -> None:
    signed = sign_credential(credential(), KEY, VM, proof_purpose="authentication")
    report = verify_credential(signed, now=NOW)
    assert report.check("proof").outcome == "passed"
    assert report.check("proof_purpose").code == "proof_purpose_mismatch"


def test_extra_check_runs_after_the_named_check() -> None:
    extra = ExtraCheck("schema", lambda subject: Outcome("failed", "schema_invalid", "bad"))
    report = verify_credential(
        sign_credential(credential(), KEY, VM), now=NOW, extra_checks=[extra]
    )
    ids = [c["id"] for c in report.to_dict()["checks"]]
    assert ids[ids.index("contexts") + 1] == "schema"
    assert not report.verified


@pytest.mark.parametrize(
    "source",
    [
        None,
        42,
        [],
        {},
        {"@context": "https://example.org/unknown"},
        {
            **credential(),
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://evil.example/ctx"],
        },
        {**credential(), "undefinedTerm": 1, "proof": {"type": "DataIntegrityProof"}},
        {**credential(), "proof": [1, "x", None]},
        {**credential(), "credentialSubject": "text", "proof": {}},
        "not.a.jwt",
        "...",
        b"\x89PNG\r\n\x1a\n garbage",
        b"<svg",
        {**credential(), "name": {"@value": 1, "@language": []}, "proof": {}},
    ],
)
def test_hostile_input_gives_a_report_not_an_exception(source: Any) -> None:
    report = verify_credential(source, now=NOW)
    assert report.verified is False
    assert report.to_dict()["checks"][0]["id"] == "structure"


def test_safe_mode_violation_is_reported_with_its_path() -> None:
    signed = sign_credential(credential(), KEY, VM)
    broken = copy.deepcopy(signed)
    broken["credentialSubject"]["achievement"]["undefinedTerm"] = "x"
    report = verify_credential(broken, now=NOW)
    assert report.check("safe_mode").code == "safe_mode_violation"
    assert "undefinedTerm" in report.check("safe_mode").message
