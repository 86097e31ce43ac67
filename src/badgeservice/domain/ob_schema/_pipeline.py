"""The ``schema`` check of the verification pipeline (runs after ``safe_mode``).

What is checked, and what is deliberately read leniently:

* a JSON-LD credential (or a baked one) as it is; a VC-JWT by its payload (the credential plus
  the JWT claims, which the schema tolerates as extra members), or by its ``vc`` claim when
  the payload wraps the credential the VC 1.1 way;
* a single ``proof`` **object** is read as a one-entry proof set before checking. Data
  Integrity, the JS verifiers and our own issuance emit a single object, which the strict
  schema (arrays only) would reject for no reason a verifier cares about; every other
  violation, including single values where arrays are required, fails the check as it is.
  Proofs of embedded EndorsementCredentials are checked as they are;
* a ``credentialStatus`` **array** (VC 2.0 allows several entries; our issuance adds a
  suspension entry on request, OB 3.0 says 0..1 and spec issue #623 proposes several for 3.1)
  is checked entry by entry as CredentialStatus objects instead of failing as "not an object";
* a VC 1.1 credential (first context ``https://www.w3.org/2018/credentials/v1``) is
  ``skipped`` (not required): the strict schema only describes VC 2.0 credentials and we do
  not ship the 1EdTech schema for the VC 1.1 variant, so "not checked" is the honest answer;
* no credential at all: ``skipped`` (not required).

See: https://www.imsglobal.org/spec/ob/v3p0/#verification
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from badgeservice.domain.ob_schema._credentials import (
    CREDENTIAL_STATUS,
    check_achievement_credential,
)
from badgeservice.domain.ob_schema._rules import SchemaIssue
from badgeservice.vc._checks import Outcome, Subject
from badgeservice.vc.verify import ExtraCheck

__all__ = ["check_schema", "schema_check"]

VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
LISTED_ISSUES = 5


def check_schema(subject: Subject) -> Outcome:
    """The credential conforms to the 1EdTech AchievementCredential JSON Schema (read as the
    module docstring says): ``passed``, ``failed`` with ``schema_invalid`` listing the first
    issues with their paths, or ``skipped``.

    See: https://www.imsglobal.org/spec/ob/v3p0/#verification
    """
    document = _credential_of(subject.credential)
    if document is None:
        return Outcome(
            "skipped", "schema_no_credential", "there is no credential to check", required=False
        )
    if _first_context(document) == VC_V1_CONTEXT:
        return Outcome(
            "skipped",
            "schema_vc1_not_covered",
            "a VC 1.1 credential: the 1EdTech schema we check against covers VC 2.0 only",
            required=False,
        )
    readable, notes = _lenient_reading(document)
    try:
        issues = check_achievement_credential(readable)
        issues += _status_entries(document.get("credentialStatus"))
    except RecursionError:
        return Outcome("error", "schema_too_deep", "the credential is nested too deeply to check")
    if issues:
        return Outcome("failed", "schema_invalid", describe(issues))
    note = f" ({'; '.join(notes)})" if notes else ""
    return Outcome(
        "passed", "schema_valid", f"conforms to the 1EdTech AchievementCredential schema{note}"
    )


def _lenient_reading(document: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The document as the strict schema should see it, and what was read leniently."""
    readable, notes = dict(document), []
    if isinstance(document.get("proof"), Mapping):
        readable["proof"] = [document["proof"]]
        notes.append("its single proof object read as a proof set")
    statuses = document.get("credentialStatus")
    if isinstance(statuses, list) and statuses:
        del readable["credentialStatus"]
        notes.append(f"its {len(statuses)} credentialStatus entries checked one by one")
    return readable, notes


def _status_entries(statuses: Any) -> list[SchemaIssue]:
    if not isinstance(statuses, list) or not statuses:
        return []  # a single object (or a wrong value) is checked with the rest
    return [
        issue
        for index, entry in enumerate(statuses)
        for issue in CREDENTIAL_STATUS(entry, f"credentialStatus[{index}]")
    ]


def describe(issues: list[SchemaIssue]) -> str:
    """``"2 schema issues: issuer.id: is required in Profile; …"``, the first few only."""
    count = len(issues)
    listed = "; ".join(str(issue) for issue in issues[:LISTED_ISSUES])
    more = f"; and {count - LISTED_ISSUES} more" if count > LISTED_ISSUES else ""
    return f"{count} schema issue{'s' if count > 1 else ''}: {listed}{more}"


def _credential_of(payload: Any) -> Mapping[str, Any] | None:
    if not isinstance(payload, Mapping):
        return None
    wrapped = payload.get("vc")
    if "@context" not in payload and isinstance(wrapped, Mapping):
        return wrapped
    return payload


def _first_context(document: Mapping[str, Any]) -> Any:
    contexts = document.get("@context")
    return contexts[0] if isinstance(contexts, list) and contexts else contexts


schema_check = ExtraCheck(id="schema", run=check_schema, after="safe_mode")
