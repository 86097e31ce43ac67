"""Verifiable-credential engine: Data Integrity, VC-JWT, DIDs, status lists, baking (pure).

The public surface is what ``__all__`` lists: outside ``vc/``, import from here only (an
import-linter contract checks it); modules starting with ``_`` are private.

See: https://www.w3.org/TR/vc-data-integrity/
"""

from badgeservice.vc._checks import Outcome, Subject, VerifyOptions
from badgeservice.vc.baking import bake, bake_png, bake_svg, unbake
from badgeservice.vc.canon import canonicalize
from badgeservice.vc.dids import (
    DidResolver,
    build_did_document,
    did_key_from_key,
    did_web_from_url,
    did_web_to_url,
    resolve_did_key,
)
from badgeservice.vc.errors import (
    BakingError,
    CanonicalizationError,
    DidResolutionError,
    DocumentLoadFailedError,
    JwtError,
    KeyFormatError,
    ProofError,
    SafeModeError,
    StatusListError,
    VcError,
    WorkLimitError,
)
from badgeservice.vc.jwt import sign_jwt, verify_jwt
from badgeservice.vc.keys import (
    JWS_ALGORITHMS,
    KeyPair,
    generate_key,
    key_from_jwk,
    key_from_multibase,
    load_key_file,
)
from badgeservice.vc.loader import (
    DEFAULT_LOADER,
    KNOWN_CONTEXTS,
    StaticLoader,
    build_loader,
    get_context,
    load_document,
)
from badgeservice.vc.proofs import (
    ProofResult,
    format_datetime,
    parse_datetime,
    sign_credential,
    verify_proofs,
)
from badgeservice.vc.safemode import check_safe_mode
from badgeservice.vc.statuslist import StatusList, build_status_entry, build_status_list_credential
from badgeservice.vc.steps import (
    CHECK_IDS,
    ISSUER_UNKNOWN_CODES,
    OUTCOMES,
    STEP_IDS,
    STEPS,
    Step,
    codes_of,
    halted_code,
)
from badgeservice.vc.steps import Outcome as OutcomeName
from badgeservice.vc.verify import (
    Check,
    ExtraCheck,
    Report,
    ReportWarning,
    verify_credential,
)

__all__ = [
    "CHECK_IDS",
    "DEFAULT_LOADER",
    "ISSUER_UNKNOWN_CODES",
    "JWS_ALGORITHMS",
    "KNOWN_CONTEXTS",
    "OUTCOMES",
    "STEPS",
    "STEP_IDS",
    "BakingError",
    "CanonicalizationError",
    "Check",
    "DidResolutionError",
    "DidResolver",
    "DocumentLoadFailedError",
    "ExtraCheck",
    "JwtError",
    "KeyFormatError",
    "KeyPair",
    "Outcome",
    "OutcomeName",
    "ProofError",
    "ProofResult",
    "Report",
    "ReportWarning",
    "SafeModeError",
    "StaticLoader",
    "StatusList",
    "StatusListError",
    "Step",
    "Subject",
    "VcError",
    "VerifyOptions",
    "WorkLimitError",
    "bake",
    "bake_png",
    "bake_svg",
    "build_did_document",
    "build_loader",
    "build_status_entry",
    "build_status_list_credential",
    "canonicalize",
    "check_safe_mode",
    "codes_of",
    "did_key_from_key",
    "did_web_from_url",
    "did_web_to_url",
    "format_datetime",
    "generate_key",
    "get_context",
    "halted_code",
    "key_from_jwk",
    "key_from_multibase",
    "load_document",
    "load_key_file",
    "parse_datetime",
    "resolve_did_key",
    "sign_credential",
    "sign_jwt",
    "unbake",
    "verify_credential",
    "verify_jwt",
    "verify_proofs",
]
