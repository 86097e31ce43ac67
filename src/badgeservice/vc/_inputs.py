"""Turn what the caller gave (JSON-LD dict, compact VC-JWT, baked image bytes) into a Subject.

Anything unreadable becomes a Subject with a ``structure`` problem; nothing here raises.

See: https://www.imsglobal.org/spec/ob/v3p0/#baking
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from badgeservice.vc import _controllers
from badgeservice.vc._checks import Outcome, Subject, VerifyOptions

__all__ = ["prepare"]


def prepare(source: Any, options: VerifyOptions) -> Subject:
    """A Subject for ``source``; an unreadable input gets ``problem`` set (structure fails)."""
    if isinstance(source, Mapping):
        return Subject("json-ld", dict(source), options)
    if isinstance(source, str):
        return _from_jwt(source.strip(), options, "jwt")
    if isinstance(source, bytes | bytearray):
        return _from_image(bytes(source), options)
    return _unreadable("unknown", options, f"cannot verify a {type(source).__name__}")


def _unreadable(fmt: str, options: VerifyOptions, message: str) -> Subject:
    problem = Outcome("failed", "structure_unreadable", message, halt=True)
    return Subject(fmt, None, options, problem=problem)


def _from_image(data: bytes, options: VerifyOptions) -> Subject:
    from badgeservice.vc.baking import unbake

    fmt = "png" if data.startswith(b"\x89PNG") else "svg"
    try:
        payload = unbake(data)
    except Exception as error:  # hostile images must not crash the report
        return _unreadable(fmt, options, f"no credential found in the image: {error}")
    if isinstance(payload, Mapping):
        return Subject(fmt, dict(payload), options)
    if isinstance(payload, str):
        return _from_jwt(payload.strip(), options, fmt)
    return _unreadable(fmt, options, "the image holds neither JSON nor a JWT")


def _from_jwt(token: str, options: VerifyOptions, fmt: str) -> Subject:
    """Check the JWS now (it stands in for the ``proof`` check); the other checks read the
    credential it carries (VC 1.1: the ``vc`` claim, completed from the JWT claims).

    See: https://www.w3.org/TR/vc-data-model-1.1/#jwt-decoding
    """
    from badgeservice.vc.jwt import credential_from_claims, verify_jwt

    header, payload = _peek(token)
    if not isinstance(payload, dict) or not isinstance(header, dict):
        return _unreadable(fmt, options, "not a compact JWT with a JSON object payload")
    try:
        subject = Subject(fmt, credential_from_claims(payload), options)
    except Exception:  # a malformed vc claim: the structure check reports the payload
        subject = Subject(fmt, payload, options)
    kid = header.get("kid")
    subject.envelope_key = (kid, None) if isinstance(kid, str) and kid else None
    resolver = _controllers.method_resolver(subject)
    methods: list[dict[str, Any]] = []

    def resolve_key(kid: str, _header: dict[str, Any]) -> Any:
        method, key = resolver.resolve_verification_method(kid)
        methods.append(method)
        return key

    try:
        result = verify_jwt(token, resolve_key, now=options.now)
    except Exception as error:  # JwtError, DidResolutionError, or worse: report it
        code = getattr(error, "code", "jwt_invalid")
        subject.envelope = Outcome(
            "failed", str(code), f"the JWT does not verify: {error}", halt=True
        )
        return subject
    subject.credential = result.credential
    subject.embedded_key = subject.envelope_key is None
    if subject.envelope_key is not None and methods:
        vm_id, controller = methods[0].get("id"), methods[0].get("controller")
        subject.envelope_key = (
            vm_id if isinstance(vm_id, str) else subject.envelope_key[0],
            controller if isinstance(controller, str) else None,
        )
    alg = header.get("alg")
    subject.envelope = Outcome("passed", "proof_verified", f"JWT signature verified ({alg})")
    return subject


def _peek(token: str) -> tuple[Any, Any]:
    """The header and payload of a compact JWS, unverified (for the report only)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None, None
    try:
        return tuple(
            json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4))) for p in parts[:2]
        )
    except (ValueError, TypeError, RecursionError):  # RecursionError: hostile deep nesting
        return None, None
