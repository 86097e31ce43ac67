"""The ``schema`` check of the verification pipeline (runs after ``safe_mode``).

An EndorsementCredential (its ``type`` says so) is checked against the 1EdTech
EndorsementCredential schema, a CLR 2.0 ClrCredential against our model of CLR 2.0 (``_clr``:
its bundled credentials as AchievementCredentials), anything else against the
AchievementCredential schema. What is
checked, and what is deliberately read leniently:

* a JSON-LD credential (or a baked one) as it is; a VC-JWT by its payload (the credential plus
  the JWT claims, which the schema tolerates as extra members), or by its ``vc`` claim when
  the payload wraps the credential the VC 1.1 way;
* **a single value where the strict schema wants an array** (``type: "Profile"``, one
  ``identifier`` object, one ``proof`` object, one ``credentialSchema``…) is read as a
  one-item array: JSON-LD reads both the same, the signature covers the same graph, and real
  issuers (Data Integrity libraries included) publish such credentials. The check passes with
  a ``schema_compacted_value`` warning naming the paths. Everything else the strict schema
  refuses (a missing member, a number or an object where a string is required, a bad format,
  an extra member of a closed class) fails the check as it is (``schema_invalid``);
* a ``credentialStatus`` **array** (VC 2.0 allows several entries; our issuance adds a
  suspension entry on request, OB 3.0 says 0..1 and spec issue #623 proposes several for 3.1)
  is checked entry by entry as CredentialStatus objects, with a ``credential_status_array``
  warning, instead of failing as "not an object";
* with ``strict`` (VerifyOptions), neither lenient reading applies: the credential must
  conform to the published schema exactly;
* a VC 1.1 credential (first context ``https://www.w3.org/2018/credentials/v1``) is
  ``skipped`` (not required): the strict schema only describes VC 2.0 credentials and we do
  not ship the 1EdTech schema for the VC 1.1 variant, so "not checked" is the honest answer;
* no credential at all: ``skipped`` (not required).

See: https://www.imsglobal.org/spec/ob/v3p0/#verification
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from badgeservice.domain.credential import credential_of
from badgeservice.domain.ob_schema._clr import CLR_CREDENTIAL, CLR_TYPE
from badgeservice.domain.ob_schema._credentials import (
    ACHIEVEMENT_CREDENTIAL,
    CREDENTIAL_STATUS,
    ENDORSEMENT_CREDENTIAL,
)
from badgeservice.domain.ob_schema._rules import Model, SchemaIssue, expanded, unwrapped
from badgeservice.vc import ExtraCheck, Outcome, ReportWarning, Subject

__all__ = ["check_schema", "schema_check"]

VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
LISTED_ISSUES = 5


def check_schema(subject: Subject) -> Outcome:
    """The credential conforms to the 1EdTech AchievementCredential (or EndorsementCredential)
    JSON Schema, read as the module docstring says: ``passed`` (with warnings for lenient
    readings), ``failed`` with ``schema_invalid`` listing the first issues with their paths,
    or ``skipped``.

    See: https://www.imsglobal.org/spec/ob/v3p0/#verification
    """
    document = credential_of(subject.credential)
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
    model = _model_of(document)
    warnings: tuple[ReportWarning, ...] = ()
    try:
        if subject.options.strict:
            issues = list(model(document, ""))
        else:
            issues, warnings = _lenient_issues(model, document)
    except RecursionError:
        return Outcome("error", "schema_too_deep", "the credential is nested too deeply to check")
    if issues:
        return Outcome("failed", "schema_invalid", describe(issues))
    return Outcome(
        "passed",
        "schema_valid",
        f"conforms to the CLR 2.0 {model.name} data model"
        if model is CLR_CREDENTIAL
        else f"conforms to the 1EdTech {model.name} schema",
        warnings=warnings,
    )


def _model_of(document: Mapping[str, Any]) -> Model:
    """The endorsement schema for an EndorsementCredential, the CLR 2.0 model for a
    ClrCredential, else the achievement schema."""
    types = document.get("type")
    names = types if isinstance(types, list) else [types]
    if "EndorsementCredential" in names:
        return ENDORSEMENT_CREDENTIAL
    if CLR_TYPE in names:
        return CLR_CREDENTIAL
    return ACHIEVEMENT_CREDENTIAL


def _lenient_issues(
    model: Model, document: Mapping[str, Any]
) -> tuple[list[SchemaIssue], tuple[ReportWarning, ...]]:
    """The strict schema's issues with the document read as the module docstring says, and
    a warning per kind of lenient reading that was needed."""
    wrapped: list[str] = []
    readable = dict(expanded(model, document, "", wrapped))
    statuses = document.get("credentialStatus")
    if isinstance(statuses, list) and statuses:
        del readable["credentialStatus"]
    issues = [unwrapped(issue, wrapped) for issue in model(readable, "")]
    issues += _status_entries(statuses)
    warnings = []
    if wrapped:
        paths = [unwrapped(SchemaIssue(path, ""), wrapped).path or "(document)" for path in wrapped]
        warnings.append(
            ReportWarning(
                "schema_compacted_value",
                f"a single value where the schema wants an array, read as a one-item array "
                f"(JSON-LD reads both the same): {', '.join(paths)}",
            )
        )
    if isinstance(statuses, list) and statuses:
        warnings.append(
            ReportWarning(
                "credential_status_array",
                f"{len(statuses)} credentialStatus entries where the OB 3.0 schema wants one "
                "object: each was checked as a CredentialStatus",
            )
        )
    return issues, tuple(warnings)


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


def _first_context(document: Mapping[str, Any]) -> Any:
    contexts = document.get("@context")
    return contexts[0] if isinstance(contexts, list) and contexts else contexts


schema_check = ExtraCheck(id="schema", run=check_schema, after="safe_mode")
