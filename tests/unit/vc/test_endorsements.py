"""The ``endorsements`` check: embedded EndorsementCredentials are verified, never passed
silently; bounded (16, not recursive); unreachable ones do not sink a valid credential."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from badgeservice.vc import CHECK_IDS, generate_key, sign_credential, verify_credential
from badgeservice.vc._endorsements import MAX_ENDORSEMENTS, find_endorsements
from badgeservice.vc.dids import build_did_document, did_key_from_key
from badgeservice.vc.jwt import sign_jwt
from tests.unit.vc.documents import OB_CONTEXTS, ob_credential

NOW = datetime(2025, 6, 1, tzinfo=UTC)
KEY = generate_key("Ed25519")
DID = did_key_from_key(KEY)
VM = f"{DID}#{KEY.public_multibase()}"
ENDORSER_KEY = generate_key("Ed25519")
ENDORSER = did_key_from_key(ENDORSER_KEY)
ENDORSER_VM = f"{ENDORSER}#{ENDORSER_KEY.public_multibase()}"
WEB_ENDORSER = "did:web:endorser.example.org"
WEB_ENDORSER_VM = f"{WEB_ENDORSER}#key-1"
WEB_ENDORSER_URL = "https://endorser.example.org/.well-known/did.json"
ACHIEVEMENT_ID = "https://badges.example.org/achievements/1"


def endorsement(
    issuer: str = ENDORSER, subject_id: str = ACHIEVEMENT_ID, n: int = 0, **extra: Any
) -> dict[str, Any]:
    return {
        "@context": list(OB_CONTEXTS),
        "id": f"urn:uuid:8c2b6a4e-0000-4000-8000-{n:012d}",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "Endorsement of Intro",
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Endorser"},
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {
            "id": subject_id,
            "type": ["EndorsementSubject"],
            "endorsementComment": "A sound course.",
        },
        **extra,
    }


def signed_endorsement(**overrides: Any) -> dict[str, Any]:
    return sign_credential(endorsement(**overrides), ENDORSER_KEY, ENDORSER_VM)


def embedding(*endorsements: Any, field: str = "endorsement") -> dict[str, Any]:
    """A credential whose achievement embeds ``endorsements``, signed after embedding."""
    document = ob_credential(DID)
    document["credentialSubject"]["achievement"][field] = list(endorsements)
    return sign_credential(document, KEY, VM)


def check(report: Any, check_id: str = "endorsements") -> tuple[str, str, bool]:
    item = report.check(check_id)
    return item.outcome, item.code, item.required


def test_endorsements_check_follows_status() -> None:
    assert CHECK_IDS[CHECK_IDS.index("status") + 1] == "endorsements"


def test_credential_without_endorsements_skips_the_check() -> None:
    report = verify_credential(sign_credential(ob_credential(DID), KEY, VM), now=NOW)
    assert report.verified
    assert check(report) == ("skipped", "endorsements_absent", False)


def test_embedded_valid_endorsement_passes() -> None:
    report = verify_credential(embedding(signed_endorsement()), now=NOW)
    assert report.verified, report.to_dict()
    assert check(report) == ("passed", "endorsements_verified", True)
    assert report.check("endorsements").warnings == ()


def test_embedded_valid_jwt_endorsement_passes() -> None:
    token = sign_jwt(endorsement(), ENDORSER_KEY, ENDORSER_VM, now=NOW)
    report = verify_credential(embedding(token, field="endorsementJwt"), now=NOW)
    assert report.verified, report.to_dict()
    assert check(report)[:2] == ("passed", "endorsements_verified")


def test_endorsement_tampered_before_embedding_fails_while_the_credential_proof_holds() -> None:
    tampered = signed_endorsement()
    tampered["credentialSubject"]["endorsementComment"] = "The best course ever."
    report = verify_credential(embedding(tampered), now=NOW)
    assert report.check("proof").outcome == "passed"  # the credential was signed after that
    assert check(report) == ("failed", "endorsement_invalid", True)
    message = report.check("endorsements").message
    assert tampered["id"] in message
    assert "did not pass proof" in message
    assert not report.verified


def test_endorsement_tampered_after_the_credential_was_signed_breaks_its_proof() -> None:
    signed = embedding(signed_endorsement())
    achievement = signed["credentialSubject"]["achievement"]
    achievement["endorsement"][0]["credentialSubject"]["endorsementComment"] = "Edited."
    report = verify_credential(signed, now=NOW)
    assert report.check("proof").outcome == "failed"
    assert check(report)[0] == "skipped"
    assert not report.verified


@pytest.mark.parametrize(
    ("endorsed", "code"),
    [
        (signed_endorsement(validUntil="2025-02-01T00:00:00Z"), "endorsement_invalid"),
        (  # signed by a key that is not the endorser's
            sign_credential(endorsement(), generate_key("Ed25519"), ENDORSER_VM),
            "endorsement_invalid",
        ),
        (  # a credential, but not an endorsement
            sign_credential(ob_credential(ENDORSER), ENDORSER_KEY, ENDORSER_VM),
            "endorsement_invalid",
        ),
        ("not an object", "endorsement_invalid"),
    ],
)
def test_invalid_endorsements_fail(endorsed: Any, code: str) -> None:
    report = verify_credential(embedding(endorsed), now=NOW)
    assert check(report) == ("failed", code, True)
    assert report.check("proof").outcome == "passed"
    assert not report.verified


def test_endorsement_whose_key_cannot_be_fetched_is_an_error_not_sinking_the_credential() -> None:
    unreachable = sign_credential(endorsement(issuer=WEB_ENDORSER), ENDORSER_KEY, WEB_ENDORSER_VM)
    report = verify_credential(embedding(unreachable), fetch_json={}.__getitem__, now=NOW)
    assert check(report) == ("error", "endorsements_not_checked", False)
    warnings = report.check("endorsements").warnings
    assert [w.code for w in warnings] == ["endorsement_not_checked"]
    assert unreachable["id"] in warnings[0].message
    assert report.verified
    assert {"check": "endorsements", **warnings[0].to_dict()} in report.warnings


def test_endorsement_is_verified_with_the_injected_fetcher() -> None:
    document = build_did_document(WEB_ENDORSER, [(WEB_ENDORSER_VM, ENDORSER_KEY)])
    served = sign_credential(endorsement(issuer=WEB_ENDORSER), ENDORSER_KEY, WEB_ENDORSER_VM)
    fetched: list[str] = []

    def fetch(url: str) -> dict[str, Any]:
        fetched.append(url)
        return {WEB_ENDORSER_URL: document}[url]

    report = verify_credential(embedding(served), fetch_json=fetch, now=NOW)
    assert check(report)[0] == "passed", report.to_dict()
    assert WEB_ENDORSER_URL in fetched


def test_more_than_sixteen_endorsements_are_bounded() -> None:
    many = [signed_endorsement(n=n) for n in range(MAX_ENDORSEMENTS + 1)]
    report = verify_credential(embedding(*many), now=NOW)
    outcome = report.check("endorsements")
    assert (outcome.outcome, outcome.required) == ("error", False)
    assert f"16 of {MAX_ENDORSEMENTS + 1}" in outcome.message
    assert [w.code for w in outcome.warnings] == ["endorsements_not_all_checked"]
    assert report.verified


def test_a_tampered_endorsement_among_the_first_sixteen_still_fails() -> None:
    many = [signed_endorsement(n=n) for n in range(MAX_ENDORSEMENTS + 1)]
    many[3] = copy.deepcopy(many[3]) | {"name": "Edited"}
    report = verify_credential(embedding(*many), now=NOW)
    assert check(report) == ("failed", "endorsement_invalid", True)
    assert many[3]["id"] in report.check("endorsements").message


def test_endorsements_of_endorsements_are_not_followed() -> None:
    outer = endorsement()
    outer["issuer"]["endorsementJwt"] = ["this would fail if it were checked"]
    outer = sign_credential(outer, ENDORSER_KEY, ENDORSER_VM)
    report = verify_credential(embedding(outer), now=NOW)
    assert check(report)[0] == "passed", report.to_dict()


def test_endorsement_of_something_else_passes_with_a_warning() -> None:
    other = signed_endorsement(subject_id="https://elsewhere.example.org/achievements/9")
    report = verify_credential(embedding(other), now=NOW)
    outcome = report.check("endorsements")
    assert outcome.outcome == "passed"
    assert [w.code for w in outcome.warnings] == ["endorsement_subject_mismatch"]


def test_endorsements_are_found_on_the_credential_issuer_achievement_and_creator() -> None:
    document = ob_credential(DID, endorsement=[{}])
    document["issuer"]["endorsementJwt"] = ["a.b.c"]
    achievement = document["credentialSubject"]["achievement"]
    achievement["endorsement"] = [{}, {}]
    achievement["creator"] = {"id": "did:example:c", "type": ["Profile"], "endorsement": [{}]}
    where = [item.where for item in find_endorsements(document)]
    assert where == [
        "endorsement[0]",
        "issuer.endorsementJwt[0]",
        "credentialSubject.achievement.endorsement[0]",
        "credentialSubject.achievement.endorsement[1]",
        "credentialSubject.achievement.creator.endorsement[0]",
    ]
