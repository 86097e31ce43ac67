"""The one catalogue of what the verification page says, in plain words, per check and
outcome. Keys are the step ids and codes of ``vc.steps`` (a test holds them to it); the English
sentences are the gettext message ids, translated through the pages' catalogues
(``web/locales``)."""

from __future__ import annotations

from typing import Any

from badgeservice.vc import ISSUER_UNKNOWN_CODES, halted_code
from badgeservice.web.i18n import DEFAULT_LANGUAGE, N_, gettext

TITLES = {
    "recipient": N_("It was awarded to the person you named"),
    "structure": N_("The file is a credential"),
    "contexts": N_("It uses known vocabularies"),
    "safe_mode": N_("Every field is defined"),
    "schema": N_("It follows the Open Badges 3.0 format"),
    "proof": N_("The signature is intact"),
    "issuer_key": N_("The signing key belongs to the issuer"),
    "proof_purpose": N_("The key may sign credentials"),
    "valid_from": N_("It is already valid"),
    "valid_until": N_("It has not expired"),
    "status": N_("It has not been revoked or suspended"),
    "endorsements": N_("Its endorsements hold"),
    "bundled": N_("Every credential of the learner record holds"),
}

SENTENCES = {
    "passed": {
        "recipient": N_("The email, DID or URL you gave is the recipient of this credential."),
        "structure": N_("We could read this credential."),
        "contexts": N_(
            "It only uses vocabularies we know; nothing was fetched from unknown places."
        ),
        "safe_mode": N_(
            "Every field has a defined meaning, so nothing is hidden from the signature."
        ),
        "schema": N_("It has the fields and shapes the Open Badges 3.0 standard requires."),
        "proof": N_("Nobody has changed the credential since the issuer signed it."),
        "issuer_key": N_("The key that signed it is published by the issuer."),
        "proof_purpose": N_("The issuer allows this key to sign credentials."),
        "valid_from": N_("Its start date has passed."),
        "valid_until": N_("Its end date has not passed."),
        "status": N_("The issuer has not revoked or suspended it."),
        "endorsements": N_("Every endorsement it carries is genuine and still valid."),
        "bundled": N_(
            "Each credential in this learner record is genuine and still valid on its own."
        ),
    },
    "failed": {
        "recipient": N_("The email, DID or URL you gave is not the recipient of this credential."),
        "structure": N_("This is not a credential we can read."),
        "contexts": N_("It uses vocabularies that do not fit a credential."),
        "safe_mode": N_(
            "Some fields have no defined meaning, so the signature does not cover them."
        ),
        "schema": N_("It does not have the shape the Open Badges 3.0 standard requires."),
        "proof": N_("The credential was changed after it was signed, or the signature is wrong."),
        "issuer_key": N_("The key that signed it does not belong to the issuer."),
        "proof_purpose": N_("The issuer does not allow this key to sign credentials."),
        "valid_from": N_("It is not valid yet."),
        "valid_until": N_("It has expired."),
        "status": N_("The issuer has revoked or suspended it."),
        "endorsements": N_(
            "An endorsement it carries was changed, revoked or has expired, or its endorser "
            "did not sign it."
        ),
        "bundled": N_("A credential in this learner record was changed, revoked or has expired."),
    },
    "error": {
        "recipient": N_("We could not compare the recipient you gave with this credential."),
        "structure": N_("We could not read this credential."),
        "contexts": N_("It uses a vocabulary we do not know, so we could not check it."),
        "safe_mode": N_("We could not check that every field is defined."),
        "schema": N_("We could not check its format."),
        "proof": N_("We could not check the signature (for example, an unsupported kind)."),
        "issuer_key": N_("We could not confirm that the key belongs to the issuer."),
        "proof_purpose": N_("We could not confirm what the key may do."),
        "valid_from": N_("We could not read its start date."),
        "valid_until": N_("We could not read its end date."),
        "status": N_("We could not reach the issuer's revocation list, so we could not check it."),
        "endorsements": N_(
            "We could not check every endorsement it carries (for example, an endorser's key "
            "was unreachable)."
        ),
        "bundled": N_(
            "We could not check every credential in this learner record (for example, an "
            "issuer's key was unreachable)."
        ),
    },
    "skipped": {},
}
# Sentences that depend on the check's code, not only on its outcome.
CODE_SENTENCES = {
    "status_revoked": N_("The issuer has revoked it. This is final."),
    "issuer_key_revoked": N_("The issuer has revoked the key that signed it."),
    "status_suspended": N_("The issuer has suspended it for now. The issuer can lift this."),
    "valid_until_absent": N_("It has no end date."),
    "valid_from_absent": N_("It has no start date."),
    "status_absent": N_("The issuer gave no way to revoke it."),
    "endorsements_absent": N_("It carries no endorsements."),
    "bundled_absent": N_("It is a single credential, not a learner record."),
}
SKIPPED = N_("Not checked: it does not apply.")
HALTED = N_("Not checked, because an earlier step failed.")
# The headline of a credential that is not verified: why, in one sentence. The first check
# in REASON_ORDER that did not pass decides; a code is more precise than the check's outcome.
REASON_ORDER = (
    "structure",
    "proof",
    "issuer_key",
    "status",
    "valid_until",
    "valid_from",
    "recipient",
)
ISSUER_UNKNOWN = N_(
    "Issuer unknown: we could not find the issuer or its key, so we cannot tell who issued this."
)
REASONS_BY_CODE = {
    "status_revoked": N_("Not valid: the issuer has revoked this credential."),
    "status_suspended": N_("Not valid for now: the issuer has suspended this credential."),
    "issuer_key_revoked": N_(
        "Not valid: the issuer has revoked the key that signed it, so it can no longer be trusted."
    ),
    **dict.fromkeys(ISSUER_UNKNOWN_CODES, ISSUER_UNKNOWN),
}
REASONS = {
    ("structure", "failed"): N_("Not verified: this is not a credential we can read."),
    ("proof", "failed"): N_("Not genuine: this credential was changed after it was signed."),
    ("proof", "error"): N_("Not verified: we could not check the signature of this credential."),
    ("issuer_key", "failed"): N_(
        "Not verified: the key that signed this credential does not belong to its issuer."
    ),
    ("issuer_key", "error"): ISSUER_UNKNOWN,
    ("status", "error"): N_(
        "Not verified: we could not check whether the issuer has revoked this credential."
    ),
    ("valid_until", "failed"): N_("Expired: the end date of this credential has passed."),
    ("valid_from", "failed"): N_("Not valid yet: the start date of this credential is ahead."),
    ("recipient", "failed"): N_(
        "Not verified for this person: it was awarded to someone other than the one you named."
    ),
}
# What the input is when it is no Open Badges 3.0 credential at all.
INPUT_KINDS = {
    "jpeg": N_(
        "This is a JPEG image. Open Badges are baked only into PNG or SVG images: ask the "
        "issuer for the credential file, or for the badge as PNG or SVG."
    ),
    "ob2": N_(
        "This is an Open Badges 2.0 badge. This page checks Open Badges 3.0 credentials: ask "
        "the issuer for an Open Badges 3.0 version."
    ),
}
# Problems with what was sent, by the problem's code; others get CANNOT_READ.
PROBLEMS = {
    "not_a_credential": N_("What you sent is not a credential we can read."),
    "recipient_invalid": N_("The recipient you gave is not an email address, a DID or a URL."),
    "payload_too_large": N_("The file is too large."),
}
CANNOT_READ = N_("We could not check what you sent.")
VERDICT = {
    True: N_("This credential is verified."),
    False: N_("This credential could not be verified."),
}
OUTCOMES = {
    "passed": N_("passed"),
    "failed": N_("failed"),
    "error": N_("could not check"),
    "skipped": N_("not checked"),
}


# Warnings: something a reader should know that does not change the verdict. Unknown codes
# are shown with the English message of the report.
WARNINGS = {
    "issuer_key_unconfirmed": N_("The issuer's own document could not confirm this key."),
    "status_list_short": N_(
        "The issuer's revocation list is shorter than the standard asks for, so it hides less "
        "well which credential is whose."
    ),
    "schema_compacted_value": N_(
        "Some fields hold a single value where the standard asks for a list. This means the "
        "same, so it was accepted."
    ),
    "credential_status_array": N_(
        "It has several status entries where the Open Badges 3.0 format expects one; each "
        "entry was checked."
    ),
}
HASHED_IDENTIFIERS = {
    "emailAddress": N_("a hashed email address"),
    "userName": N_("a hashed username"),
}
HASHED_OTHER = N_("a hashed identifier")


def title(check_id: str, language: str = DEFAULT_LANGUAGE) -> str:
    if check_id not in TITLES:
        return check_id.replace("_", " ").capitalize()
    return gettext(language, TITLES[check_id])


def sentence(check: dict[str, Any], language: str = DEFAULT_LANGUAGE) -> str:
    """What a check found, in plain words (``check`` as in the report: id, outcome, code)."""
    code, outcome = check["code"], check["outcome"]
    if code in CODE_SENTENCES:
        return gettext(language, CODE_SENTENCES[code])
    if outcome == "skipped":
        return gettext(language, HALTED if code == halted_code(check["id"]) else SKIPPED)
    return gettext(language, SENTENCES.get(outcome, {}).get(check["id"], SKIPPED))


def headline(report: dict[str, Any], language: str = DEFAULT_LANGUAGE) -> str:
    """The verdict in one sentence; for a credential that is not verified, why."""
    if report["verified"]:
        return verdict(True, language)
    checks = {check["id"]: check for check in report["checks"]}
    for check_id in REASON_ORDER:
        check = checks.get(check_id)
        if check is None or check["outcome"] in ("passed", "skipped"):
            continue
        if check["code"] in REASONS_BY_CODE:
            return gettext(language, REASONS_BY_CODE[check["code"]])
        if (check_id, check["outcome"]) in REASONS:
            return gettext(language, REASONS[check_id, check["outcome"]])
    return verdict(False, language)


def input_kind(kind: str, language: str = DEFAULT_LANGUAGE) -> str:
    """What the input is, when it is a known kind of thing that is no OB 3.0 credential."""
    return gettext(language, INPUT_KINDS[kind])


def problem(code: str, language: str = DEFAULT_LANGUAGE) -> str:
    return gettext(language, PROBLEMS.get(code, CANNOT_READ))


def verdict(verified: bool, language: str = DEFAULT_LANGUAGE) -> str:
    return gettext(language, VERDICT[verified])


def outcome(name: str, language: str = DEFAULT_LANGUAGE) -> str:
    """The outcome's name for screen readers (``passed``, ``failed``, …)."""
    return gettext(language, OUTCOMES.get(name, name))


def warning(code: str, message: str, language: str = DEFAULT_LANGUAGE) -> tuple[str, str]:
    """A warning in plain words and the language they are in: the catalogue's sentence for a
    known code, else the report's own message (English)."""
    if code in WARNINGS:
        return gettext(language, WARNINGS[code]), language
    return message, DEFAULT_LANGUAGE


def hashed_identifier(identity_type: str | None, language: str = DEFAULT_LANGUAGE) -> str:
    """How a hashed identifier of the recipient is named (``a hashed email address``)."""
    return gettext(language, HASHED_IDENTIFIERS.get(identity_type or "", HASHED_OTHER))
