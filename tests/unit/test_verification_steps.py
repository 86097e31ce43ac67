"""vc.steps is the one list of step ids and codes: real reports hold exactly its ids in its
order and only its codes, and the page's message catalogue is keyed by it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from badgeservice.domain.ob_schema import schema_check
from badgeservice.domain.recipient import Recipient
from badgeservice.domain.recipient_check import claimed_recipient, recipient_check
from badgeservice.vc import (
    CHECK_IDS,
    OUTCOMES,
    STEP_IDS,
    STEPS,
    ExtraCheck,
    Report,
    codes_of,
    halted_code,
    sign_credential,
    verify_credential,
)
from badgeservice.vc.jwt import sign_jwt
from badgeservice.vc.statuslist import StatusList, build_status_entry, build_status_list_credential
from badgeservice.web import messages
from tests.unit.ob_documents import DID, KEY, NOW, VM, built_credential

EMAIL = "ada@example.org"
LIST_URL = "https://badges.example.org/status/1"
WEB_ISSUER = "https://badges.example.org/issuers/alpha"
ALL_CODES = {code for step in STEPS for code in codes_of(step.id)}
WARNINGS_BY_STEP = {step.id: step.warnings for step in STEPS}


def extras(recipient: str = EMAIL) -> list[ExtraCheck]:
    return [schema_check, recipient_check(claimed_recipient(recipient))]


def signed(**changes: Any) -> dict[str, Any]:
    document = copy.deepcopy(built_credential(Recipient("email", EMAIL)))
    document.update(changes)
    return sign_credential(document, KEY, VM)


def tampered() -> dict[str, Any]:
    document = signed()
    document["name"] = "Edited"
    return document


def with_status(purpose: str) -> dict[str, Any]:
    entry = {
        "id": "https://badges.example.org/status/1#7",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": "7",
        "statusListCredential": "https://badges.example.org/status/1",
    }
    return signed(credentialStatus=entry)


def with_short_status_list() -> Report:
    """A credential whose status list is shorter than the spec asks (a warning)."""
    listing = build_status_list_credential(LIST_URL, DID, "revocation", StatusList(8))
    documents = {LIST_URL: sign_credential(listing, KEY, VM)}
    credential = signed(credentialStatus=build_status_entry(LIST_URL, 3))
    return verify_credential(
        credential, fetch_json=documents.__getitem__, now=NOW, extra_checks=extras()
    )


def with_unconfirmed_key() -> Report:
    """An https issuer that cannot be fetched, its key named in the fragment (a warning)."""
    document = copy.deepcopy(built_credential(Recipient("email", EMAIL)))
    document["issuer"]["id"] = WEB_ISSUER
    method = f"{WEB_ISSUER}#{KEY.public_multibase()}"
    return verify_credential(
        sign_credential(document, KEY, method), fetch_json={}.__getitem__, now=NOW
    )


def with_context(url: str) -> dict[str, Any]:
    document = signed()
    document["@context"] = [*document["@context"], url]
    return document


REPORTS: dict[str, Callable[[], Report]] = {
    "valid": lambda: verify_credential(signed(), now=NOW, extra_checks=extras()),
    "other recipient": lambda: verify_credential(
        signed(), now=NOW, extra_checks=extras("bob@example.org")
    ),
    "tampered": lambda: verify_credential(tampered(), now=NOW, extra_checks=extras()),
    "expired": lambda: verify_credential(
        signed(validFrom="2025-01-01T00:00:00Z", validUntil="2026-01-01T00:00:00Z"),
        now=NOW,
        extra_checks=extras(),
    ),
    "ends before it starts": lambda: verify_credential(
        signed(validFrom="2026-02-01T00:00:00Z", validUntil="2026-01-01T00:00:00Z"),
        now=NOW,
        extra_checks=extras(),
    ),
    "not yet valid": lambda: verify_credential(
        signed(validFrom="2027-01-01T00:00:00Z"), now=NOW, extra_checks=extras()
    ),
    "status unreachable": lambda: verify_credential(
        with_status("revocation"), fetch_json={}.__getitem__, now=NOW, extra_checks=extras()
    ),
    "jwt": lambda: verify_credential(
        sign_jwt(built_credential(Recipient("email", EMAIL)), KEY, VM, now=NOW),
        now=NOW,
        extra_checks=extras(),
    ),
    "short status list": with_short_status_list,
    "unconfirmed key": with_unconfirmed_key,
    "not a credential": lambda: verify_credential({"hello": "world"}, now=NOW),
    "unreadable": lambda: verify_credential("not json at all", now=NOW),
    "unknown context": lambda: verify_credential(
        with_context("https://example.org/unknown"), now=NOW
    ),
}


@pytest.mark.parametrize("case", REPORTS)
def test_reports_hold_the_step_ids_in_step_order_and_only_step_codes(case: str) -> None:
    report = REPORTS[case]().to_dict()
    ids = [check["id"] for check in report["checks"]]
    assert ids == [step_id for step_id in STEP_IDS if step_id in ids]
    assert set(CHECK_IDS) <= set(ids)
    for check in report["checks"]:
        assert check["outcome"] in OUTCOMES
        assert check["code"] in codes_of(check["id"]), check
    for warning in report["warnings"]:
        assert warning["code"] in WARNINGS_BY_STEP[warning["check"]], warning


def test_a_report_with_every_extra_step_lists_every_step_id() -> None:
    report = REPORTS["valid"]()
    assert report.verified, report.to_dict()
    assert [check.id for check in report.checks] == list(STEP_IDS)


def test_the_pipeline_ids_are_the_steps_the_engine_runs_itself() -> None:
    report = verify_credential(signed(), now=NOW)
    assert [check.id for check in report.checks] == list(CHECK_IDS)
    assert [step.id for step in STEPS if not step.pipeline] == ["schema", "recipient"]


def test_a_halted_step_is_skipped_with_its_halted_code() -> None:
    report = REPORTS["tampered"]()
    after_proof = STEP_IDS[STEP_IDS.index("proof") + 1 :]
    assert [(c.id, c.outcome, c.code) for c in report.checks if c.id in after_proof] == [
        (step_id, "skipped", halted_code(step_id)) for step_id in after_proof
    ]


@pytest.mark.parametrize(
    ("case", "check", "code"),
    [
        ("short status list", "status", "status_list_short"),
        ("unconfirmed key", "issuer_key", "issuer_key_unconfirmed"),
    ],
)
def test_warnings_carry_the_id_of_a_step_that_names_them(case: str, check: str, code: str) -> None:
    report = REPORTS[case]().to_dict()
    assert {"check": check, "code": code} in [
        {"check": warning["check"], "code": warning["code"]} for warning in report["warnings"]
    ], report
    assert code in WARNINGS_BY_STEP[check]


def test_step_ids_and_codes_are_unique() -> None:
    assert len(set(STEP_IDS)) == len(STEP_IDS)
    for step in STEPS:
        assert len(set(step.codes)) == len(step.codes), step.id


def test_every_step_has_a_title_and_a_sentence_for_each_outcome_it_can_end_with() -> None:
    assert set(messages.TITLES) == set(STEP_IDS)
    assert set(messages.SENTENCES) == set(OUTCOMES)
    assert set(messages.OUTCOMES) == set(OUTCOMES)
    for outcome in ("passed", "failed", "error"):
        assert set(messages.SENTENCES[outcome]) == set(STEP_IDS), outcome


def test_every_step_id_and_code_the_page_names_is_a_step_id_or_code() -> None:
    assert set(messages.REASON_ORDER) <= set(STEP_IDS)
    for step_id, outcome in messages.REASONS:
        assert step_id in STEP_IDS
        assert outcome in OUTCOMES
    named = set(messages.CODE_SENTENCES) | set(messages.REASONS_BY_CODE)
    assert named - ALL_CODES == set()
    assert set(messages.WARNINGS) - {code for step in STEPS for code in step.warnings} == set()


@pytest.mark.parametrize("step_id", STEP_IDS)
def test_a_halted_step_reads_as_halted_on_the_page(step_id: str) -> None:
    check = {"id": step_id, "outcome": "skipped", "code": halted_code(step_id)}
    assert messages.sentence(check) == messages.HALTED
