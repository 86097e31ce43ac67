"""The one catalogue of what the verification page says, in plain words, per check and
outcome. Keys are stable (check id, outcome); the English sentences are the gettext message ids,
translated through the pages' catalogues (``web/locales``)."""

from __future__ import annotations

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
    },
    "skipped": {},
}
SKIPPED = N_("Not checked: an earlier step failed, or it does not apply.")
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
}
HASHED_OTHER = N_("a hashed identifier")


def title(check_id: str, language: str = DEFAULT_LANGUAGE) -> str:
    if check_id not in TITLES:
        return check_id.replace("_", " ").capitalize()
    return gettext(language, TITLES[check_id])


def sentence(check_id: str, outcome: str, language: str = DEFAULT_LANGUAGE) -> str:
    return gettext(language, SENTENCES.get(outcome, {}).get(check_id, SKIPPED))


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
