"""The ``schema`` check in the verification pipeline: our signed credentials (JSON-LD and
VC-JWT) pass, schema-breaking ones fail with ``schema_invalid``, and what is skipped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from badgeservice.domain.ob_schema import check_schema, schema_check
from badgeservice.domain.recipient import Recipient
from badgeservice.vc import sign_credential, verify_credential
from badgeservice.vc._checks import Subject, VerifyOptions
from badgeservice.vc.jwt import sign_jwt
from tests.unit.ob_documents import (
    DID,
    KEY,
    NOW,
    RECIPIENTS,
    VM,
    built_credential,
    profile,
)


def pipeline_credential(**changes: Any) -> dict[str, Any]:
    document = built_credential(RECIPIENTS[0])
    document["issuer"] = profile()
    return document | changes


@pytest.mark.parametrize("recipient", RECIPIENTS, ids=lambda r: r.kind)
def test_our_signed_credential_passes_the_schema_check(recipient: Recipient) -> None:
    signed = sign_credential(built_credential(recipient) | {"issuer": profile()}, KEY, VM)
    report = verify_credential(signed, now=NOW, extra_checks=[schema_check])
    assert report.verified, report.to_dict()
    ids = [check.id for check in report.checks]
    assert ids[ids.index("safe_mode") + 1] == "schema"
    assert (report.check("schema").outcome, report.check("schema").code) == (
        "passed",
        "schema_valid",
    )
    assert "single proof object" in report.check("schema").message


def test_vc_jwt_payload_passes_the_schema_check() -> None:
    token = sign_jwt(pipeline_credential(), KEY, VM, now=NOW)
    report = verify_credential(token, now=NOW, extra_checks=[schema_check])
    assert (report.verified, report.check("schema").outcome) == (True, "passed")


@pytest.mark.parametrize(
    ("break_it", "path"),
    [
        (lambda d: d["credentialSubject"]["achievement"].pop("criteria"), "achievement.criteria"),
        (
            lambda d: d["credentialSubject"].update(
                identifier=d["credentialSubject"]["identifier"][0]
            ),
            "credentialSubject.identifier",
        ),
        (lambda d: d["issuer"].update(type="Profile"), "issuer.type"),
    ],
)
def test_schema_breaking_credential_fails_the_schema_check(
    break_it: Callable[[dict[str, Any]], Any], path: str
) -> None:
    document = pipeline_credential()
    break_it(document)
    report = verify_credential(
        sign_credential(document, KEY, VM), now=NOW, extra_checks=[schema_check]
    )
    check = report.check("schema")
    assert (report.verified, check.outcome, check.code) == (False, "failed", "schema_invalid")
    assert path in check.message
    assert report.check("proof").outcome == "passed"


def subject_of(credential: Any) -> Subject:
    return Subject("json-ld", credential, VerifyOptions(None, None, NOW, None, None))


def deep_profile(depth: int) -> dict[str, Any]:
    org = profile()
    for _ in range(depth):
        org = profile(parentOrg=org)
    return org


@pytest.mark.parametrize(
    ("credential", "outcome", "code"),
    [
        (None, "skipped", "schema_no_credential"),
        (
            pipeline_credential(**{"@context": ["https://www.w3.org/2018/credentials/v1"]}),
            "skipped",
            "schema_vc1_not_covered",
        ),
        ({"vc": pipeline_credential(), "iss": DID}, "passed", "schema_valid"),
        ({"vc": pipeline_credential(id=7), "iss": DID}, "failed", "schema_invalid"),
        (pipeline_credential(issuer=deep_profile(5000)), "error", "schema_too_deep"),
    ],
    ids=["none", "vc-1.1", "vc-claim", "vc-claim-invalid", "too-deep"],
)
def test_schema_check_outcome(credential: Any, outcome: str, code: str) -> None:
    result = check_schema(subject_of(credential))
    assert (result.outcome, result.code) == (outcome, code)
    assert result.required is (outcome != "skipped")


def test_schema_check_message_lists_the_first_five_issues() -> None:
    result = check_schema(subject_of({"name": 1, "proof": {"type": 2}}))
    assert result.message.startswith("8 schema issues: @context: is required in")
    assert result.message.count(": ") == 6
    assert result.message.endswith("; and 3 more")
    assert "proof[0].type: must be a string, not number" not in result.message


def status_entry(purpose: str, **changes: Any) -> dict[str, Any]:
    entry = {
        "id": f"https://badges.example.org/status/{purpose}#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": "7",
        "statusListCredential": f"https://badges.example.org/status/{purpose}",
    }
    return entry | changes


@pytest.mark.parametrize(
    ("statuses", "outcome", "detail"),
    [
        ([status_entry("revocation"), status_entry("suspension")], "passed", "2 credentialStatus"),
        ([status_entry("revocation"), status_entry("suspension", type=7)], "failed", "[1].type"),
        ([status_entry("revocation"), "https://x.example/s"], "failed", "credentialStatus[1]:"),
        ([], "failed", "credentialStatus: must be an object"),
    ],
)
def test_credential_status_array_is_checked_entry_by_entry(
    statuses: list[Any], outcome: str, detail: str
) -> None:
    result = check_schema(subject_of(pipeline_credential(credentialStatus=statuses)))
    assert result.outcome == outcome
    assert detail in result.message
