"""The ``bundled`` check: every credential a CLR 2.0 ``ClrCredential`` bundles holds.

A ClrCredential carries whole signed credentials in ``credentialSubject.verifiableCredential``.
Its own proof covers them as data; this check verifies each one on its own (its proof, its
issuer's key, its dates, its status) with the same pipeline and options, without this check
and without endorsements (depth 1). At most :data:`MAX_BUNDLED` are checked; more fail the
check (a record we cannot check whole is not verified). A bundled credential that is not valid
(tampered, revoked, expired) fails the check and the CLR; one that could not be checked (its
issuer's key or status list unreachable) is ``error``, not required, with a warning.

See: https://www.imsglobal.org/spec/clr/v2p0/#clrcredential
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from badgeservice.vc._checks import Outcome, ReportWarning, Subject, VerifyOptions
from badgeservice.vc.steps import WORST_FIRST

if TYPE_CHECKING:
    from badgeservice.vc.verify import Report

__all__ = ["CLR_TYPE", "MAX_BUNDLED", "check_bundled"]

CLR_TYPE = "ClrCredential"
MAX_BUNDLED = 200

#: verifies one bundled credential (the pipeline without ``bundled`` and ``endorsements``)
Verifier = Callable[[Mapping[str, Any] | str, VerifyOptions], "Report"]


def _bundled(document: Mapping[str, Any]) -> list[Any] | None:
    """The bundled credentials of a ClrCredential, else None."""
    types = document.get("type")
    if not (types == CLR_TYPE or (isinstance(types, list) and CLR_TYPE in types)):
        return None
    subject = document.get("credentialSubject")
    values = subject.get("verifiableCredential") if isinstance(subject, Mapping) else None
    return values if isinstance(values, list) else [] if values is None else [values]


def check_bundled(subject: Subject, verify: Verifier) -> Outcome:
    """Verify each bundled credential; the worst outcome wins."""
    found = _bundled(subject.doc)
    if found is None:
        return Outcome(
            "skipped", "bundled_absent", "the credential bundles no credentials", required=False
        )
    if not found:
        return Outcome("failed", "bundled_invalid", "the CLR bundles no credentials")
    if len(found) > MAX_BUNDLED:
        return Outcome(
            "failed",
            "bundled_too_many",
            f"the CLR bundles {len(found)} credentials; at most {MAX_BUNDLED} are checked",
        )
    failed: list[str] = []
    unchecked: list[str] = []
    for index, value in enumerate(found):
        where = f"credentialSubject.verifiableCredential[{index}]"
        label = f"{value.get('id')} ({where})" if isinstance(value, Mapping) else where
        if not isinstance(value, Mapping | str):
            failed.append(f"the bundled credential at {where} is not a credential")
            continue
        report = verify(value, subject.options)
        if report.verified:
            continue
        required = [check for check in report.checks if check.required]
        worst = next(
            (check for wanted in WORST_FIRST for check in required if check.outcome == wanted),
            None,
        )
        if worst is None or worst.outcome == "failed":
            reason = f": {worst.id}: {worst.message}" if worst is not None else ""
            failed.append(f"the bundled credential {label} is not valid{reason}")
        else:
            unchecked.append(
                f"the bundled credential {label} did not pass {worst.id}: {worst.message}"
            )
    if failed:
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        return Outcome("failed", "bundled_invalid", failed[0] + more)
    if unchecked:
        warnings = tuple(ReportWarning("bundled_not_checked", text) for text in unchecked)
        message = f"{len(found) - len(unchecked)} of {len(found)} bundled credential(s) verified"
        return Outcome("error", "bundled_not_checked", message, required=False, warnings=warnings)
    return Outcome("passed", "bundled_verified", f"{len(found)} bundled credential(s) verified")
