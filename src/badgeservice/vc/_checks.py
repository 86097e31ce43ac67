"""The checks of the verification pipeline (``verify.py`` runs them in order).

Each check takes the :class:`Subject` (the parsed input and what earlier checks found) and
returns an :class:`Outcome`. ``halt`` stops the pipeline: later checks are ``skipped``.

See: https://www.w3.org/TR/vc-data-model-2.0/#verification
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from badgeservice.vc import _controllers
from badgeservice.vc.canon import canonicalize
from badgeservice.vc.errors import CanonicalizationError, SafeModeError, WorkLimitError
from badgeservice.vc.loader import DEFAULT_LOADER, StaticLoader
from badgeservice.vc.proofs import ProofResult, parse_datetime, verify_proofs
from badgeservice.vc.steps import WORST_FIRST
from badgeservice.vc.steps import Outcome as OutcomeName

__all__ = ["CheckFn", "Outcome", "ReportWarning", "Subject", "VerifyOptions"]

CLOCK_SKEW = timedelta(seconds=60)
VC_CONTEXTS = ("https://www.w3.org/ns/credentials/v2", "https://www.w3.org/2018/credentials/v1")
ASSERTION = "assertionMethod"


@dataclass(frozen=True)
class ReportWarning:
    """Something a reader should know that does not change the verdict (a key the issuer's
    own document could not confirm, a short status list, a schema deviation JSON-LD reads
    the same). ``code`` is stable; ``message`` is plain words."""

    code: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True)
class Outcome:
    outcome: OutcomeName
    code: str
    message: str
    required: bool = True
    halt: bool = False
    warnings: tuple[ReportWarning, ...] = ()


@dataclass(frozen=True)
class VerifyOptions:
    fetch_json: Callable[[str], dict[str, Any]] | None
    fetch_status_list: Callable[[str], dict[str, Any]] | None
    now: datetime
    trusted_issuer_keys: Callable[[str, str], bool] | None
    loader: StaticLoader | None
    strict: bool = False  # refuse what 1EdTech's validator accepts only with a warning


@dataclass
class Subject:
    """The thing being verified and what the checks learned about it so far."""

    format: str
    credential: dict[str, Any] | None
    options: VerifyOptions
    problem: Outcome | None = None  # an input that could not be read at all
    envelope: Outcome | None = None  # the JWS check of a VC-JWT (stands in for ``proof``)
    envelope_key: tuple[str, str | None] | None = None  # (kid, controller) of a VC-JWT
    embedded_key: bool = False  # the VC-JWT's key came from its own ``jwk`` header
    document_canon: str | None = None
    safe: bool = True
    proof_results: list[ProofResult] = field(default_factory=list)
    documents: dict[str, Any] = field(default_factory=dict)

    @property
    def loader(self) -> StaticLoader:
        return self.options.loader or DEFAULT_LOADER

    @property
    def doc(self) -> dict[str, Any]:
        assert self.credential is not None  # structure passed
        return self.credential

    def issuer_id(self) -> str | None:
        issuer = self.doc.get("issuer")
        if isinstance(issuer, Mapping):
            issuer = issuer.get("id")
        return issuer if isinstance(issuer, str) else None


CheckFn = Callable[[Subject], Outcome]


def check_structure(subject: Subject) -> Outcome:
    """The VC data model basics: contexts, type, issuer, subject, a proof. Halts on failure.

    See: https://www.w3.org/TR/vc-data-model-2.0/#basic-concepts
    """
    outcome = _structure(subject)
    if outcome.outcome == "passed":
        return outcome
    return Outcome(outcome.outcome, outcome.code, outcome.message, halt=True)


def _structure(subject: Subject) -> Outcome:
    if subject.problem is not None:
        return subject.problem
    doc = subject.credential
    if not isinstance(doc, dict):
        return _fail("structure_not_object", "the credential is not a JSON object")
    contexts = doc.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first not in VC_CONTEXTS:
        return _fail("structure_context_missing", "the first @context is not a VC context")
    types = doc.get("type")
    if not (
        types == "VerifiableCredential"
        or (isinstance(types, list) and "VerifiableCredential" in types)
    ):
        return _fail("structure_type_missing", "type does not include VerifiableCredential")
    if subject.issuer_id() is None:
        return _fail("structure_issuer_missing", "issuer is missing or has no id")
    subjects = doc.get("credentialSubject")
    items = subjects if isinstance(subjects, list) else [subjects]
    if not items or not all(isinstance(item, Mapping) for item in items):
        return _fail("structure_subject_missing", "credentialSubject is missing or not an object")
    if subject.envelope is None and not isinstance(doc.get("proof"), Mapping | list):
        return _fail("structure_proof_missing", "the credential has no proof")
    return Outcome("passed", "structure_valid", "the credential has the required members")


def check_contexts(subject: Subject) -> Outcome:
    """Every context URL is one we ship (contexts are never fetched).

    See: https://www.w3.org/TR/vc-data-integrity/#context-validation
    """
    contexts = subject.doc["@context"]
    urls = [c for c in (contexts if isinstance(contexts, list) else [contexts])]
    unknown = [c for c in urls if isinstance(c, str) and c not in subject.loader.urls]
    if unknown:
        return Outcome(
            "error",
            "context_unknown",
            f"context not available offline: {', '.join(unknown)}",
            halt=True,
        )
    if not all(isinstance(c, str | dict) for c in urls):
        return _fail("context_malformed", "@context holds something other than URLs and objects")
    return Outcome("passed", "contexts_known", f"{len(urls)} context(s), all known")


def check_safe_mode(subject: Subject) -> Outcome:
    """Nothing is lost when the credential becomes RDF (so the signature covers it all).

    See: https://www.w3.org/TR/vc-data-integrity/#securing-data-losslessly
    """
    unsecured = {k: v for k, v in subject.doc.items() if k != "proof"}
    try:
        subject.document_canon = canonicalize(unsecured, loader=subject.loader, safe=True)
    except SafeModeError as error:
        subject.safe = False
        where = f" at {error.path}" if error.path else ""
        return _fail("safe_mode_violation", f"JSON-LD would drop data{where}: {error.message}")
    except CanonicalizationError as error:
        return _fail(error.code, f"the credential cannot be processed: {error.message}", halt=True)
    except WorkLimitError as error:
        message = f"could not check: {error.message}"
        return Outcome("error", error.code, message, halt=True)
    return Outcome("passed", "safe_mode_passed", "every member maps to RDF")


def check_proof(subject: Subject) -> Outcome:
    """Every Data Integrity proof (or the VC-JWT signature) holds.

    See: https://www.w3.org/TR/vc-data-integrity/#verify-proof
    """
    if subject.envelope is not None:
        return subject.envelope
    resolver = _controllers.method_resolver(subject)
    results = verify_proofs(
        subject.doc,
        resolver,
        expected_purpose=None,
        loader=subject.loader,
        now=subject.options.now,
        document_canon=subject.document_canon if subject.safe else None,
        safe=subject.safe,
    )
    subject.proof_results = results
    if not results:
        return _fail("proof_missing", "the credential has no proof", halt=True)
    for wanted in WORST_FIRST:
        bad = [r for r in results if r.outcome == wanted]
        if bad:
            return Outcome(wanted, bad[0].code, _proof_message(bad[0], len(results)), halt=True)
    suites = ", ".join(sorted({r.cryptosuite or r.proof_type or "?" for r in results}))
    return Outcome("passed", "proof_verified", f"{len(results)} proof(s) verified ({suites})")


def _proof_message(result: ProofResult, count: int) -> str:
    prefix = f"proof {result.index + 1} of {count}: " if count > 1 else ""
    return prefix + result.message


def check_issuer_key(subject: Subject) -> Outcome:
    """The signing key belongs to the issuer: its controller is the issuer and the issuer's
    document lists it (or the key is one of ours).

    See: https://www.w3.org/TR/vc-data-integrity/#dfn-controller
    """
    return _controllers.check_issuer_binding(subject)


def check_proof_purpose(subject: Subject) -> Outcome:
    """Each proof is for ``assertionMethod`` and the controller lists the key there.

    See: https://www.w3.org/TR/vc-data-integrity/#proof-purposes
    """
    for result in subject.proof_results:
        if result.proof_purpose != ASSERTION:
            return _fail(
                "proof_purpose_mismatch",
                f"proofPurpose is {result.proof_purpose!r}, expected {ASSERTION!r}",
            )
    for vm_id, controller in _controllers.signing_methods(subject):
        outcome = _controllers.check_listed(subject, vm_id, controller, relationship=ASSERTION)
        if isinstance(outcome, Outcome):
            return outcome
    return Outcome("passed", "proof_purpose_valid", "the key is authorised for assertionMethod")


def check_valid_from(subject: Subject) -> Outcome:
    """``validFrom`` (VC 1.1: ``issuanceDate``) is not in the future, 60 s skew allowed.

    See: https://www.w3.org/TR/vc-data-model-2.0/#validity-period
    """
    name = "validFrom" if "validFrom" in subject.doc else "issuanceDate"
    if name not in subject.doc:
        return Outcome(
            "skipped", "valid_from_absent", "the credential has no validFrom", required=False
        )
    moment = parse_datetime(subject.doc[name])
    if moment is None:
        return _fail("valid_from_malformed", f"{name} is not an XML Schema dateTime")
    if moment > subject.options.now + CLOCK_SKEW:
        return _fail(
            "credential_not_yet_valid",
            f"valid from {subject.doc[name]}, after now (clock skew allowed: 60 s)",
        )
    return Outcome(
        "passed", "valid_from_passed", f"valid from {subject.doc[name]} (clock skew allowed: 60 s)"
    )


def check_valid_until(subject: Subject) -> Outcome:
    """``validUntil`` (VC 1.1: ``expirationDate``) is not past, 60 s skew allowed.

    See: https://www.w3.org/TR/vc-data-model-2.0/#validity-period
    """
    name = "validUntil" if "validUntil" in subject.doc else "expirationDate"
    if name not in subject.doc:
        return Outcome(
            "skipped", "valid_until_absent", "the credential has no validUntil", required=False
        )
    moment = parse_datetime(subject.doc[name])
    if moment is None:
        return _fail("valid_until_malformed", f"{name} is not an XML Schema dateTime")
    start = parse_datetime(subject.doc.get("validFrom"))
    if start is not None and moment < start:
        return _fail("valid_until_before_valid_from", "validUntil is before validFrom")
    if moment < subject.options.now - CLOCK_SKEW:
        return _fail(
            "credential_expired", f"expired at {subject.doc[name]} (clock skew allowed: 60 s)"
        )
    return Outcome(
        "passed",
        "valid_until_passed",
        f"valid until {subject.doc[name]} (clock skew allowed: 60 s)",
    )


def _fail(code: str, message: str, *, halt: bool = False) -> Outcome:
    return Outcome("failed", code, message, halt=halt)
