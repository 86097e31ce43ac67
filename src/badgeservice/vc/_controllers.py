"""Controller documents for the pipeline: which keys signed, and does their controller list them.

A controller document is fetched once per verification (did:key is derived offline, did:web and
https documents come from the injected ``fetch_json``). A key written as
``<issuer id>#<publicKeyMultibase>`` is checked with the fragment key; it is bound to the issuer
only when the issuer's document lists that key, or ``trusted_issuer_keys`` says it is ours.

See: https://www.w3.org/TR/cid-1.0/#verification-relationships
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from badgeservice.vc.dids import DidResolver
from badgeservice.vc.errors import DidResolutionError
from badgeservice.vc.keys import KeyPair

if TYPE_CHECKING:
    from badgeservice.vc._checks import Outcome, Subject

__all__ = [
    "MethodLookup",
    "check_listed",
    "controller_document",
    "method_resolver",
    "signing_methods",
]


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
        fetch = subject.options.fetch_json
        if fetch is None:
            raise DidResolutionError(f"cannot fetch {url}: no fetch_json was given")
        document = fetch(url)
        if not isinstance(document, dict):
            raise DidResolutionError(f"{url} did not return a JSON object")
        subject.documents[url] = document
    document = subject.documents[url]
    assert isinstance(document, dict)
    return document


def controller_document(subject: Subject, controller: str) -> dict[str, Any]:
    """The controller's document: did:key derived, did:web / https fetched (memoised).

    See: https://w3c-ccg.github.io/did-method-web/#read-resolve
    """
    return _did_resolver(subject).resolve_document(controller)


def signing_methods(subject: Subject) -> Iterator[tuple[str, str]]:
    """``(verification method id, controller id)`` of each proof (or of the VC-JWT key)."""
    if subject.envelope_key is not None:
        vm_id, controller = subject.envelope_key
        yield vm_id, controller or vm_id.split("#", 1)[0]
        return
    for result in subject.proof_results:
        vm_id = result.verification_method or ""
        yield vm_id, result.controller or vm_id.split("#", 1)[0]


def check_listed(
    subject: Subject, vm_id: str, controller: str, *, relationship: str | None
) -> Outcome | None:
    """None when the controller document lists ``vm_id`` (under ``relationship``, or at all
    when None); else the failing/erroring Outcome."""
    from badgeservice.vc._checks import Outcome

    fragment = vm_id.split("#", 1)[1] if "#" in vm_id else ""
    trusted = subject.options.trusted_issuer_keys
    if fragment.startswith("z") and trusted is not None and trusted(controller, fragment):
        return None
    check_id = "proof_purpose" if relationship else "issuer_key"
    try:
        document = controller_document(subject, controller)
    except Exception as error:  # injected fetchers may raise anything
        return Outcome(
            "error",
            f"{check_id}_unresolvable",
            f"could not read the controller document of {controller}: {_text(error)}",
        )
    if _lists(document, vm_id, fragment, relationship):
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


def _lists(
    document: Mapping[str, Any], vm_id: str, fragment: str, relationship: str | None
) -> bool:
    base = document.get("id") if isinstance(document.get("id"), str) else ""
    names = (
        [relationship]
        if relationship
        else ["verificationMethod", "assertionMethod", "authentication"]
    )
    methods = {
        _absolute(str(base), m["id"]): m
        for m in _entries(document.get("verificationMethod"))
        if isinstance(m, Mapping) and isinstance(m.get("id"), str)
    }
    for name in names:
        for entry in _entries(document.get(name)):
            if isinstance(entry, str):
                entry = methods.get(_absolute(str(base), entry), {"id": entry})
            if not isinstance(entry, Mapping):
                continue
            entry_id = entry.get("id")
            if isinstance(entry_id, str) and _absolute(str(base), entry_id) == vm_id:
                return True
            if fragment and entry.get("publicKeyMultibase") == fragment:
                return True
    return False


def _absolute(base: str, ref: str) -> str:
    """A relative DID URL (``#key-1``) made absolute against the document id."""
    return base.split("#", 1)[0] + ref if ref.startswith("#") else ref


def _entries(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _text(error: BaseException) -> str:
    message = getattr(error, "message", None)
    return message if isinstance(message, str) else str(error) or type(error).__name__
