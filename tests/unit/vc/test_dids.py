"""did:key, did:web mapping, DID documents and the resolver (fetch injected, offline)."""

from __future__ import annotations

from typing import Any

import pytest

from badgeservice.vc.dids import (
    JWK_CONTEXT,
    DidResolver,
    build_did_document,
    did_key_from_key,
    did_web_from_url,
    did_web_to_url,
    find_verification_method,
    is_authorized,
    key_from_verification_method,
    resolve_did_key,
)
from badgeservice.vc.errors import DidResolutionError
from badgeservice.vc.keys import generate_key

ED = generate_key("Ed25519")
P256 = generate_key("P-256")
ISSUER = "did:web:issuers.example:issuers:alpha"


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
        ("did:web:example.com:path", "https://example.com/path/did.json"),
        ("did:web:example.com:user:alice", "https://example.com/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
        ("did:web:host%3A8000:issuers:alpha", "https://host:8000/issuers/alpha/did.json"),
        ("did:web:example.com:issuers:alpha#key-1", "https://example.com/issuers/alpha/did.json"),
        ("did:web:localhost%3A8000:issuers:a", "https://localhost:8000/issuers/a/did.json"),
    ],
)
def test_did_web_to_url_maps_the_ccg_examples(did: str, url: str) -> None:
    assert did_web_to_url(did) == url


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:localhost%3A8000:issuers:a", "http://localhost:8000/issuers/a/did.json"),
        ("did:web:127.0.0.1%3A8000", "http://127.0.0.1:8000/.well-known/did.json"),
        ("did:web:example.com", "https://example.com/.well-known/did.json"),
    ],
)
def test_did_web_to_url_uses_http_for_loopback_when_allowed(did: str, url: str) -> None:
    assert did_web_to_url(did, allow_http_localhost=True) == url


@pytest.mark.parametrize(
    "did",
    [
        "did:key:z6Mk",
        "did:web:",
        "did:web:127.0.0.1",
        "did:web:10.0.0.1%3A80",
        "did:web:example.com:..:x",
        "did:web:example.com::x",
        "did:web:example.com:a%2Fb",
        "did:web:user@example.com",
    ],
)
def test_did_web_to_url_refuses_bad_dids(did: str) -> None:
    with pytest.raises(DidResolutionError) as info:
        did_web_to_url(did)
    assert info.value.code == "did_invalid"


@pytest.mark.parametrize(
    ("base", "path", "did"),
    [
        ("https://host:8000", "issuers/alpha", "did:web:host%3A8000:issuers:alpha"),
        ("http://localhost:8000/", "/issuers/alpha/", "did:web:localhost%3A8000:issuers:alpha"),
        ("https://example.com", "", "did:web:example.com"),
        ("https://example.com/base", "issuers/a/did.json", "did:web:example.com:base:issuers:a"),
        ("https://example.com", ".well-known/did.json", "did:web:example.com"),
    ],
)
def test_did_web_from_url_reverses_the_mapping(base: str, path: str, did: str) -> None:
    assert did_web_from_url(base, path) == did


def test_did_web_from_url_refuses_non_http_urls() -> None:
    with pytest.raises(DidResolutionError):
        did_web_from_url("ftp://example.com", "x")


@pytest.mark.parametrize(
    ("algorithm", "prefix"),
    [("Ed25519", "did:key:z6Mk"), ("P-256", "did:key:zDna"), ("P-384", "did:key:z82L")],
)
def test_did_key_resolves_to_a_multikey_document(algorithm: str, prefix: str) -> None:
    key = generate_key(algorithm)
    did = did_key_from_key(key)
    document = resolve_did_key(did + "#whatever")
    vm_id = f"{did}#{did.removeprefix('did:key:')}"
    assert did.startswith(prefix)
    assert document["id"] == did
    assert document["assertionMethod"] == [vm_id]
    assert document["authentication"] == [vm_id]
    method = find_verification_method(document, vm_id)
    assert key_from_verification_method(method).public_jwk() == key.public_jwk()


@pytest.mark.parametrize("did", ["did:web:x", "did:key:zQ3s", "did:key:z6Mk"])
def test_resolve_did_key_refuses_bad_dids(did: str) -> None:
    with pytest.raises(DidResolutionError) as info:
        resolve_did_key(did)
    assert info.value.code == "did_invalid"


def test_build_did_document_lists_absolute_ids_and_key_types() -> None:
    document = build_did_document(ISSUER, [("#key-1", ED), (f"{ISSUER}#key-2", P256)])
    ids = [f"{ISSUER}#key-1", f"{ISSUER}#key-2"]
    assert [m["id"] for m in document["verificationMethod"]] == ids
    assert [m["type"] for m in document["verificationMethod"]] == ["Multikey", "JsonWebKey"]
    assert all(m["controller"] == ISSUER for m in document["verificationMethod"])
    assert document["assertionMethod"] == ids
    assert document["authentication"] == ids
    assert JWK_CONTEXT in document["@context"]
    assert "d" not in document["verificationMethod"][1]["publicKeyJwk"]


def test_build_did_document_omits_the_jwk_context_for_multikeys_only() -> None:
    assert JWK_CONTEXT not in build_did_document(ISSUER, [("key-1", ED)])["@context"]


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (f"{ISSUER}#key-1", True),
        ("#key-1", True),
        ({"id": "#key-1", "type": "Multikey"}, True),
        (f"{ISSUER}#key-2", False),
    ],
)
def test_is_authorized_reads_references_and_embedded_methods(entry: Any, expected: bool) -> None:
    document = {"id": ISSUER, "assertionMethod": [entry]}
    assert is_authorized(document, f"{ISSUER}#key-1", "assertionMethod") is expected
    assert is_authorized(document, f"{ISSUER}#key-1", "authentication") is False


@pytest.mark.parametrize(
    ("method", "code"),
    [
        ({"type": "Multikey"}, "verification_method_unsupported"),
        (
            {"type": "Foo", "publicKeyMultibase": ED.public_multibase()},
            "verification_method_unsupported",
        ),
        ({"type": "Multikey", "publicKeyMultibase": "zzz"}, "verification_method_key_invalid"),
        (
            {"type": "JsonWebKey", "publicKeyJwk": P256.private_jwk()},
            "verification_method_key_invalid",
        ),
    ],
)
def test_key_from_verification_method_refuses_bad_methods(
    method: dict[str, Any], code: str
) -> None:
    with pytest.raises(DidResolutionError) as info:
        key_from_verification_method(method)
    assert info.value.code == code


class Web:
    """A fake web for ``fetch_json``: URL → document, plus a log of fetched URLs."""

    def __init__(self, pages: dict[str, Any]) -> None:
        self.pages, self.fetched = pages, []

    def __call__(self, url: str) -> dict[str, Any]:
        self.fetched.append(url)
        if url not in self.pages:
            raise OSError(f"404 {url}")
        return self.pages[url]


def issuer_web() -> Web:
    document = build_did_document(ISSUER, [("#key-1", ED), ("#key-2", P256)])
    return Web({"https://issuers.example/issuers/alpha/did.json": document})


@pytest.mark.parametrize("fragment", ["key-1", "key-2"])
def test_resolver_resolves_did_web_methods(fragment: str) -> None:
    resolved = DidResolver(issuer_web()).resolve(f"{ISSUER}#{fragment}")
    assert resolved.proven
    assert resolved.controller == ISSUER
    assert resolved.key.algorithm == ("Ed25519" if fragment == "key-1" else "P-256")


def test_resolver_resolves_did_key_offline() -> None:
    did = did_key_from_key(ED)
    method, key = DidResolver().resolve_verification_method(f"{did}#{ED.public_multibase()}")
    assert method["controller"] == did
    assert key.public_jwk() == ED.public_jwk()


def test_resolver_resolves_an_https_method_through_its_controller() -> None:
    vm_id, controller = "https://example.edu/keys/1", "https://example.edu/issuers/1"
    web = Web(
        {
            vm_id: {
                "id": vm_id,
                "type": "Multikey",
                "controller": controller,
                "publicKeyMultibase": ED.public_multibase(),
            },
            controller: {"id": controller, "assertionMethod": [vm_id]},
        }
    )
    resolved = DidResolver(web).resolve(vm_id)
    assert resolved.proven
    assert web.fetched == [vm_id, controller]


@pytest.mark.parametrize("listed", [True, False])
def test_resolver_reports_fragment_keys_as_unproven_unless_listed(listed: bool) -> None:
    issuer = "https://example.edu/issuers/565049"
    vm_id = f"{issuer}#{ED.public_multibase()}"
    profile: dict[str, Any] = {"id": issuer, "type": "Profile"}
    if listed:
        profile["verificationMethod"] = [
            {
                "id": vm_id,
                "type": "Multikey",
                "controller": issuer,
                "publicKeyMultibase": ED.public_multibase(),
            }
        ]
        profile["assertionMethod"] = [vm_id]
    resolved = DidResolver(Web({issuer: profile})).resolve(vm_id)
    assert resolved.proven is listed
    assert resolved.controller == issuer
    assert resolved.key.public_jwk() == ED.public_jwk()


def test_resolver_reports_fragment_keys_as_unproven_when_offline() -> None:
    vm_id = f"https://example.edu/i#{ED.public_multibase()}"
    resolved = DidResolver(Web({})).resolve(vm_id)
    assert resolved.proven is False
    assert resolved.method["publicKeyMultibase"] == ED.public_multibase()


def _doc(**changes: Any) -> dict[str, Any]:
    return {**build_did_document(ISSUER, [("#key-1", ED)]), **changes}


@pytest.mark.parametrize(
    ("pages", "vm_id", "code"),
    [
        ({}, f"{ISSUER}#key-1", "did_document_unavailable"),
        ({"u": _doc()}, "did:example:123#k", "did_method_unsupported"),
        (
            {"https://issuers.example/issuers/alpha/did.json": _doc(id="did:web:other")},
            f"{ISSUER}#key-1",
            "did_document_id_mismatch",
        ),
        (
            {"https://issuers.example/issuers/alpha/did.json": _doc()},
            f"{ISSUER}#key-9",
            "verification_method_not_found",
        ),
        (
            {"https://issuers.example/issuers/alpha/did.json": _doc(assertionMethod=[])},
            f"{ISSUER}#key-1",
            "verification_method_not_authorized",
        ),
        (
            {
                "https://issuers.example/issuers/alpha/did.json": _doc(
                    verificationMethod=[
                        {
                            "id": "#key-1",
                            "type": "Multikey",
                            "publicKeyMultibase": ED.public_multibase(),
                        }
                    ]
                )
            },
            f"{ISSUER}#key-1",
            "verification_method_controller_missing",
        ),
        (
            {"https://issuers.example/issuers/alpha/did.json": ["not", "an", "object"]},
            f"{ISSUER}#key-1",
            "did_document_invalid",
        ),
        ({}, "http://example.com/key", "did_method_unsupported"),
    ],
)
def test_resolver_refuses_unresolvable_methods(
    pages: dict[str, Any], vm_id: str, code: str
) -> None:
    with pytest.raises(DidResolutionError) as info:
        DidResolver(Web(pages)).resolve_verification_method(vm_id)
    assert info.value.code == code


def test_resolver_without_fetcher_refuses_did_web() -> None:
    with pytest.raises(DidResolutionError) as info:
        DidResolver().resolve(f"{ISSUER}#key-1")
    assert info.value.code == "did_resolution_offline"


@pytest.mark.parametrize(
    "entry",
    [
        {"id": "#key-1", "type": "Multikey", "publicKeyMultibase": ED.public_multibase()},
        "#key-1",
    ],
)
def test_is_authorized_matches_the_fragment_key_by_its_public_key(entry: Any) -> None:
    # The verification report and the resolver used to disagree here: a document listing the
    # key as #key-1 confirms <issuer>#<publicKeyMultibase> for one and not for the other.
    method = {"id": "#key-1", "type": "Multikey", "publicKeyMultibase": ED.public_multibase()}
    document = {"id": ISSUER, "verificationMethod": [method], "assertionMethod": [entry]}
    vm_id = f"{ISSUER}#{ED.public_multibase()}"
    assert is_authorized(document, vm_id, "assertionMethod") is True
    assert is_authorized(document, vm_id) is True
    other = f"{ISSUER}#{P256.public_multibase()}"
    assert is_authorized(document, other, "assertionMethod") is False


def test_is_authorized_without_a_purpose_reads_every_key_list() -> None:
    document = {"id": ISSUER, "authentication": ["#key-1"]}
    assert is_authorized(document, f"{ISSUER}#key-1") is True
    assert is_authorized(document, f"{ISSUER}#key-1", "assertionMethod") is False
