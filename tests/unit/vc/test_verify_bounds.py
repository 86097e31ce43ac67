"""The verifier's work bounds: linear JSON-LD work, a size-proportional budget, a deadline."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from badgeservice.vc import (
    WorkLimitError,
    _work,
    canonicalize,
    generate_key,
    sign_credential,
    verify_credential,
)
from badgeservice.vc._jsonld_node_map import value_key
from badgeservice.vc.dids import did_key_from_key
from tests.unit.vc.documents import ob_credential

KEY = generate_key("Ed25519")
DID = did_key_from_key(KEY)
VM = f"{DID}#{DID.removeprefix('did:key:')}"


def tagged(count: int, tag: str = "t") -> dict[str, Any]:
    """A credential whose achievement carries ``count`` distinct tags (the issue's bomb)."""
    document = ob_credential(DID)
    document["credentialSubject"]["achievement"]["tag"] = [f"{tag}{i}" for i in range(count)]
    return document


def work_of(document: dict[str, Any]) -> int:
    with _work.metered(len(str(document))) as meter:  # generous: measure, do not limit
        canonicalize(document, safe=True)
    return meter.spent


def test_json_ld_work_grows_linearly_with_the_number_of_values() -> None:
    small, large = work_of(tagged(1_000)), work_of(tagged(10_000))
    assert large < 12 * small  # quadratic node-map work would make this ~100x


def test_a_signed_tags_bomb_verifies_once_the_duplicate_check_is_linear() -> None:
    report = verify_credential(sign_credential(tagged(30_000), KEY, VM), deadline_seconds=120)
    assert report.verified, [c.to_dict() for c in report.checks if c.outcome != "passed"]


def test_duplicate_values_are_still_dropped_as_pyld_drops_them() -> None:
    once = canonicalize(tagged(3))
    document = tagged(3)
    tags = document["credentialSubject"]["achievement"]["tag"]
    document["credentialSubject"]["achievement"]["tag"] = tags + tags
    assert canonicalize(document) == once


@pytest.mark.parametrize(
    ("left", "right", "same"),
    [
        ({"@value": 1}, {"@value": 1.0}, True),
        ({"@value": True}, {"@value": 1}, False),
        ({"@value": "a", "@language": "en"}, {"@value": "a", "@language": "de"}, False),
        ({"@id": "urn:x"}, {"@id": "urn:x", "@type": ["urn:T"]}, True),
        ({"@value": "urn:x"}, {"@id": "urn:x"}, False),
        ("urn:T", "urn:T", True),
    ],
)
def test_value_keys_match_pyld_compare_values(left: Any, right: Any, same: bool) -> None:
    from pyld.jsonld import JsonLdProcessor

    assert JsonLdProcessor.compare_values(left, right) is same
    assert (value_key(left) == value_key(right)) is same


def test_work_over_the_budget_stops_with_work_limit_exceeded() -> None:
    with pytest.raises(WorkLimitError) as raised, _work.metered(1):  # a budget for 1 value
        canonicalize(tagged(30_000))
    assert raised.value.code == "work_limit_exceeded"


def test_a_tags_bomb_past_the_deadline_is_reported_as_error_not_checked() -> None:
    signed = sign_credential(tagged(60_000), KEY, VM)
    reports: list[Any] = []
    worker = threading.Thread(
        target=lambda: reports.append(verify_credential(signed, deadline_seconds=0.05))
    )
    worker.start()
    worker.join(timeout=60)
    assert not worker.is_alive()  # the work stopped, no thread left burning CPU
    report = reports[0]
    assert not report.verified
    failing = [c for c in report.checks if c.outcome == "error"]
    assert failing
    assert failing[0].code == "verification_deadline_exceeded"
    assert "could not check" in failing[0].message
    assert all(c.outcome in {"passed", "error", "skipped"} for c in report.checks)
