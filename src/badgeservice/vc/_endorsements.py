"""The ``endorsements`` check: every EndorsementCredential embedded in the credential holds.

OB 3.0 lets a credential carry endorsements in ``endorsement`` (Data Integrity signed objects)
or ``endorsementJwt`` (compact VC-JWTs) on the credential itself, on its issuer Profile, on the
achievement of each ``credentialSubject`` and on that achievement's ``creator``. Each one is
verified by the same pipeline with the same options (fetchers, clock, loader, ``strict``), but
without this check: endorsements of endorsements are not followed. At most
:data:`MAX_ENDORSEMENTS` are checked; the rest are reported as not checked.

An endorsement that was checked and is not valid (tampered, revoked, expired, a key that is
not the endorser's) makes the check ``failed`` and the credential not verified: a displayer
shows endorsements, so a false one must not pass silently. One that could not be checked (its
key or status list unreachable) is ``error``, not required, with a warning: it does not sink a
credential whose own checks hold.

See: https://www.imsglobal.org/spec/ob/v3p0/#endorsementcredential
See: https://www.imsglobal.org/spec/ob/v3p0/#verification-and-validation
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from badgeservice.vc._checks import Outcome, ReportWarning, Subject, VerifyOptions
from badgeservice.vc.steps import WORST_FIRST

if TYPE_CHECKING:
    from badgeservice.vc.verify import Report

__all__ = ["MAX_ENDORSEMENTS", "check_endorsements"]

MAX_ENDORSEMENTS = 16
ENDORSEMENT_TYPE = "EndorsementCredential"

#: verifies one embedded endorsement (the pipeline without the ``endorsements`` check)
Verifier = Callable[[Mapping[str, Any] | str, VerifyOptions], "Report"]


@dataclass(frozen=True)
class Embedded:
    """One embedded endorsement: where it sits, what it is, and the id of what carries it."""

    where: str
    value: Any
    holder_id: str | None


@dataclass(frozen=True)
class _Result:
    outcome: str  # passed | failed | error
    text: str
    warnings: tuple[ReportWarning, ...] = ()


def find_endorsements(document: Mapping[str, Any]) -> list[Embedded]:
    """Every endorsement of the credential, its issuer, its achievements and their creators.

    See: https://www.imsglobal.org/spec/ob/v3p0/#achievementcredential
    """
    found: list[Embedded] = []
    for where, holder in _holders(document):
        for name in ("endorsement", "endorsementJwt"):
            values = holder.get(name)
            items = values if isinstance(values, list) else [] if values is None else [values]
            holder_id = holder.get("id") if isinstance(holder.get("id"), str) else None
            found.extend(
                Embedded(f"{where}{name}[{n}]", value, holder_id) for n, value in enumerate(items)
            )
    return found


def _holders(document: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    yield "", document
    if isinstance(document.get("issuer"), Mapping):
        yield "issuer.", document["issuer"]
    subjects = document.get("credentialSubject")
    items = subjects if isinstance(subjects, list) else [subjects]
    for n, item in enumerate(items):
        achievement = item.get("achievement") if isinstance(item, Mapping) else None
        if not isinstance(achievement, Mapping):
            continue
        prefix = f"credentialSubject[{n}]." if isinstance(subjects, list) else "credentialSubject."
        yield f"{prefix}achievement.", achievement
        if isinstance(achievement.get("creator"), Mapping):
            yield f"{prefix}achievement.creator.", achievement["creator"]


def check_endorsements(subject: Subject, verify: Verifier) -> Outcome:
    """Verify each embedded endorsement (at most 16); the worst outcome wins.

    See: https://www.imsglobal.org/spec/ob/v3p0/#endorsementcredential
    """
    found = find_endorsements(subject.doc)
    if not found:
        return Outcome(
            "skipped", "endorsements_absent", "the credential has no endorsements", required=False
        )
    checked, rest = found[:MAX_ENDORSEMENTS], found[MAX_ENDORSEMENTS:]
    results = [_check_one(item, subject.options, verify) for item in checked]
    warnings = [warning for result in results for warning in result.warnings]
    if rest:
        warnings.append(
            ReportWarning(
                "endorsements_not_all_checked",
                f"{len(rest)} endorsement(s) beyond the first {MAX_ENDORSEMENTS} were not checked",
            )
        )
    failed = [result.text for result in results if result.outcome == "failed"]
    if failed:
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        return Outcome("failed", "endorsement_invalid", failed[0] + more, warnings=tuple(warnings))
    unchecked = sum(result.outcome == "error" for result in results) + len(rest)
    if unchecked:
        message = f"{len(found) - unchecked} of {len(found)} endorsement(s) verified; "
        message += f"{unchecked} could not be checked"
        return Outcome(
            "error", "endorsements_not_checked", message, required=False, warnings=tuple(warnings)
        )
    return Outcome(
        "passed",
        "endorsements_verified",
        f"{len(found)} endorsement(s) verified",
        warnings=tuple(warnings),
    )


def _check_one(item: Embedded, options: VerifyOptions, verify: Verifier) -> _Result:
    jwt = item.where.split(".")[-1].startswith("endorsementJwt")
    if not isinstance(item.value, str if jwt else Mapping):
        kind = "a compact JWT" if jwt else "an object"
        return _Result("failed", f"the endorsement at {item.where} is not {kind}")
    report = verify(item.value, options)
    label = _label(item, report.credential)
    if isinstance(report.credential, Mapping) and not _is_endorsement(report.credential):
        return _Result("failed", f"the endorsement {label} is not an {ENDORSEMENT_TYPE}")
    if report.verified:
        return _Result("passed", label, _subject_warnings(item, report.credential, label))
    required = [check for check in report.checks if check.required]
    for wanted in WORST_FIRST:
        for check in required:
            if check.outcome == wanted:
                text = f"the endorsement {label} did not pass {check.id}: {check.message}"
                warning = ReportWarning("endorsement_not_checked", text)
                return _Result(wanted, text, (warning,) if wanted == "error" else ())
    return _Result("error", f"the endorsement {label} was not verified")  # pragma: no cover


def _label(item: Embedded, credential: Any) -> str:
    """Its id (else its name), and where it sits."""
    document = credential if isinstance(credential, Mapping) else {}
    value = item.value if isinstance(item.value, Mapping) else document
    for name in ("id", "name"):
        if isinstance(value.get(name), str):
            return f"{value[name]} ({item.where})"
    return item.where


def _is_endorsement(credential: Mapping[str, Any]) -> bool:
    types = credential.get("type")
    return types == ENDORSEMENT_TYPE or (isinstance(types, list) and ENDORSEMENT_TYPE in types)


def _subject_warnings(item: Embedded, credential: Any, label: str) -> tuple[ReportWarning, ...]:
    """An endorsement of something else than what carries it is valid, but worth saying."""
    subject = credential.get("credentialSubject") if isinstance(credential, Mapping) else None
    endorsed = subject.get("id") if isinstance(subject, Mapping) else None
    if item.holder_id is None or endorsed == item.holder_id:
        return ()
    return (
        ReportWarning(
            "endorsement_subject_mismatch",
            f"the endorsement {label} endorses {endorsed}, not {item.holder_id} which carries it",
        ),
    )
