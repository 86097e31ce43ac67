"""The ``schema`` check in the verification pipeline: our signed credentials (JSON-LD and
VC-JWT) pass, schema-breaking ones fail with ``schema_invalid``, and what is skipped."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from badgeservice.domain.ob_schema import (
    check_achievement_credential,
    check_schema,
    schema_check,
)
from badgeservice.domain.recipient import Recipient
from badgeservice.vc import Subject, VerifyOptions, sign_credential, verify_credential
from badgeservice.vc.jwt import sign_jwt
from tests.unit.ob_documents import (
    DID,
    KEY,
    NOW,
    RECIPIENTS,
    VM,
    built_credential,
    endorsement,
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
    schema = report.check("schema")
    assert (schema.outcome, schema.code) == ("passed", "schema_valid")
    assert [(w.code, w.message.rsplit(": ", 1)[1]) for w in schema.warnings] == [
        ("schema_compacted_value", "proof")
    ]


def test_vc_jwt_payload_passes_the_schema_check() -> None:
    token = sign_jwt(pipeline_credential(), KEY, VM, now=NOW)
    report = verify_credential(token, now=NOW, extra_checks=[schema_check])
    assert (report.verified, report.check("schema").outcome) == (True, "passed")


def compact(path: str, value_at: Callable[[dict[str, Any]], Any]) -> Callable[..., Any]:
    """Replace the array at ``path`` (dotted, in a pipeline credential) by its first item."""

    def change(document: dict[str, Any]) -> None:
        *parents, name = path.split(".")
        holder = document
        for step in parents:
            holder = holder[step]
        holder[name] = value_at(holder[name])

    return change


FIRST = lambda items: items[0]  # noqa: E731 (a one-line mapping for the table below)
ACHIEVEMENT = "credentialSubject.achievement"


@pytest.mark.parametrize(
    ("change", "paths"),
    [
        (compact("credentialSubject.type", FIRST), "credentialSubject.type"),
        (compact("issuer.type", FIRST), "issuer.type"),
        (compact("credentialSubject.identifier", FIRST), "credentialSubject.identifier"),
        (compact(f"{ACHIEVEMENT}.tag", FIRST), f"{ACHIEVEMENT}.tag"),
        (compact(f"{ACHIEVEMENT}.alignment", FIRST), f"{ACHIEVEMENT}.alignment"),
        (compact("evidence", FIRST), "evidence"),
        (
            lambda d: d.update(
                credentialSchema={"id": "https://x.example/s", "type": "JsonSchema"}
            ),
            "credentialSchema",
        ),
        (
            lambda d: (compact("issuer.type", FIRST)(d), compact("evidence", FIRST)(d)),
            "issuer.type, evidence",
        ),
    ],
    ids=[
        "subject-type",
        "profile-type",
        "identifier",
        "tag",
        "alignment",
        "evidence",
        "schema",
        "two",
    ],
)
def test_single_value_where_an_array_is_wanted_passes_with_a_warning(
    change: Callable[[dict[str, Any]], Any], paths: str
) -> None:
    document = pipeline_credential()
    change(document)
    report = verify_credential(
        sign_credential(document, KEY, VM), now=NOW, extra_checks=[schema_check]
    )
    check = report.check("schema")
    assert (report.verified, check.outcome, check.code) == (True, "passed", "schema_valid")
    assert [w.code for w in check.warnings] == ["schema_compacted_value"]
    assert check.warnings[0].message.endswith(f": {paths}, proof")
    assert {"check": "schema", **check.warnings[0].to_dict()} in report.warnings


@pytest.mark.parametrize(
    ("break_it", "path"),
    [
        (lambda d: d["credentialSubject"]["achievement"].pop("criteria"), "achievement.criteria"),
        (lambda d: d["credentialSubject"]["achievement"].update(name=7), "achievement.name"),
        (lambda d: d["issuer"].update(name={"@value": "Alpha", "@language": "en"}), "issuer.name"),
        (lambda d: d["credentialSubject"]["achievement"].update(inLanguage="English"), "inLang"),
        (
            lambda d: d["credentialSubject"]["identifier"][0].update(id="urn:uuid:1"),
            "identifier[0].id: is not allowed",
        ),
        (
            lambda d: d["credentialSubject"].update(
                identifier={**d["credentialSubject"]["identifier"][0], "hashed": "yes"}
            ),
            "credentialSubject.identifier.hashed: must be true or false",
        ),
        (lambda d: d["credentialSubject"]["achievement"].update(tag=5), f"{ACHIEVEMENT}.tag: must"),
        (lambda d: d.update(type="VerifiableCredential"), "type: must contain"),
        (lambda d: d.update(evidence=None), "evidence: must be an array, not null"),
    ],
    ids=[
        "missing", "number", "object", "format", "closed", "wrapped-item", "wrapped-type",
        "wrapped-type-set", "null",
    ],
)  # fmt: skip
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
    assert "[0][0]" not in check.message
    assert report.check("proof").outcome == "passed"


@pytest.mark.parametrize("strict", [False, True])
def test_strict_verification_refuses_compacted_values(strict: bool) -> None:
    document = pipeline_credential()
    document["issuer"]["type"] = "Profile"
    signed = sign_credential(document, KEY, VM)
    report = verify_credential(signed, now=NOW, extra_checks=[schema_check], strict=strict)
    check = report.check("schema")
    assert (check.outcome, bool(check.warnings)) == (
        ("failed", False) if strict else ("passed", True)
    )
    if strict:
        assert (
            check.message == "2 schema issues: issuer.type: must be an array of type names, "
            "not 'Profile'; proof: must be an array, not object"
        )


def signed_endorsement(**changes: Any) -> dict[str, Any]:
    document = endorsement() | {"issuer": profile(), "description": "Endorses the intro."}
    del document["proof"]
    return sign_credential(document | changes, KEY, VM)


def test_valid_endorsement_passes_the_endorsement_schema() -> None:
    report = verify_credential(signed_endorsement(), now=NOW, extra_checks=[schema_check])
    check = report.check("schema")
    assert report.verified, report.to_dict()
    assert (check.outcome, check.message) == (
        "passed",
        "conforms to the 1EdTech EndorsementCredential schema",
    )
    assert check_achievement_credential(report.credential or {})  # the wrong schema refuses it


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"name": 5}, "name: must be a string"),
        ({"credentialSubject": {"type": ["EndorsementSubject"]}}, "credentialSubject.id"),
        ({"validFrom": None}, "validFrom: must be a string"),
    ],
)
def test_endorsement_breaking_its_schema_fails(changes: dict[str, Any], detail: str) -> None:
    report = verify_credential(signed_endorsement(**changes), now=NOW, extra_checks=[schema_check])
    check = report.check("schema")
    assert (check.outcome, check.code) == ("failed", "schema_invalid")
    assert detail in check.message


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
    assert detail in result.message + "".join(w.message for w in result.warnings)
    codes = [w.code for w in result.warnings]
    assert codes == (["credential_status_array"] if outcome == "passed" else [])
