"""Controller documents for the pipeline: which keys signed, and does their controller list them.

A controller document is fetched once per verification (did:key is derived offline, did:web and
https documents come from the injected ``fetch_json``; a failed fetch is not retried). A key
written as ``<issuer id>#<publicKeyMultibase>`` is checked with the fragment key; it is bound
to the issuer when the issuer's document lists that key, or ``trusted_issuer_keys`` says it is
ours. Three keys cannot be confirmed by the issuer's own document, and 1EdTech's validator
accepts them: the fragment key of an https issuer whose document cannot be fetched, a VC-JWT
``kid`` URL that returns a bare JWK outside the issuer's own URL, a VC-JWT key embedded in its
header. ``issuer_key`` passes them with the warning ``issuer_key_unconfirmed``; with
``strict`` it fails them (DESIGN.md §7). A key its controller document marks ``revoked``
(CID 1.0) at or before the time of verification fails ``issuer_key`` with
``issuer_key_revoked``, whenever the credential was signed: a stolen key can backdate.

See: https://www.w3.org/TR/cid-1.0/#verification-relationships
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from badgeservice.vc.dids import (
    DidResolver,
    did_web_to_url,
    find_verification_method,
    is_authorized,
    is_bare_jwk,
)
from badgeservice.vc.errors import DidResolutionError
from badgeservice.vc.keys import KeyPair
from badgeservice.vc.proofs import parse_datetime

if TYPE_CHECKING:
    from badgeservice.vc._checks import Outcome, ReportWarning, Subject

__all__ = [
    "MethodLookup",
    "check_issuer_binding",
    "check_listed",
    "controller_document",
    "method_resolver",
    "signing_methods",
]

UNCONFIRMED = "issuer_key_unconfirmed"


class MethodLookup:
    """Finds a key for the ``proof`` check without judging its purpose (``proof_purpose``
    and ``issuer_key`` do that): the controller only has to list it somewhere."""

    def __init__(self, resolver: DidResolver) -> None:
        self._resolver = resolver

    def resolve_verification_method(self, vm_id: str) -> tuple[dict[str, Any], KeyPair]:
        error: DidResolutionError | None = None
        for relationship in ("verificationMethod", "assertionMethod"):
            try:
                resolved = self._resolver.resolve(vm_id, relationship)
            except DidResolutionError as failure:
                if failure.code != "verification_method_not_authorized":
                    raise
                error = failure
                continue
            return resolved.method, resolved.key
        assert error is not None
        raise error


def _did_resolver(subject: Subject) -> DidResolver:
    return DidResolver(lambda url: _fetch(subject, url))


def method_resolver(subject: Subject) -> MethodLookup:
    """A key lookup over the injected ``fetch_json`` with a per-verification memo."""
    return MethodLookup(_did_resolver(subject))


def _fetch(subject: Subject, url: str) -> dict[str, Any]:
    if url not in subject.documents:
        try:
            subject.documents[url] = _fetch_once(subject, url)
        except Exception as error:  # remembered: one verification fetches a URL once
            subject.documents[url] = error
    document = subject.documents[url]
    if isinstance(document, BaseException):
        raise document
    assert isinstance(document, dict)
    return document


def _fetch_once(subject: Subject, url: str) -> dict[str, Any]:
    fetch = subject.options.fetch_json
    if fetch is None:
        raise DidResolutionError(f"cannot fetch {url}: no fetch_json was given")
    document = fetch(url)
    if not isinstance(document, dict):
        raise DidResolutionError(f"{url} did not return a JSON object")
    return document


def controller_document(subject: Subject, controller: str) -> dict[str, Any]:
    """The controller's document: did:key derived, did:web / https fetched (memoised).

    See: https://w3c-ccg.github.io/did-method-web/#read-resolve
    """
    return _did_resolver(subject).resolve_document(controller)


def signing_methods(subject: Subject) -> Iterator[tuple[str, str]]:
    """``(verification method id, controller id)`` of each proof (or of the VC-JWT key); the
    id is the resolved one (a bare DID stands for its one assertion key)."""
    if subject.envelope_key is not None:
        vm_id, controller = subject.envelope_key
        yield vm_id, controller or vm_id.split("#", 1)[0]
        return
    for result in subject.proof_results:
        resolved = (result.method or {}).get("id")
        vm_id = resolved if isinstance(resolved, str) else result.verification_method or ""
        yield vm_id, result.controller or vm_id.split("#", 1)[0]


def check_issuer_binding(subject: Subject) -> Outcome:
    """The ``issuer_key`` check: every signing key is bound to the issuer (see the module
    docstring for the keys that pass only with the ``issuer_key_unconfirmed`` warning).

    See: https://www.w3.org/TR/vc-data-integrity/#dfn-controller
    """
    from badgeservice.vc._checks import Outcome, ReportWarning

    issuer = subject.issuer_id()
    warnings: list[ReportWarning] = []
    if subject.embedded_key:
        warnings.append(_unconfirmed("the key is embedded in the JWT header"))
    for vm_id, controller in signing_methods(subject):
        outcome = _bind(subject, vm_id, controller, issuer)
        if outcome is None:
            continue
        if not isinstance(outcome, ReportWarning):
            return outcome
        warnings.append(outcome)
    if not warnings:
        return Outcome("passed", "issuer_key_bound", f"the signing key belongs to {issuer}")
    why = "; ".join(warning.message for warning in warnings)
    if subject.options.strict:
        return Outcome("failed", UNCONFIRMED, f"refused in strict mode: {why}")
    accepted = f"accepted as 1EdTech's validator accepts it, but {why}"
    return Outcome("passed", UNCONFIRMED, accepted, warnings=tuple(warnings))


def _unconfirmed(detail: str) -> ReportWarning:
    from badgeservice.vc._checks import ReportWarning

    message = f"the issuer's own document could not confirm this key ({detail})"
    return ReportWarning(UNCONFIRMED, message)


def _bind(
    subject: Subject, vm_id: str, controller: str, issuer: str | None
) -> Outcome | ReportWarning | None:
    """None when ``vm_id`` is bound to ``issuer``; a warning when the key cannot be confirmed
    but 1EdTech's validator accepts it; else the failing or erroring Outcome."""
    from badgeservice.vc._checks import Outcome

    url = vm_id.split("#", 1)[0]
    if is_bare_jwk(subject.documents.get(url)):
        if issuer is not None and _under(url, issuer):
            return None
        return _unconfirmed(f"{url} returns a bare JWK, outside the issuer's own URL")
    if controller != issuer:
        return Outcome(
            "failed",
            "issuer_key_controller_mismatch",
            f"the key {vm_id} is controlled by {controller}, not by the issuer {issuer}",
        )
    return _revocation(subject, vm_id, controller) or check_listed(
        subject, vm_id, controller, relationship=None
    )


def _revocation(subject: Subject, vm_id: str, controller: str) -> Outcome | None:
    """Failed when the controller document marks the key ``revoked`` at or before now (a
    ``revoked`` value that is not a date counts as revoked); None otherwise, and when the
    document cannot be read (``check_listed`` reports that).

    See: https://www.w3.org/TR/cid-1.0/#verification-methods
    """
    from badgeservice.vc._checks import Outcome

    try:
        method = find_verification_method(controller_document(subject, controller), vm_id)
    except Exception:  # injected fetchers may raise anything; check_listed says what
        return None
    if "revoked" not in method:
        return None
    moment = parse_datetime(method["revoked"])
    if moment is not None and moment > subject.options.now:
        return None
    when = f" on {moment:%Y-%m-%d}" if moment is not None else ""
    return Outcome("failed", "issuer_key_revoked", f"the issuer revoked this key{when} ({vm_id})")


def _under(url: str, issuer: str) -> bool:
    """``url`` is the issuer's own URL or below it (same scheme and host; a did:web issuer's
    URL is the folder of its DID document)."""
    if issuer.startswith("did:web:"):
        try:
            issuer = did_web_to_url(issuer).removesuffix("did.json").removesuffix(".well-known/")
        except DidResolutionError:
            return False
    key, own = urlsplit(url), urlsplit(issuer)
    if own.scheme != "https" or (key.scheme, key.netloc) != (own.scheme, own.netloc):
        return False
    base = own.path.rstrip("/")
    return key.path == base or key.path.startswith(base + "/")


def _fragment_form(vm_id: str, controller: str) -> bool:
    """``<https controller>#z…``: the key is in the fragment (1EdTech's validator reads it
    from there without fetching)."""
    base, _, fragment = vm_id.partition("#")
    return base == controller and controller.startswith("https://") and fragment.startswith("z")


def check_listed(
    subject: Subject, vm_id: str, controller: str, *, relationship: str | None
) -> Outcome | ReportWarning | None:
    """None when the controller document lists ``vm_id`` (under ``relationship``, or at all
    when None) or has nothing to list it in (a bare JWK); a warning when the fragment key of
    an https controller cannot be confirmed because its document cannot be fetched (for
    ``proof_purpose``: None, ``issuer_key`` reports it); else the failing/erroring Outcome."""
    from badgeservice.vc._checks import Outcome

    fragment = vm_id.split("#", 1)[1] if "#" in vm_id else ""
    trusted = subject.options.trusted_issuer_keys
    if fragment.startswith("z") and trusted is not None and trusted(controller, fragment):
        return None
    check_id = "proof_purpose" if relationship else "issuer_key"
    try:
        document = controller_document(subject, controller)
    except Exception as error:  # injected fetchers may raise anything
        if _fragment_form(vm_id, controller):
            return None if relationship else _unconfirmed(f"could not read {controller}")
        return Outcome(
            "error",
            f"{check_id}_unresolvable",
            f"could not read the controller document of {controller}: {_text(error)}",
        )
    if is_bare_jwk(document) or is_authorized(document, vm_id, relationship):
        return None
    where = f"under {relationship}" if relationship else "as one of its keys"
    if relationship is None:
        return Outcome(
            "error",
            "issuer_key_not_listed",
            f"could not confirm the key: {controller} does not list {vm_id} {where}",
        )
    return Outcome(
        "failed", "proof_purpose_not_authorized", f"{controller} does not list {vm_id} {where}"
    )


def _text(error: BaseException) -> str:
    message = getattr(error, "message", None)
    return message if isinstance(message, str) else str(error) or type(error).__name__
