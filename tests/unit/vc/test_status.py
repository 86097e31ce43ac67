"""The ``status`` check made exact: 1EdTech revocation lists, short lists, ``statusSize``,
a status list's own dates, and who may sign a status list. Every list is signed in the test."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from badgeservice.vc import (
    Report,
    build_did_document,
    did_key_from_key,
    generate_key,
    sign_credential,
    verify_credential,
)
from badgeservice.vc.keys import KeyPair
from badgeservice.vc.statuslist import (
    DEFAULT_SIZE,
    StatusList,
    build_status_entry,
    build_status_list_credential,
)
from tests.unit.vc.documents import ob_credential

NOW = datetime(2025, 6, 1, tzinfo=UTC)
ISSUER = generate_key("Ed25519")
ISSUER_DID = did_key_from_key(ISSUER)
OTHER = generate_key("Ed25519")
OTHER_DID = did_key_from_key(OTHER)
LIST_URL = "https://status.example.org/lists/1"
RL_URL = "https://status.example.org/revocations/1"
EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CREDENTIAL_ID = "urn:uuid:1355319d-8ae6-4f8d-a5be-0601399a1f50"


def vm(key: KeyPair) -> str:
    did = did_key_from_key(key)
    return f"{did}#{did.removeprefix('did:key:')}"


def status_list(
    *set_bits: tuple[int, int],
    issuer: str = ISSUER_DID,
    key: KeyPair = ISSUER,
    size: int = DEFAULT_SIZE,
    status_size: int = 1,
    purpose: str = "revocation",
    url: str = LIST_URL,
    **dates: str,
) -> dict[str, Any]:
    """A BitstringStatusListCredential naming ``issuer``, signed with ``key``."""
    bits = StatusList(size, status_size=status_size)
    for index, value in set_bits:
        bits.set(index, value)
    unsigned = build_status_list_credential(url, issuer, purpose, bits, **dates)
    return sign_credential(unsigned, key, vm(key))


def with_status(entry: dict[str, Any] | list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    unsigned = ob_credential(ISSUER_DID, credentialStatus=entry, **extra)
    return sign_credential(unsigned, ISSUER, vm(ISSUER))


def entry(index: int = 5, purpose: str = "revocation", **extra: Any) -> dict[str, Any]:
    return build_status_entry(LIST_URL, index, purpose) | extra


def verify(credential: dict[str, Any], lists: dict[str, Any], fetch_json: Any = None) -> Report:
    return verify_credential(
        credential, fetch_json=fetch_json, fetch_status_list=lists.__getitem__, now=NOW
    )


def status(report: Report) -> tuple[str, str]:
    check = report.check("status")
    return check.outcome, check.code


def warning_codes(report: Report) -> list[str]:
    return [w.code for w in report.check("status").warnings]


# --- 1EdTechRevocationList ----------------------------------------------------------------


def rl_credential(**overrides: Any) -> dict[str, Any]:
    unsigned = ob_credential(
        ISSUER_DID, credentialStatus={"id": RL_URL, "type": "1EdTechRevocationList"}
    )
    unsigned["@context"].append(EXTENSIONS)
    unsigned.update(overrides)
    unsigned = {k: v for k, v in unsigned.items() if v is not None}
    return sign_credential(unsigned, ISSUER, vm(ISSUER))


def revocation_list(*revoked: dict[str, Any], **members: Any) -> dict[str, Any]:
    return {"id": RL_URL, "issuer": ISSUER_DID, "revokedCredentials": list(revoked)} | members


@pytest.mark.parametrize(
    ("revoked", "expected"),
    [
        ([], ("passed", "status_valid")),
        ([{"id": "urn:uuid:someone-else"}], ("passed", "status_valid")),
        ([{"id": CREDENTIAL_ID, "revoked": False}], ("passed", "status_valid")),
        ([{"id": CREDENTIAL_ID}], ("failed", "status_revoked")),
        ([{"id": CREDENTIAL_ID, "revoked": True}], ("failed", "status_revoked")),
    ],
    ids=["empty", "others-listed", "listed-not-revoked", "listed", "listed-revoked"],
)
def test_1edtech_revocation_list_revokes_a_listed_credential(
    revoked: list[dict[str, Any]], expected: tuple[str, str]
) -> None:
    report = verify(rl_credential(), {RL_URL: revocation_list(*revoked)})
    assert status(report) == expected
    assert report.verified is (expected[0] == "passed"), report.to_dict()
    assert report.check("proof").outcome == "passed"
    assert "without a proof" in report.check("status").message


def test_1edtech_revocation_reason_is_reported() -> None:
    listing = revocation_list({"id": CREDENTIAL_ID, "revocationReason": "Issued in error"})
    report = verify(rl_credential(), {RL_URL: listing})
    assert status(report) == ("failed", "status_revoked")
    assert "Issued in error" in report.check("status").message


def _raise(url: str) -> Any:
    raise ConnectionError(f"{url} is down")


@pytest.mark.parametrize(
    "listing",
    [
        {"id": RL_URL},
        {"revokedCredentials": {"id": CREDENTIAL_ID}},
        {"revokedCredentials": [CREDENTIAL_ID]},
        {"revokedCredentials": [{"id": CREDENTIAL_ID, "revoked": "yes"}]},
        ["not", "an", "object"],
    ],
    ids=["no-list", "list-is-object", "ids-not-objects", "revoked-not-boolean", "not-object"],
)
def test_malformed_1edtech_revocation_list_is_an_error(listing: Any) -> None:
    report = verify(rl_credential(), {RL_URL: listing})
    assert status(report) == ("error", "status_list_malformed")
    assert report.verified is False


def test_unreachable_1edtech_revocation_list_is_an_error() -> None:
    report = verify_credential(rl_credential(), fetch_status_list=_raise, now=NOW)
    assert status(report) == ("error", "status_list_unreachable")
    assert report.verified is False


def test_1edtech_revocation_list_needs_the_credential_id() -> None:
    report = verify(rl_credential(id=None), {RL_URL: revocation_list()})
    assert status(report) == ("error", "status_credential_id_missing")


@pytest.mark.parametrize(
    ("members", "warning"),
    [
        ({"issuer": OTHER_DID}, "status_list_issuer_other"),
        ({"issuer": {"id": OTHER_DID, "type": "Profile"}}, "status_list_issuer_other"),
        ({"id": "https://elsewhere.example.org/rl"}, "status_list_id_mismatch"),
    ],
)
def test_1edtech_revocation_list_naming_someone_else_is_a_warning(
    members: dict[str, Any], warning: str
) -> None:
    report = verify(rl_credential(), {RL_URL: revocation_list(**members)})
    assert status(report) == ("passed", "status_valid")
    assert warning_codes(report) == [warning]
    assert report.verified is True


# --- short lists and statusSize -----------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "bit", "expected", "warnings"),
    [
        (16_384, 0, "passed", ["status_list_short"]),
        (8, 0, "passed", ["status_list_short"]),
        (16_384, 1, "failed", ["status_list_short"]),
        (DEFAULT_SIZE, 0, "passed", []),
        (DEFAULT_SIZE, 1, "failed", []),
    ],
)
def test_short_status_list_is_read_with_a_warning(
    size: int, bit: int, expected: str, warnings: list[str]
) -> None:
    listing = status_list((5, bit), size=size)
    report = verify(with_status(entry()), {LIST_URL: listing})
    assert report.check("status").outcome == expected
    assert report.verified is (expected == "passed")
    assert warning_codes(report) == warnings
    assert [w["check"] for w in report.warnings] == ["status"] * len(warnings)
    if warnings:
        assert f"{size:,} entries" in report.check("status").warnings[0].message


MESSAGES = [
    {"status": "0x0", "message": "valid"},
    {"status": "0x1", "message": "pending review"},
    {"status": "0x3", "message": "withdrawn"},
]


@pytest.mark.parametrize(
    ("value", "purpose", "expected", "words"),
    [
        (0, "message", "passed", "valid"),
        (1, "message", "passed", "pending review"),
        (3, "message", "passed", "withdrawn"),
        (0, "revocation", "passed", "not revoked"),
        (3, "revocation", "failed", "withdrawn"),
    ],
)
def test_status_size_above_one_is_read_with_its_status_message(
    value: int, purpose: str, expected: str, words: str
) -> None:
    listing = status_list((5, 3), (6, value), status_size=2, purpose=purpose)
    credential = with_status(entry(6, purpose, statusSize=2, statusMessage=MESSAGES))
    report = verify(credential, {LIST_URL: listing})
    assert report.check("status").outcome == expected, report.to_dict()
    assert words in report.check("status").message
    assert warning_codes(report) == []


def test_status_value_without_a_status_message_is_not_interpreted() -> None:
    listing = status_list((6, 2), status_size=2, purpose="message")
    credential = with_status(entry(6, "message", statusSize=2, statusMessage=MESSAGES))
    report = verify(credential, {LIST_URL: listing})
    assert status(report) == ("passed", "status_valid")
    assert warning_codes(report) == ["status_message_missing"]
    assert "0x2" in report.check("status").warnings[0].message


# --- the list's own validity period -------------------------------------------------------


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ({"valid_from": "2025-06-01T00:02:00Z"}, ("error", "status_list_not_yet_valid")),
        ({"valid_until": "2025-05-31T23:58:00Z"}, ("error", "status_list_expired")),
        ({"valid_from": "2025-06-01T00:00:30Z"}, ("passed", "status_valid")),
        ({"valid_until": "2025-05-31T23:59:30Z"}, ("passed", "status_valid")),
        (
            {"valid_from": "2025-01-01T00:00:00Z", "valid_until": "2026-01-01T00:00:00Z"},
            ("passed", "status_valid"),
        ),
        ({"valid_from": "yesterday"}, ("error", "status_list_malformed")),
    ],
    ids=["not-yet-valid", "expired", "skew-before", "skew-after", "inside", "bad-date"],
)
def test_status_list_dates_are_checked_like_a_credentials(
    dates: dict[str, str], expected: tuple[str, str]
) -> None:
    listing = status_list(**dates)
    report = verify(with_status(entry()), {LIST_URL: listing})
    assert status(report) == expected, report.check("status")
    assert report.verified is (expected[0] == "passed")


# --- who signed the list ------------------------------------------------------------------


@pytest.mark.parametrize(("bit", "expected"), [(0, "passed"), (1, "failed")])
def test_status_list_of_another_issuer_with_its_own_valid_proof_is_read(
    bit: int, expected: str
) -> None:
    listing = status_list((5, bit), issuer=OTHER_DID, key=OTHER)
    report = verify(with_status(entry()), {LIST_URL: listing})
    assert report.check("status").outcome == expected, report.check("status")
    assert f"signed by {OTHER_DID}, not the credential's issuer" in report.check("status").message
    assert report.verified is (expected == "passed")


def test_status_list_of_the_credentials_issuer_names_its_signer() -> None:
    report = verify(with_status(entry()), {LIST_URL: status_list()})
    assert status(report) == ("passed", "status_valid")
    assert f"signed by {ISSUER_DID})" in report.check("status").message


def _tampered_bits(listing: dict[str, Any]) -> None:
    listing["credentialSubject"]["encodedList"] = status_list((5, 1))["credentialSubject"][
        "encodedList"
    ]


def _no_proof(listing: dict[str, Any]) -> None:
    del listing["proof"]


@pytest.mark.parametrize("tamper", [_tampered_bits, _no_proof])
def test_status_list_of_another_issuer_whose_proof_fails_is_refused(
    tamper: Callable[[dict[str, Any]], None],
) -> None:
    listing = copy.deepcopy(status_list(issuer=OTHER_DID, key=OTHER))
    tamper(listing)
    report = verify(with_status(entry()), {LIST_URL: listing})
    assert status(report) == ("error", "status_list_unverified")
    assert report.verified is False


@pytest.mark.parametrize(
    ("named", "signer"),
    [(ISSUER_DID, OTHER), (OTHER_DID, ISSUER)],
    ids=["names-the-issuer-signed-by-a-stranger", "names-a-stranger-signed-by-the-issuer"],
)
def test_status_list_naming_someone_it_was_not_signed_by_is_refused(
    named: str, signer: KeyPair
) -> None:
    listing = status_list(issuer=named, key=signer)
    report = verify(with_status(entry()), {LIST_URL: listing})
    assert status(report) == ("error", "status_list_signer_mismatch")
    assert report.verified is False


WEB_ISSUER = "https://lists.example.org/issuer"


def fragment_key_list(stranger: KeyPair) -> dict[str, Any]:
    """A list naming an https issuer, signed as ``<issuer>#<publicKeyMultibase>`` with a key
    the issuer's own document may or may not list."""
    bits = StatusList(DEFAULT_SIZE)
    unsigned = build_status_list_credential(LIST_URL, WEB_ISSUER, "revocation", bits)
    return sign_credential(unsigned, stranger, f"{WEB_ISSUER}#{stranger.public_multibase()}")


def _issuer_document(listed: KeyPair) -> Callable[[str], dict[str, Any]]:
    document = build_did_document(WEB_ISSUER, [(f"{WEB_ISSUER}#key-1", listed)])
    return {WEB_ISSUER: document}.__getitem__


@pytest.mark.parametrize(
    ("documents", "expected"),
    [
        (_issuer_document(ISSUER), "status_list_signer_mismatch"),
        (_raise, "status_list_signer_unresolvable"),
    ],
    ids=["document-lists-another-key", "document-unreachable"],
)
def test_status_list_key_its_issuer_does_not_list_is_refused(
    documents: Callable[[str], dict[str, Any]], expected: str
) -> None:
    listing = fragment_key_list(OTHER)
    report = verify(with_status(entry()), {LIST_URL: listing}, fetch_json=documents)
    assert status(report) == ("error", expected), report.check("status")
    assert report.verified is False


def test_status_list_key_its_issuer_lists_is_accepted() -> None:
    listing = fragment_key_list(OTHER)
    report = verify(with_status(entry()), {LIST_URL: listing}, fetch_json=_issuer_document(OTHER))
    assert status(report) == ("passed", "status_valid"), report.check("status")
    assert f"signed by {WEB_ISSUER}" in report.check("status").message


def test_every_entry_is_checked_the_worst_wins_and_warnings_add_up() -> None:
    second_url = "https://status.example.org/lists/2"
    lists = {
        LIST_URL: status_list(size=16_384),
        second_url: status_list((9, 1), url=second_url, purpose="suspension"),
    }
    credential = with_status([entry(), build_status_entry(second_url, 9, "suspension")])
    report = verify(credential, lists)
    assert status(report) == ("failed", "status_suspended")
    assert warning_codes(report) == ["status_list_short"]
    assert LIST_URL in report.check("status").warnings[0].message
