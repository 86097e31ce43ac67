"""The optional ``recipient`` check: an email against the salted identityHash (sha256, md5,
plain), a DID or URL against credentialSubject.id; the given value never in the report."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from badgeservice.domain.recipient import Recipient, RecipientError, identity_hash_matches
from badgeservice.domain.recipient_check import check_recipient, claimed_recipient, recipient_check
from badgeservice.vc import Subject, VerifyOptions, sign_credential, verify_credential
from badgeservice.vc.jwt import sign_jwt
from tests.unit.ob_documents import DID, KEY, NOW, VM, built_credential, profile

EMAIL = "learner@example.org"


def issued_to(recipient: Recipient) -> dict[str, Any]:
    return built_credential(recipient) | {"issuer": profile()}


def with_identity(**identity: Any) -> dict[str, Any]:
    document = issued_to(Recipient("did", "did:example:x"))
    subject = document["credentialSubject"]
    del subject["id"]
    subject["identifier"] = [{"type": "IdentityObject", "identityType": "emailAddress", **identity}]
    return document


def outcome_for(credential: Any, given: str) -> tuple[str, str]:
    result = check_recipient(
        Subject("json-ld", credential, VerifyOptions(None, None, NOW, None, None)),
        claimed_recipient(given),
    )
    assert given.strip() not in result.message
    return result.outcome, result.code


def md5_hash(value: str) -> str:
    return "md5$" + hashlib.md5(value.encode(), usedforsecurity=False).hexdigest()


@pytest.mark.parametrize(
    "given", [EMAIL, " Learner@Example.ORG ", "LEARNER@EXAMPLE.ORG"], ids=["same", "case", "caps"]
)
def test_email_matches_our_salted_hash_after_normalising(given: str) -> None:
    document = issued_to(Recipient("email", EMAIL, name="Ada"))
    assert outcome_for(document, given) == ("passed", "recipient_matched")


@pytest.mark.parametrize(
    ("identity", "given", "expected"),
    [
        ({"hashed": True, "identityHash": md5_hash("a@example.com" + "s1"), "salt": "s1"},
         "a@example.com", "passed"),
        ({"hashed": True, "identityHash": md5_hash("a@example.com")}, "a@example.com", "passed"),
        ({"hashed": True, "identityHash": "SHA256$B5809D8A92F8858436D7E6B87C12EBC0AE1EAC4BAECC2C0B9"
          "13AEE2C922EF399", "salt": "Kosher"}, "a@example.com", "passed"),
        ({"hashed": True, "identityHash": md5_hash("A@Example.com"), "salt": ""},
         "A@Example.com", "passed"),
        ({"hashed": False, "identityHash": "a@example.com"}, "A@example.com", "passed"),
        ({"hashed": False, "identityHash": "a@example.com"}, "b@example.com", "failed"),
        ({"hashed": True, "identityHash": md5_hash("a@example.com"), "salt": "x"},
         "a@example.com", "failed"),
        ({"hashed": True, "identityHash": "sha1$" + hashlib.sha1(b"a@example.com").hexdigest()},
         "a@example.com", "failed"),
        ({"hashed": True, "identityHash": "sha256$"}, "a@example.com", "failed"),
    ],
    ids=["md5-salt", "md5-no-salt", "spec-example-caps", "as-given", "plain", "plain-other",
         "wrong-salt", "sha1", "empty-digest"],
)  # fmt: skip
def test_email_against_identity_hash_forms(
    identity: dict[str, Any], given: str, expected: str
) -> None:
    assert outcome_for(with_identity(**identity), given)[0] == expected


@pytest.mark.parametrize(
    ("recipient", "given", "expected"),
    [
        (Recipient("email", EMAIL), "someone@example.org", ("failed", "recipient_mismatch")),
        (Recipient("did", DID), DID, ("passed", "recipient_matched")),
        (Recipient("did", DID), "did:key:z6Mkother", ("failed", "recipient_mismatch")),
        (Recipient("url", "https://learner.example/me"), "https://learner.example/me",
         ("passed", "recipient_matched")),
        (Recipient("did", DID), EMAIL, ("failed", "recipient_not_named")),
        (Recipient("email", EMAIL), DID, ("failed", "recipient_not_named")),
        (Recipient("email", "learner@example.org", name=EMAIL), "x@example.org",
         ("failed", "recipient_mismatch")),
    ],
    ids=["other-email", "did", "other-did", "url", "email-vs-id", "did-vs-email", "name-no-email"],
)  # fmt: skip
def test_recipient_outcomes(recipient: Recipient, given: str, expected: tuple[str, str]) -> None:
    assert outcome_for(issued_to(recipient), given) == expected


def test_name_identity_objects_never_match_an_email() -> None:
    document = issued_to(Recipient("did", DID, name=EMAIL))
    assert outcome_for(document, EMAIL) == ("failed", "recipient_not_named")


@pytest.mark.parametrize(
    "given", ["ada", "ada@", "ftp://x.example/a", "did:", "x" * 3000 + "@example.org"]
)
def test_claimed_recipient_refuses_other_values_without_echoing_them(given: str) -> None:
    with pytest.raises(RecipientError) as raised:
        claimed_recipient(given)
    assert given not in str(raised.value)


@pytest.mark.parametrize("as_jwt", [False, True], ids=["json-ld", "jwt"])
def test_recipient_check_in_the_report_never_shows_the_email(as_jwt: bool) -> None:
    document = issued_to(Recipient("email", EMAIL))
    signed: Any = (
        sign_jwt(document, KEY, VM, now=NOW) if as_jwt else sign_credential(document, KEY, VM)
    )
    for given, outcome in ((EMAIL, "passed"), ("other@example.org", "failed")):
        check = recipient_check(claimed_recipient(given))
        report = verify_credential(signed, now=NOW, extra_checks=[check])
        assert report.check("recipient").outcome == outcome
        assert report.verified is (outcome == "passed")
        assert "the email you gave" in report.check("recipient").message
        text = json.dumps(report.to_dict()) + repr(check) + repr(claimed_recipient(given))
        assert given not in text
        assert [c.id for c in report.checks][-1] == "recipient"


def test_without_a_recipient_there_is_no_recipient_check() -> None:
    signed = sign_credential(issued_to(Recipient("email", EMAIL)), KEY, VM)
    report = verify_credential(signed, now=NOW)
    assert "recipient" not in [check.id for check in report.checks]


def test_vc_claim_of_a_jwt_payload_is_searched() -> None:
    payload = {"vc": issued_to(Recipient("did", DID)), "iss": DID}
    assert outcome_for(payload, DID) == ("passed", "recipient_matched")


def test_identity_hash_matches_refuses_unknown_algorithms() -> None:
    assert identity_hash_matches(md5_hash("ab"), "a", "b")
    assert not identity_hash_matches("sha512$00", "a", "b")
    assert not identity_hash_matches("nohash", "a", "b")
