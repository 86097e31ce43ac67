"""The verification pipeline: named checks in a fixed order, each with a stable id and code.

The checks are ``vc.steps.CHECK_IDS``, in that order (plus any extra checks, e.g. ``schema``,
placed after a named check); ``vc.steps`` lists their codes and the four outcomes: ``passed``,
``failed`` (checked: not valid), ``error`` (could not be checked) or ``skipped``.
``verified`` is true only when every required check passed. Nothing here raises on untrusted
input, and nothing reaches the network: documents come from the injected ``fetch_json`` /
``fetch_status_list`` callables, time from ``now``.

See: https://www.w3.org/TR/vc-data-model-2.0/#verification
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from badgeservice.vc import _checks, _work
from badgeservice.vc._bundled import check_bundled
from badgeservice.vc._checks import CheckFn, Outcome, ReportWarning, Subject, VerifyOptions
from badgeservice.vc._endorsements import check_endorsements
from badgeservice.vc._inputs import prepare
from badgeservice.vc._status import check_status
from badgeservice.vc.errors import WorkLimitError
from badgeservice.vc.loader import StaticLoader
from badgeservice.vc.proofs import format_datetime
from badgeservice.vc.steps import CHECK_IDS, halted_code, unexpected_code
from badgeservice.vc.steps import Outcome as OutcomeName

__all__ = [
    "CHECK_IDS",
    "Check",
    "ExtraCheck",
    "Report",
    "ReportWarning",
    "verify_credential",
]


def _check_endorsements(subject: Subject) -> Outcome:
    """Each embedded endorsement through this pipeline, without this check (not recursive)."""
    return check_endorsements(subject, _verify_embedded)


def _check_bundled(subject: Subject) -> Outcome:
    """Each credential a CLR bundles through this pipeline, without this check and without
    endorsements (depth 1)."""
    return check_bundled(subject, _verify_embedded)


CHECKS: dict[str, CheckFn] = {
    "structure": _checks.check_structure,
    "contexts": _checks.check_contexts,
    "safe_mode": _checks.check_safe_mode,
    "proof": _checks.check_proof,
    "issuer_key": _checks.check_issuer_key,
    "proof_purpose": _checks.check_proof_purpose,
    "valid_from": _checks.check_valid_from,
    "valid_until": _checks.check_valid_until,
    "status": check_status,
    "endorsements": _check_endorsements,
    "bundled": _check_bundled,
}


@dataclass(frozen=True)
class Check:
    """One step of the report. ``required=False`` marks a check that did not apply."""

    id: str
    outcome: OutcomeName
    code: str
    message: str
    required: bool = True
    warnings: tuple[ReportWarning, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "outcome": self.outcome,
            "code": self.code,
            "message": self.message,
            "warnings": [warning.to_dict() for warning in self.warnings],
        }


@dataclass(frozen=True)
class ExtraCheck:
    """A check added by a caller (``schema`` later): runs after the check named ``after``."""

    id: str
    run: CheckFn
    after: str = "contexts"


@dataclass
class Report:
    """The verification report: ``verified`` and the checks, in order."""

    verified: bool
    checks: list[Check]
    format: str
    credential: dict[str, Any] | None = None
    proofs: list[dict[str, Any]] = field(default_factory=list)
    checked_at: str = ""

    @property
    def warnings(self) -> list[dict[str, str]]:
        """Every check's warnings, each with the id of the check that raised it."""
        return [
            {"check": item.id, **warning.to_dict()}
            for item in self.checks
            for warning in item.warnings
        ]

    def check(self, check_id: str) -> Check:
        """The check with this id (KeyError when the pipeline has none)."""
        for item in self.checks:
            if item.id == check_id:
                return item
        raise KeyError(check_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "checks": [item.to_dict() for item in self.checks],
            "format": self.format,
            "proofs": self.proofs,
            "warnings": self.warnings,
            "checkedAt": self.checked_at,
        }


def verify_credential(
    source: Mapping[str, Any] | str | bytes,
    *,
    fetch_json: Callable[[str], dict[str, Any]] | None = None,
    fetch_status_list: Callable[[str], dict[str, Any]] | None = None,
    now: datetime | None = None,
    trusted_issuer_keys: Callable[[str, str], bool] | None = None,
    loader: StaticLoader | None = None,
    extra_checks: Sequence[ExtraCheck] = (),
    strict: bool = False,
    deadline_seconds: float | None = None,
) -> Report:
    """Verify a credential given as JSON-LD (a dict), a compact VC-JWT (str) or a baked
    PNG/SVG image (bytes); return the report, never raise.

    ``fetch_json(url)`` returns did:web / https controller documents; ``fetch_status_list``
    (defaults to ``fetch_json``) returns status list credentials; both may raise anything,
    which is reported as ``error``. ``trusted_issuer_keys(issuer_id, public_multibase)`` says
    whether a ``<issuer id>#<publicKeyMultibase>`` key is one of ours. ``strict`` refuses
    what 1EdTech's validator accepts only with a warning (see DESIGN.md §7).
    ``deadline_seconds`` bounds the whole verification: JSON-LD work stops where it is once
    it passes (as it does over its size-proportional work budget), and every check not done
    by then is an ``error`` (``verification_deadline_exceeded``).

    See: https://www.w3.org/TR/vc-data-model-2.0/#verification
    """
    options = VerifyOptions(
        fetch_json=fetch_json,
        fetch_status_list=fetch_status_list or fetch_json,
        now=(now or datetime.now(UTC)),
        trusted_issuer_keys=trusted_issuer_keys,
        loader=loader,
        strict=strict,
    )
    with _work.deadline(deadline_seconds):
        return _verify(source, options, _plan(extra_checks))


def _verify_embedded(source: Mapping[str, Any] | str, options: VerifyOptions) -> Report:
    nested = ("endorsements", "bundled")  # neither is followed inside what they embed
    plan = [(check_id, CHECKS[check_id]) for check_id in CHECK_IDS if check_id not in nested]
    return _verify(source, options, plan)


def _verify(
    source: Mapping[str, Any] | str | bytes,
    options: VerifyOptions,
    plan: list[tuple[str, CheckFn]],
) -> Report:
    subject = prepare(source, options)
    checks: list[Check] = []
    halted: str | None = None
    for check_id, run in plan:
        if halted is not None:
            checks.append(Check(check_id, "skipped", halted_code(check_id), halted))
            continue
        outcome = _run(check_id, run, subject)
        checks.append(
            Check(
                check_id,
                outcome.outcome,
                outcome.code,
                outcome.message,
                outcome.required,
                outcome.warnings,
            )
        )
        if outcome.halt:
            halted = f"not checked: the {check_id} check did not pass"
    verified = all(item.outcome == "passed" for item in checks if item.required)
    return Report(
        verified=verified,
        checks=checks,
        format=subject.format,
        credential=subject.credential,
        proofs=[result.to_dict() for result in subject.proof_results],
        checked_at=format_datetime(options.now),
    )


def _plan(extra_checks: Sequence[ExtraCheck]) -> list[tuple[str, CheckFn]]:
    plan: list[tuple[str, CheckFn]] = [(check_id, CHECKS[check_id]) for check_id in CHECK_IDS]
    for extra in extra_checks:
        ids = [check_id for check_id, _ in plan]
        position = ids.index(extra.after) + 1 if extra.after in ids else len(plan)
        plan.insert(position, (extra.id, extra.run))
    return plan


def _run(check_id: str, run: CheckFn, subject: Subject) -> Outcome:
    """Run one check; past the deadline, over the work budget or on an unexpected exception
    the check is an ``error`` (could not check), never a crash."""
    try:
        _work.check_deadline()
        return run(subject)
    except WorkLimitError as error:
        return Outcome("error", error.code, f"could not check: {error.message}")
    except Exception as error:  # untrusted input: report, do not crash
        return Outcome("error", unexpected_code(check_id), f"could not check: {error!r}")
