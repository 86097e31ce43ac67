"""The one catalogue of what the verification page says, in plain words, per check and
outcome. Keys are stable (check id, outcome); a later issue translates the sentences."""

from __future__ import annotations

TITLES = {
    "structure": "The file is a credential",
    "contexts": "It uses known vocabularies",
    "safe_mode": "Every field is defined",
    "schema": "It follows the Open Badges 3.0 format",
    "proof": "The signature is intact",
    "issuer_key": "The signing key belongs to the issuer",
    "proof_purpose": "The key may sign credentials",
    "valid_from": "It is already valid",
    "valid_until": "It has not expired",
    "status": "It has not been revoked or suspended",
}

SENTENCES = {
    "passed": {
        "structure": "We could read this credential.",
        "contexts": "It only uses vocabularies we know; nothing was fetched from unknown places.",
        "safe_mode": "Every field has a defined meaning, so nothing is hidden from the signature.",
        "schema": "It has the fields and shapes the Open Badges 3.0 standard requires.",
        "proof": "Nobody has changed the credential since the issuer signed it.",
        "issuer_key": "The key that signed it is published by the issuer.",
        "proof_purpose": "The issuer allows this key to sign credentials.",
        "valid_from": "Its start date has passed.",
        "valid_until": "Its end date has not passed.",
        "status": "The issuer has not revoked or suspended it.",
    },
    "failed": {
        "structure": "This is not a credential we can read.",
        "contexts": "It uses vocabularies that do not fit a credential.",
        "safe_mode": "Some fields have no defined meaning, so the signature does not cover them.",
        "schema": "It does not have the shape the Open Badges 3.0 standard requires.",
        "proof": "The credential was changed after it was signed, or the signature is wrong.",
        "issuer_key": "The key that signed it does not belong to the issuer.",
        "proof_purpose": "The issuer does not allow this key to sign credentials.",
        "valid_from": "It is not valid yet.",
        "valid_until": "It has expired.",
        "status": "The issuer has revoked or suspended it.",
    },
    "error": {
        "structure": "We could not read this credential.",
        "contexts": "It uses a vocabulary we do not know, so we could not check it.",
        "safe_mode": "We could not check that every field is defined.",
        "schema": "We could not check its format.",
        "proof": "We could not check the signature (for example, an unsupported kind).",
        "issuer_key": "We could not confirm that the key belongs to the issuer.",
        "proof_purpose": "We could not confirm what the key may do.",
        "valid_from": "We could not read its start date.",
        "valid_until": "We could not read its end date.",
        "status": "We could not reach the issuer's revocation list, so we could not check it.",
    },
    "skipped": {},
}
SKIPPED = "Not checked: an earlier step failed, or it does not apply."
VERDICT = {
    True: "This credential is verified.",
    False: "This credential could not be verified.",
}


def title(check_id: str) -> str:
    return TITLES.get(check_id, check_id.replace("_", " ").capitalize())


def sentence(check_id: str, outcome: str) -> str:
    return SENTENCES.get(outcome, {}).get(check_id, SKIPPED)
