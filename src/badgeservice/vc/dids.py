"""DIDs and verification methods: did:key, did:web, https controller documents.

Resolution never touches the network itself: :class:`DidResolver` takes a ``fetch_json``
callable (the caller's SSRF-guarded HTTP client) for did:web and https documents.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from badgeservice.vc.errors import DidResolutionError, KeyFormatError
from badgeservice.vc.keys import KeyPair, key_from_jwk, key_from_multibase
from badgeservice.vc.multibase import (
    ED25519_PUB,
    add_multicodec,
    decode_base58btc,
    encode_base58btc,
)

__all__ = [
    "DID_CONTEXT",
    "JWK_CONTEXT",
    "MULTIKEY_CONTEXT",
    "DidResolver",
    "ResolvedMethod",
    "build_did_document",
    "did_key_from_key",
    "did_web_from_url",
    "did_web_to_url",
    "find_verification_method",
    "is_authorized",
    "is_bare_jwk",
    "key_from_verification_method",
    "resolve_did_key",
]

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
JWK_CONTEXT = "https://w3id.org/security/jwk/v1"
RELATIONSHIPS = (
    "assertionMethod",
    "authentication",
    "capabilityInvocation",
    "capabilityDelegation",
)
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1"})
_MULTIKEY_TYPES = frozenset({"Multikey", "Ed25519VerificationKey2020"})
_JWK_TYPES = frozenset({"JsonWebKey", "JsonWebKey2020"})


def did_key_from_key(key: KeyPair) -> str:
    """``did:key:`` + the key's ``publicKeyMultibase`` (Ed25519 ``z6Mk``, P-256 ``zDna``…).

    See: https://w3c-ccg.github.io/did-method-key/#format
    """
    return "did:key:" + key.public_multibase()


def resolve_did_key(did: str) -> dict[str, Any]:
    """The DID document of a did:key (decoded offline; a DID URL's fragment is ignored).

    See: https://w3c-ccg.github.io/did-method-key/#document-creation-algorithm
    """
    did = did.split("#", 1)[0]
    if not did.startswith("did:key:"):
        raise DidResolutionError(f"{did!r} is not a did:key", code="did_invalid")
    value = did.removeprefix("did:key:")
    try:
        key_from_multibase(value)
    except KeyFormatError as exc:
        raise DidResolutionError(f"invalid did:key: {exc.message}", code="did_invalid") from exc
    vm_id = f"{did}#{value}"
    method = {"id": vm_id, "type": "Multikey", "controller": did, "publicKeyMultibase": value}
    document: dict[str, Any] = {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [method],
    }
    for relationship in RELATIONSHIPS:
        document[relationship] = [vm_id]
    return document


def _is_local(host: str) -> bool:
    return host.lower() in _LOCAL_HOSTS


def _check_host(host: str, *, allow_http_localhost: bool) -> None:
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if not name or any(c in name for c in "/?#@[] "):
        raise DidResolutionError(f"invalid did:web host {host!r}", code="did_invalid")
    if allow_http_localhost and _is_local(name):
        return
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return
    raise DidResolutionError("did:web does not allow IP addresses", code="did_invalid")


def did_web_to_url(did: str, *, allow_http_localhost: bool = False) -> str:
    """The https URL of a did:web document (``:`` → ``/``, ``%3A`` → ``:``, ``/.well-known``).

    ``http`` is used only for ``localhost``/``127.0.0.1`` and only when allowed explicitly.
    See: https://w3c-ccg.github.io/did-method-web/#read-resolve
    """
    did = did.split("#", 1)[0].split("?", 1)[0]
    if not did.startswith("did:web:"):
        raise DidResolutionError(f"{did!r} is not a did:web", code="did_invalid")
    parts = did.removeprefix("did:web:").split(":")
    host = unquote(parts[0])
    _check_host(host, allow_http_localhost=allow_http_localhost)
    segments = [unquote(part) for part in parts[1:]]
    if any(s in ("", ".", "..") or "/" in s for s in segments):
        raise DidResolutionError(f"invalid did:web path in {did!r}", code="did_invalid")
    path = "/".join(quote(s, safe="") for s in segments) if segments else ".well-known"
    hostname = host.rsplit(":", 1)[0]
    scheme = "http" if allow_http_localhost and _is_local(hostname) else "https"
    return f"{scheme}://{host}/{path}/did.json"


def did_web_from_url(base_url: str, path: str = "") -> str:
    """The did:web for a document published at ``base_url`` + ``path`` (port as ``%3A``).

    ``did_web_from_url("https://example.com:8000", "issuers/alpha")`` →
    ``did:web:example.com%3A8000:issuers:alpha``.
    See: https://w3c-ccg.github.io/did-method-web/#create-register
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DidResolutionError(f"{base_url!r} is not an http(s) URL", code="did_invalid")
    host = parts.hostname + (f"%3A{parts.port}" if parts.port else "")
    segments = [s for s in f"{parts.path}/{path}".split("/") if s]
    if segments and segments[-1] == "did.json":
        segments.pop()
    if segments == [".well-known"]:
        segments = []
    return ":".join(["did:web", host, *(quote(unquote(s), safe="") for s in segments)])


def _method_entry(vm_id: str, key: KeyPair, did: str) -> tuple[dict[str, Any], bool]:
    entry: dict[str, Any]
    if key.algorithm == "Ed25519":
        entry = {"publicKeyMultibase": key.public_multibase(), "type": "Multikey"}
        return {"id": vm_id, "controller": did, **entry}, False
    entry = {"type": "JsonWebKey", "publicKeyJwk": key.public_jwk()}
    return {"id": vm_id, "controller": did, **entry}, True


def build_did_document(
    did: str, keys: list[tuple[str, KeyPair]], *, revoked: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A DID document listing ``keys`` (``(vm id or #fragment, key)``) under ``assertionMethod``
    and ``authentication``: Multikey for Ed25519, JsonWebKey for the others; absolute ids.

    A key in ``revoked`` (its vm id as given → an XML Schema ``dateTimeStamp``) stays under
    ``verificationMethod`` with the CID ``revoked`` property and leaves every verification
    relationship: a verifier that checks ``assertionMethod`` refuses it, one that reads
    ``revoked`` can say since when.

    See: https://www.w3.org/TR/did-core/#verification-methods
    See: https://www.w3.org/TR/cid-1.0/#verification-methods (``revoked``)
    """
    revoked = revoked or {}
    methods, listed, uses_jwk = [], [], False
    for vm_id, key in keys:
        absolute = vm_id if ":" in vm_id else f"{did}#{vm_id.removeprefix('#')}"
        method, is_jwk = _method_entry(absolute, key.public_only(), did)
        if vm_id in revoked:
            method["revoked"] = revoked[vm_id]
        else:
            listed.append(absolute)
        methods.append(method)
        uses_jwk = uses_jwk or is_jwk
    contexts = [DID_CONTEXT, MULTIKEY_CONTEXT] + ([JWK_CONTEXT] if uses_jwk else [])
    return {
        "@context": contexts,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": list(listed),
        "authentication": list(listed),
    }


def _absolute(reference: str, base: str) -> str:
    """A relative DID URL (``#key-1``) made absolute against the document id (RFC 3986 §5.2:
    a fragment reference replaces the base's fragment)."""
    return base.split("#", 1)[0] + reference if reference.startswith("#") else reference


def _nodes(document: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield document
    for name in ("verificationMethod", *RELATIONSHIPS):
        values = document.get(name)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, dict):
                yield value


def find_verification_method(document: dict[str, Any], vm_id: str) -> dict[str, Any]:
    """The verification method with id ``vm_id`` (relative ``#x`` ids resolved against the
    document id), as a copy with absolute ``id`` and ``controller``.

    See: https://www.w3.org/TR/cid-1.0/#retrieve-verification-method
    """
    base = str(document.get("id", ""))
    for node in _nodes(document):
        node_id = node.get("id")
        if isinstance(node_id, str) and _absolute(node_id, base) == vm_id:
            method = dict(node, id=vm_id)
            if isinstance(method.get("controller"), str):
                method["controller"] = _absolute(method["controller"], base)
            return method
    raise DidResolutionError(
        f"no verification method {vm_id!r} in {base or 'the document'}",
        code="verification_method_not_found",
    )


def key_from_verification_method(method: dict[str, Any]) -> KeyPair:
    """The public key of a Multikey / Ed25519VerificationKey2020 / JsonWebKey(2020) method.

    See: https://www.w3.org/TR/cid-1.0/#verification-material
    """
    kind = method.get("type")
    try:
        if isinstance(method.get("publicKeyMultibase"), str) and kind in _MULTIKEY_TYPES:
            return key_from_multibase(method["publicKeyMultibase"])
        if isinstance(method.get("publicKeyJwk"), dict) and kind in _JWK_TYPES:
            if "d" in method["publicKeyJwk"]:
                raise KeyFormatError("a public JWK must not carry 'd'", code="jwk_invalid")
            return key_from_jwk(method["publicKeyJwk"])
        if isinstance(method.get("publicKeyBase58"), str) and kind == "Ed25519VerificationKey2018":
            raw = decode_base58btc("z" + method["publicKeyBase58"])
            return key_from_multibase(encode_base58btc(add_multicodec(ED25519_PUB, raw)))
    except KeyFormatError as exc:
        raise DidResolutionError(
            f"verification method key: {exc.message}", code="verification_method_key_invalid"
        ) from exc
    raise DidResolutionError(
        f"unsupported verification method type {kind!r}", code="verification_method_unsupported"
    )


#: Where a controller document lists its keys, when no relationship is asked for.
_KEY_LISTS = ("verificationMethod", "assertionMethod", "authentication")


def is_authorized(document: Mapping[str, Any], vm_id: str, purpose: str | None = None) -> bool:
    """True when the controller document lists ``vm_id`` under ``purpose`` (under any of its
    key lists when None): by reference (absolute or relative ``#``), embedded, or, for the
    ``<controller>#<publicKeyMultibase>`` form, by a method with that public key.

    See: https://www.w3.org/TR/cid-1.0/#verification-relationships
    """
    base = str(document["id"]) if isinstance(document.get("id"), str) else ""
    fragment = vm_id.split("#", 1)[1] if "#" in vm_id else ""
    methods = {
        _absolute(method["id"], base): method
        for method in _entries(document.get("verificationMethod"))
        if isinstance(method, Mapping) and isinstance(method.get("id"), str)
    }
    for name in [purpose] if purpose else _KEY_LISTS:
        for entry in _entries(document.get(name)):
            if isinstance(entry, str):
                entry = methods.get(_absolute(entry, base), {"id": entry})
            if not isinstance(entry, Mapping):
                continue
            entry_id = entry.get("id")
            if isinstance(entry_id, str) and _absolute(entry_id, base) == vm_id:
                return True
            if fragment and entry.get("publicKeyMultibase") == fragment:
                return True
    return False


def _entries(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class ResolvedMethod:
    """A resolved verification method.

    ``proven`` is True when the controller document lists the method under the requested
    purpose. It is False for the ``<issuer id>#<publicKeyMultibase>`` form (key read from
    the fragment) when no controller document confirms it, and for an https URL that returns
    a bare JWK (``controller`` None: a JWK names no controller): the signature can be
    checked, the key's binding to its controller cannot.
    """

    method: dict[str, Any]
    key: KeyPair
    controller: str | None
    controller_document: dict[str, Any] | None
    proven: bool


FetchJson = Callable[[str], dict[str, Any]]


class DidResolver:
    """Resolves verification methods: did:key offline; did:web and https through ``fetch_json``.

    See: https://www.w3.org/TR/vc-data-integrity/#retrieve-verification-method
    """

    def __init__(self, fetch_json: FetchJson | None = None, *, allow_http_localhost: bool = False):
        self._fetch_json = fetch_json
        self._allow_http_localhost = allow_http_localhost

    def resolve_document(self, did_or_url: str) -> dict[str, Any]:
        """The controller document for a DID or an https URL (fragment dropped)."""
        ref = did_or_url.split("#", 1)[0]
        if ref.startswith("did:key:"):
            return resolve_did_key(ref)
        if ref.startswith("did:web:"):
            document = self._fetch(
                did_web_to_url(ref, allow_http_localhost=self._allow_http_localhost)
            )
            if document.get("id") != ref:
                raise DidResolutionError(
                    f"the DID document id is {document.get('id')!r}, expected {ref!r}",
                    code="did_document_id_mismatch",
                )
            return document
        if ref.startswith("https://") or (ref.startswith("http://") and self._allow_http_localhost):
            return self._fetch(ref)
        raise DidResolutionError(
            f"unsupported DID method or URL {ref!r}", code="did_method_unsupported"
        )

    def _fetch(self, url: str) -> dict[str, Any]:
        if self._fetch_json is None:
            raise DidResolutionError(
                f"cannot fetch {url}: no fetcher", code="did_resolution_offline"
            )
        try:
            document = self._fetch_json(url)
        except DidResolutionError:
            raise
        except Exception as exc:  # the injected fetcher's own errors (network, JSON, policy)
            raise DidResolutionError(
                f"cannot fetch {url}: {exc}", code="did_document_unavailable"
            ) from exc
        if not isinstance(document, dict):
            raise DidResolutionError(
                f"{url} did not return a JSON object", code="did_document_invalid"
            )
        return document

    def resolve(self, vm_id: str, purpose: str = "assertionMethod") -> ResolvedMethod:
        """Resolve ``vm_id`` and check its controller lists it under ``purpose``.

        Raises ``DidResolutionError`` with code ``verification_method_not_authorized`` when a
        controller document is available and does not list the method.
        See: https://www.w3.org/TR/vc-data-integrity/#retrieve-verification-method
        """
        if _is_bare_did(vm_id):
            vm_id = self.single_assertion_method(vm_id)
        fragment_key = _fragment_key(vm_id)
        try:
            document = self.resolve_document(vm_id)
            if is_bare_jwk(document) and not vm_id.startswith("did:"):
                return _bare_jwk_method(vm_id, document)
            method = find_verification_method(document, vm_id)
        except DidResolutionError:
            if fragment_key is None:
                raise
            return _unproven(vm_id, fragment_key, None)
        controller = method.get("controller")
        if not isinstance(controller, str) or not controller:
            raise DidResolutionError(
                f"verification method {vm_id!r} has no controller",
                code="verification_method_controller_missing",
            )
        key = key_from_verification_method(method)
        controller_doc = (
            document if document.get("id") == controller else self.resolve_document(controller)
        )
        if not is_authorized(controller_doc, vm_id, purpose):
            raise DidResolutionError(
                f"{controller} does not list {vm_id} under {purpose}",
                code="verification_method_not_authorized",
            )
        return ResolvedMethod(method, key, controller, controller_doc, proven=True)

    def single_assertion_method(self, did: str) -> str:
        """The id of the one key a bare DID (no fragment) stands for: its DID document must
        list exactly one verification method under ``assertionMethod``.

        See: https://www.w3.org/TR/did-1.0/#assertion
        """
        document = self.resolve_document(did)
        base = str(document.get("id", did))
        values = document.get("assertionMethod")
        ids = [
            _absolute(ref, base)
            for value in (values if isinstance(values, list) else [values])
            if isinstance(ref := value.get("id") if isinstance(value, dict) else value, str)
        ]
        if len(ids) != 1:
            raise DidResolutionError(
                f"the verification method {did} names no key and its DID document lists "
                f"{len(ids)} keys under assertionMethod (exactly one is needed to choose)",
                code="verification_method_ambiguous",
            )
        return ids[0]

    def resolve_verification_method(self, vm_id: str) -> tuple[dict[str, Any], KeyPair]:
        """``(verification method, public key)`` for ``vm_id`` (see :meth:`resolve`)."""
        resolved = self.resolve(vm_id)
        return resolved.method, resolved.key


def is_bare_jwk(document: Any) -> bool:
    """A single JWK served as the whole document (OB 3.0 VC-JWT ``kid`` URLs do this), not a
    controller document and not a JWK Set.

    See: https://www.rfc-editor.org/rfc/rfc7517#section-4
    """
    return (
        isinstance(document, dict)
        and isinstance(document.get("kty"), str)
        and not any(name in document for name in ("@context", "verificationMethod", "keys"))
    )


def _bare_jwk_method(url: str, jwk: dict[str, Any]) -> ResolvedMethod:
    method = {"id": url, "type": "JsonWebKey", "publicKeyJwk": dict(jwk)}
    return ResolvedMethod(method, key_from_verification_method(method), None, None, proven=False)


def _is_bare_did(vm_id: str) -> bool:
    """A DID without a fragment (``did:key:z6Mk…``, ``did:web:example.org``) used as a
    verification method: it stands for the DID document's one assertion key."""
    return vm_id.startswith(("did:key:", "did:web:")) and "#" not in vm_id


def _fragment_key(vm_id: str) -> KeyPair | None:
    """The key of an ``<id>#z…`` URL whose fragment is a public Multikey, else None."""
    base, _, fragment = vm_id.partition("#")
    if not base or not fragment.startswith("z") or base.startswith("did:key:"):
        return None
    try:
        return key_from_multibase(fragment)
    except KeyFormatError:
        return None


def _unproven(vm_id: str, key: KeyPair, controller_doc: dict[str, Any] | None) -> ResolvedMethod:
    controller, _, fragment = vm_id.partition("#")
    method = {
        "id": vm_id,
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": fragment,
    }
    return ResolvedMethod(method, key, controller, controller_doc, proven=False)
