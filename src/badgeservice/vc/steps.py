"""The verification steps: every step id a report can hold, in report order, with the codes
it names, and the four outcomes. The one list that the pipeline, the API's report schema, the
verification page's messages and the tests read (after verifier-core's ``verificationSteps``:
ids that third-party verifiers can rely on).

A step ends ``passed``, ``failed`` (checked: not valid), ``error`` (could not be checked) or
``skipped``. A step halted by an earlier one is ``skipped`` with ``<id>_skipped``; a step that
raised is ``error`` with ``<id>_unexpected_error``; any step may run out of work budget or
time (``WORK_LIMIT_CODES``). ``codes`` lists the codes the step names itself and those of lower
layers' errors it is known to pass on (``did_document_unavailable``, ``jwt_expired``, …);
``warnings`` the codes of the warnings it may carry. The lists document; nothing refuses a
code they miss.

See: https://www.w3.org/TR/vc-data-model-2.0/#verification
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "CHECK_IDS",
    "ISSUER_UNKNOWN_CODES",
    "OUTCOMES",
    "STEPS",
    "STEP_IDS",
    "WORK_LIMIT_CODES",
    "WORST_FIRST",
    "Outcome",
    "Step",
    "codes_of",
    "halted_code",
    "unexpected_code",
]

Outcome = Literal["passed", "failed", "error", "skipped"]
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
# Where several results make one (proofs of a set, status entries, endorsements), the first
# of these found wins: not valid outweighs could not check.
WORST_FIRST: tuple[Outcome, ...] = ("failed", "error")

# Any step may end ``error`` with these: the verification's work budget or deadline ran out.
WORK_LIMIT_CODES = ("work_limit_exceeded", "verification_deadline_exceeded")
# The codes of a VC-JWT whose signature (the ``proof`` step of a JWT) does not verify.
_JWT_CODES = (
    "jwt_algorithm_refused",
    "jwt_claim_invalid",
    "jwt_claim_mismatch",
    "jwt_claim_missing",
    "jwt_expired",
    "jwt_header_invalid",
    "jwt_invalid",
    "jwt_key_algorithm_mismatch",
    "jwt_malformed",
    "jwt_not_yet_valid",
    "jwt_private_key_refused",
    "jwt_signature_invalid",
)
# The codes of the lower layers' errors that mean "issuer unknown" on the page (the
# issuer or its key could not be found, while checking the proof or the key's owner).
ISSUER_UNKNOWN_CODES = (
    "did_document_unavailable",
    "did_resolution_offline",
    "did_document_invalid",
    "did_document_id_mismatch",
    "did_invalid",
    "verification_method_not_found",
    "jwt_key_unresolved",
)


@dataclass(frozen=True)
class Step:
    """One step of the report. ``pipeline`` steps are the VC engine's own (``verify.py``);
    the others are added by the service (``schema``, and ``recipient`` when one is named)."""

    id: str
    codes: tuple[str, ...]
    pipeline: bool = True
    warnings: tuple[str, ...] = ()  # the codes of the warnings it may carry


STEPS: tuple[Step, ...] = (
    Step(
        "structure",
        (
            "structure_valid",
            "structure_unreadable",
            "structure_not_object",
            "structure_context_missing",
            "structure_type_missing",
            "structure_issuer_missing",
            "structure_subject_missing",
            "structure_proof_missing",
        ),
    ),
    Step("contexts", ("contexts_known", "context_unknown", "context_malformed")),
    Step("safe_mode", ("safe_mode_passed", "safe_mode_violation", "canonicalization")),
    Step(
        "schema",
        (
            "schema_valid",
            "schema_invalid",
            "schema_too_deep",
            "schema_no_credential",
            "schema_vc1_not_covered",
        ),
        pipeline=False,
        warnings=("schema_compacted_value", "credential_status_array"),
    ),
    Step(
        "proof",
        (
            "proof_verified",
            "proof_missing",
            "proof_malformed",
            "proof_signature_invalid",
            "proof_suite_unsupported",
            "proof_value_malformed",
            "proof_context_mismatch",
            "proof_created_invalid",
            "proof_expired",
            "proof_expires_invalid",
            "proof_key_type_mismatch",
            "proof_chain_cycle",
            "proof_previous_malformed",
            "proof_previous_missing",
            *_JWT_CODES,
            *ISSUER_UNKNOWN_CODES,
        ),
    ),
    Step(
        "issuer_key",
        (
            "issuer_key_bound",
            "issuer_key_unconfirmed",
            "issuer_key_controller_mismatch",
            "issuer_key_not_listed",
            "issuer_key_revoked",
            *ISSUER_UNKNOWN_CODES,
        ),
        warnings=("issuer_key_unconfirmed",),
    ),
    Step(
        "proof_purpose",
        ("proof_purpose_valid", "proof_purpose_mismatch", "proof_purpose_not_authorized"),
    ),
    Step(
        "valid_from",
        (
            "valid_from_passed",
            "valid_from_absent",
            "valid_from_malformed",
            "credential_not_yet_valid",
        ),
    ),
    Step(
        "valid_until",
        (
            "valid_until_passed",
            "valid_until_absent",
            "valid_until_malformed",
            "valid_until_before_valid_from",
            "credential_expired",
        ),
    ),
    Step(
        "status",
        (
            "status_valid",
            "status_absent",
            "status_revoked",
            "status_suspended",
            "status_entry_malformed",
            "status_list_malformed",
            "status_list_unreachable",
            "status_list_unverified",
            "status_list_signer_mismatch",
            "status_purpose_mismatch",
            "status_type_unsupported",
            "status_credential_id_missing",
            "status_entry_invalid",
            "status_list_invalid",
            "status_list_length_invalid",
            "status_list_range",
            "status_list_too_large",
            "status_list_signer_unresolvable",
            "status_size_invalid",
            "status_value_invalid",
        ),
        warnings=(
            "status_list_short",
            "status_message_missing",
            "status_list_id_mismatch",
            "status_list_issuer_other",
        ),
    ),
    Step(
        "endorsements",
        (
            "endorsements_verified",
            "endorsements_absent",
            "endorsement_invalid",
            "endorsements_not_checked",
        ),
        warnings=(
            "endorsement_not_checked",
            "endorsement_subject_mismatch",
            "endorsements_not_all_checked",
        ),
    ),
    Step(
        "bundled",
        (
            "bundled_verified",
            "bundled_absent",
            "bundled_invalid",
            "bundled_too_many",
            "bundled_not_checked",
        ),
        warnings=("bundled_not_checked",),
    ),
    Step("recipient", ("recipient_matched", "recipient_mismatch", "recipient_not_named"), False),
)
STEP_IDS: tuple[str, ...] = tuple(step.id for step in STEPS)
# The VC engine's own checks, in the order it runs them.
CHECK_IDS: tuple[str, ...] = tuple(step.id for step in STEPS if step.pipeline)


def halted_code(step_id: str) -> str:
    """The code of a step not run because an earlier one halted the pipeline."""
    return f"{step_id}_skipped"


def unexpected_code(step_id: str) -> str:
    """The code of a step that raised instead of reporting (untrusted input)."""
    return f"{step_id}_unexpected_error"


def codes_of(step_id: str) -> tuple[str, ...]:
    """Every code the step names, with those every step may end with."""
    named = next(step.codes for step in STEPS if step.id == step_id)
    return (*named, halted_code(step_id), unexpected_code(step_id), *WORK_LIMIT_CODES)
