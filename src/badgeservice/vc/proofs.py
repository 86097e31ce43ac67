"""Data Integrity proofs: add a proof to a credential, verify every proof of a proof set.

Verification returns one :class:`ProofResult` per proof instead of raising: ``passed`` (the
signature holds), ``failed`` (checked, and it does not hold, or the proof is malformed) or
``error`` (could not be checked: unknown cryptosuite, key not resolvable, context not shipped).
Proofs in a set are independent: each signs the document without its ``proof`` member. A proof
that names a ``previousProof`` (a proof chain) signs the document together with the proofs it
names (they stay in the document's ``proof`` while hashing).

See: https://www.w3.org/TR/vc-data-integrity/#add-proof
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Protocol

from badgeservice.vc._chains import chained_canon, check_acyclic, previous_proofs
from badgeservice.vc._ecdsa_sd import SD_SUITE, verify_sd_proof
from badgeservice.vc._suites import SUITES, Cryptosuite, SigningKey, decode_proof_value, find_suite
from badgeservice.vc.errors import (
    CanonicalizationError,
    DidResolutionError,
    DocumentLoadFailedError,
    KeyFormatError,
    ProofError,
    SafeModeError,
    VcError,
)
from badgeservice.vc.loader import StaticLoader

__all__ = [
    "DEFAULT_CRYPTOSUITE",
    "MethodResolver",
    "ProofResult",
    "format_datetime",
    "parse_datetime",
    "sign_credential",
    "verify_proofs",
]

DEFAULT_CRYPTOSUITE = "eddsa-rdfc-2022"

# XML Schema dateTime with a mandatory time zone (dateTimeStamp), as Data Integrity requires.
_DATETIME = re.compile(
    r"^(?P<y>-?\d{4,})-(?P<mo>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])"
    r"T(?P<h>[01]\d|2[0-3]):(?P<mi>[0-5]\d):(?P<s>[0-5]\d)(?P<f>\.\d+)?"
    r"(?P<tz>Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))$"
)


class MethodResolver(Protocol):
    """Finds the key behind a verification method id (``vc.dids.DidResolver`` is one)."""

    def resolve_verification_method(self, vm_id: str) -> tuple[dict[str, Any], Any]: ...


@dataclass(frozen=True)
class ProofResult:
    """The outcome of one proof: ``outcome`` is ``passed``, ``failed`` or ``error``."""

    index: int
    outcome: str
    code: str
    message: str
    proof_type: str | None = None
    cryptosuite: str | None = None
    verification_method: str | None = None
    controller: str | None = None
    proof_purpose: str | None = None
    method: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.outcome == "passed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "ok": self.ok,
            "outcome": self.outcome,
            "code": self.code,
            "message": self.message,
            "type": self.proof_type,
            "cryptosuite": self.cryptosuite,
            "verificationMethod": self.verification_method,
            "controller": self.controller,
            "proofPurpose": self.proof_purpose,
        }


def parse_datetime(value: Any) -> datetime | None:
    """An aware datetime for an XSD ``dateTimeStamp`` string, else None.

    See: https://www.w3.org/TR/xmlschema11-2/#dateTimeStamp
    """
    if not isinstance(value, str) or _DATETIME.match(value) is None:
        return None
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def format_datetime(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC, whole seconds (as Digital Bazaar writes ``created``)."""
    # Not strftime: glibc writes year 1 as "1", and XML Schema wants at least four digits.
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def sign_credential(
    document: Mapping[str, Any],
    key: SigningKey,
    vm_id: str,
    *,
    cryptosuite: str = DEFAULT_CRYPTOSUITE,
    created: str | datetime | None = None,
    proof_purpose: str = "assertionMethod",
    loader: StaticLoader | None = None,
    proof_set: bool = False,
    proof_id: str | None = None,
    previous_proof: str | list[str] | None = None,
) -> dict[str, Any]:
    """Return a copy of ``document`` with a new Data Integrity proof (kept in a proof set
    when the document already has proofs). ``created`` defaults to now, whole seconds.
    ``proof_set=True`` writes ``proof`` as an array even for a single proof: VC 2.0 allows
    both forms, and 1EdTech's strict JSON Schema wants the array. ``proof_id`` gives the proof
    an ``id``; ``previous_proof`` (an id or ids of proofs already on the document) makes it a
    link of a proof chain.

    Raises ProofError (bad options, key of the wrong type), SafeModeError,
    CanonicalizationError or DocumentLoadFailedError.

    See: https://www.w3.org/TR/vc-di-eddsa/#create-proof-eddsa-rdfc-2022
    """
    suite = SUITES.get(cryptosuite)
    if suite is None or not suite.can_sign:
        raise ProofError(
            f"cannot sign with cryptosuite {cryptosuite!r}", code="proof_suite_unsupported"
        )
    if not isinstance(vm_id, str) or not vm_id:
        raise ProofError("a verification method id is required", code="proof_malformed")
    if "@context" not in document:
        raise ProofError("the document has no @context", code="proof_malformed")
    suite.check_key(key)
    stamp = _created_text(created)
    options: dict[str, Any] = {"type": suite.proof_type, "cryptosuite": suite.name}
    if proof_id is not None:
        options["id"] = proof_id
    if stamp is not None:
        options["created"] = stamp
    options["verificationMethod"] = vm_id
    options["proofPurpose"] = proof_purpose
    if previous_proof is None:
        document_canon = suite.transform(document, loader)
    else:
        options["previousProof"] = previous_proof
        previous = previous_proofs(options, _as_list(document.get("proof", [])))
        document_canon = chained_canon(document, previous, loader, safe=True)
    proof_canon = suite.configure(options, document["@context"], loader)
    options["proofValue"] = suite.serialize(
        suite.hash(proof_canon, document_canon, key.algorithm), key
    )
    signed = dict(document)
    existing = document.get("proof")
    if existing is None:
        signed["proof"] = [options] if proof_set else options
    else:
        signed["proof"] = [*_as_list(existing), options]
    return signed


def _created_text(created: str | datetime | None) -> str | None:
    if created is None:
        return format_datetime(datetime.now(UTC))
    if isinstance(created, datetime):
        if created.tzinfo is None:
            raise ProofError("created must carry a time zone", code="proof_created_invalid")
        return format_datetime(created)
    if parse_datetime(created) is None:
        raise ProofError(
            f"created {created!r} is not an XML Schema dateTime with a time zone",
            code="proof_created_invalid",
        )
    return created


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


@dataclass
class _Context:
    """What every proof of one document shares: the loader, the resolver, cached N-Quads."""

    document: Mapping[str, Any]
    resolver: MethodResolver
    loader: StaticLoader | None
    expected_purpose: str | None
    now: datetime | None
    document_canon: str | None = None
    safe: bool = True
    previous: list[Any] | None = None  # a chained proof's previous proofs

    def canonical_document(self, suite: Cryptosuite) -> str:
        if self.document_canon is None and self.previous is not None:
            self.document_canon = chained_canon(
                self.document, self.previous, self.loader, safe=self.safe
            )
        if self.document_canon is None:
            self.document_canon = suite.transform(self.document, self.loader, safe=self.safe)
        return self.document_canon


def verify_proofs(
    document: Mapping[str, Any],
    resolver: MethodResolver,
    *,
    expected_purpose: str | None = "assertionMethod",
    loader: StaticLoader | None = None,
    now: datetime | None = None,
    document_canon: str | None = None,
    safe: bool = True,
) -> list[ProofResult]:
    """Verify each proof of ``document`` (a ``proof`` object or array); never raises.

    ``expected_purpose=None`` leaves the purpose to the caller; ``safe=False`` skips the
    safe-mode check of the document (the caller reports it). ``document_canon`` may carry
    the already computed (safe-mode checked) canonical N-Quads of the document without proof.
    An empty list means the document has no proof at all.

    See: https://www.w3.org/TR/vc-data-integrity/#verify-proof
    """
    proofs = document.get("proof") if isinstance(document, Mapping) else None
    if proofs is None:
        return []
    context = _Context(document, resolver, loader, expected_purpose, now, document_canon, safe)
    all_proofs = _as_list(proofs)
    results = []
    for index, proof in enumerate(all_proofs):
        chained = _chain_context(index, proof, all_proofs, context)
        results.append(
            chained if isinstance(chained, ProofResult) else _verify_one(index, proof, chained)
        )
    return results


def _chain_context(
    index: int, proof: Any, all_proofs: list[Any], context: _Context
) -> _Context | ProofResult:
    """The context a proof is verified in: the shared one, or, for a proof naming a
    ``previousProof``, one whose document carries the proofs it names (a failed result when
    they are missing or the chain loops back).

    See: https://www.w3.org/TR/vc-data-integrity/#verify-proof-sets-and-chains
    """
    if not isinstance(proof, Mapping) or "previousProof" not in proof:
        return context
    try:
        previous = previous_proofs(proof, all_proofs)
        check_acyclic(proof, all_proofs)
    except ProofError as error:
        return _result(_described(index, proof), "failed", error.code, error.message)
    return replace(context, document_canon=None, previous=previous)


def _verify_one(index: int, proof: Any, context: _Context) -> ProofResult:
    if not isinstance(proof, Mapping):
        return ProofResult(index, "failed", "proof_malformed", "the proof is not a JSON object")
    base = _described(index, proof)
    try:
        return _check_proof(base, proof, context)
    except (DidResolutionError, KeyFormatError, DocumentLoadFailedError) as error:
        return _result(base, "error", error.code, f"could not check the proof: {error.message}")
    except (SafeModeError, CanonicalizationError, ProofError) as error:
        return _result(base, "failed", error.code, error.message)
    except VcError as error:
        return _result(base, "error", error.code, f"could not check the proof: {error.message}")
    except Exception as error:  # untrusted input must never crash verification
        return _result(
            base, "error", "proof_unexpected_error", f"could not check the proof: {error!r}"
        )


def _described(index: int, proof: Mapping[str, Any]) -> ProofResult:
    def text(name: str) -> str | None:
        value = proof.get(name)
        return value if isinstance(value, str) else None

    return ProofResult(
        index,
        "error",
        "",
        "",
        proof_type=text("type"),
        cryptosuite=text("cryptosuite"),
        verification_method=text("verificationMethod"),
        proof_purpose=text("proofPurpose"),
    )


def _result(base: ProofResult, outcome: str, code: str, message: str, **extra: Any) -> ProofResult:
    values = {**base.__dict__, "outcome": outcome, "code": code, "message": message, **extra}
    return ProofResult(**values)


def _check_proof(base: ProofResult, proof: Mapping[str, Any], context: _Context) -> ProofResult:
    suite = find_suite(proof)
    if suite is None:
        name = proof.get("cryptosuite") or proof.get("type")
        return _result(
            base, "error", "proof_suite_unsupported", f"unsupported proof suite {name!r}"
        )
    _check_options(proof, context)
    signature = decode_proof_value(proof.get("proofValue"))
    vm_id = str(proof["verificationMethod"])
    method, key = context.resolver.resolve_verification_method(vm_id)
    controller = method.get("controller") if isinstance(method, Mapping) else None
    extra: dict[str, Any] = {"controller": controller if isinstance(controller, str) else None}
    extra["method"] = dict(method) if isinstance(method, Mapping) else None
    if suite.name == SD_SUITE:
        sd = verify_sd_proof(context.document, proof, key, loader=context.loader, safe=context.safe)
        return _result(base, sd.outcome, sd.code, sd.message, **extra)
    hash_data = suite.hash(
        suite.configure(proof, context.document["@context"], context.loader),
        context.canonical_document(suite),
        key.algorithm,
    )
    if not suite.verify(hash_data, signature, key):
        return _result(
            base, "failed", "proof_signature_invalid", "the signature does not match", **extra
        )
    return _result(base, "passed", "proof_verified", f"{suite.name} signature verified", **extra)


def _check_options(proof: Mapping[str, Any], context: _Context) -> None:
    """The checks before any hashing: required members, dates, purpose, proof ``@context``."""
    for name in ("verificationMethod", "proofPurpose"):
        if not isinstance(proof.get(name), str) or not proof[name]:
            raise ProofError(f"the proof has no {name}", code="proof_malformed")
    if "proofValue" not in proof:
        raise ProofError("the proof has no proofValue", code="proof_value_malformed")
    for name in ("created", "expires"):
        if name in proof and parse_datetime(proof[name]) is None:
            raise ProofError(
                f"proof {name} {proof[name]!r} is not an XML Schema dateTime",
                code="proof_created_invalid" if name == "created" else "proof_expires_invalid",
            )
    if "expires" in proof and context.now is not None:
        expires = parse_datetime(proof["expires"])
        if expires is not None and expires < context.now:
            raise ProofError(f"the proof expired at {proof['expires']}", code="proof_expired")
    purpose = proof["proofPurpose"]
    if context.expected_purpose is not None and purpose != context.expected_purpose:
        raise ProofError(
            f"proofPurpose is {purpose!r}, expected {context.expected_purpose!r}",
            code="proof_purpose_mismatch",
        )
    _check_proof_context(proof, context.document)


def _check_proof_context(proof: Mapping[str, Any], document: Mapping[str, Any]) -> None:
    """A proof's own ``@context`` must be the start of the document's, in order.

    See: https://www.w3.org/TR/vc-data-integrity/#verify-proof (step on proofOptions.@context)
    """
    if "@context" not in document:
        raise ProofError("the document has no @context", code="proof_malformed")
    if "@context" not in proof:
        return
    own = _as_list(proof["@context"])
    outer = _as_list(document["@context"])
    if outer[: len(own)] != own:
        raise ProofError(
            "the proof's @context does not match the document's", code="proof_context_mismatch"
        )
