"""canonicalize(): RDFC-1.0 output, escaping, memoisation equivalence, hostile input."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from badgeservice.vc.canon import canonicalize, canonicalize_nquads, expand, to_quads
from badgeservice.vc.errors import CanonicalizationError, DocumentLoadFailedError
from badgeservice.vc.loader import build_loader

VC2 = "https://www.w3.org/ns/credentials/v2"
OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
NAME_CONTEXT = {"name": "https://schema.org/name"}


def ob_credential(**overrides: Any) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": [VC2, OB303],
        "id": "urn:uuid:1355319d-8ae6-4f8d-a5be-0601399a1f50",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
            "type": ["Profile"],
            "name": "Example University",
        },
        "validFrom": "2025-01-01T00:00:00Z",
        "name": "Introduction to Data Integrity",
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": "sha256$700cdcd0cd2f29800017ec46505057c9",
                    "identityType": "emailAddress",
                    "hashed": True,
                    "salt": "hX6-000000",
                }
            ],
            "achievement": {
                "id": "https://badges.example.edu/achievements/1",
                "type": ["Achievement"],
                "name": "Intro",
                "description": "Awarded for the course.",
                "criteria": {"narrative": "Completed all modules."},
                "image": {"id": "https://badges.example.edu/images/1.png", "type": "Image"},
            },
        },
    }
    credential.update(overrides)
    return credential


def with_proof() -> dict[str, Any]:
    return ob_credential(
        proof={
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2025-01-01T00:00:00Z",
            "verificationMethod": "did:key:z6Mk#z6Mk",
            "proofPurpose": "assertionMethod",
            "proofValue": "z5xyz",
        }
    )


def with_status_and_language() -> dict[str, Any]:
    return ob_credential(
        name={"@value": "مرحبا", "@language": "ar", "@direction": "rtl"},
        credentialStatus={
            "id": "https://example.edu/status/1#94567",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://example.edu/status/1",
        },
    )


EDGE_CASES: dict[str, dict[str, Any]] = {
    "ob_credential": ob_credential(),
    "ob_with_proof": with_proof(),
    "ob_status_and_direction": with_status_and_language(),
    "proof_config": {
        "@context": [VC2, OB303],
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2025-01-01T00:00:00Z",
        "verificationMethod": "did:key:z6Mk#z6Mk",
        "proofPurpose": "assertionMethod",
    },
    "inline_scoped_contexts": {
        "@context": {
            "@version": 1.1,
            "@protected": True,
            "Thing": {
                "@id": "https://vocab.example/Thing",
                "@context": {"@propagate": False, "label": "https://vocab.example/label"},
            },
            "child": {"@id": "https://vocab.example/child", "@context": {"x": "https://x/"}},
            "items": {"@id": "https://vocab.example/items", "@container": "@list"},
            "data": {"@id": "https://vocab.example/data", "@type": "@json"},
            "type": "@type",
            "id": "@id",
        },
        "id": "urn:example:thing",
        "type": "Thing",
        "label": "a",
        "child": {"id": "urn:example:child", "x": "y", "type": "Thing", "label": "b"},
        "items": [1, 2.5, "three", True],
        "data": {"b": [1, 2], "a": None},
    },
    "credentials_v1_did_document": {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": "did:web:example.com",
        "verificationMethod": [
            {
                "id": "did:web:example.com#key-1",
                "type": "Multikey",
                "controller": "did:web:example.com",
                "publicKeyMultibase": "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
            }
        ],
        "assertionMethod": ["did:web:example.com#key-1"],
    },
}


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_canonicalize_memoised_equals_plain_pyld(name: str) -> None:
    document = EDGE_CASES[name]

    plain = canonicalize(document, memoize=False)
    first = canonicalize(document)
    for other in EDGE_CASES.values():  # interleave: the memo now holds every context
        canonicalize(other)

    assert first == plain
    assert canonicalize(document) == plain


VECTORS = [
    "eddsa-rdfc-2022/unsigned.json",
    "eddsa-rdfc-2022/signedDataInt.json",
    "eddsa-rdfc-2022/employ/employmentAuth.json",
    "ecdsa-rdfc-2019-p256/unsigned.json",
    "1edtech-eddsa-rdfc-2022/unsigned-credential.json",
    "1edtech-eddsa-rdfc-2022/signed-credential.json",
]


def vector_loader(shared_data: Path) -> Any:
    extra = {
        url: json.loads((shared_data / "contexts" / file).read_text(encoding="utf-8"))
        for url, file in [
            (EXAMPLES, "credentials-examples-v2.jsonld"),
            ("https://w3id.org/citizenship/v4rc1", "citizenship-v4rc1.jsonld"),
        ]
    }
    return build_loader(extra)


@pytest.mark.parametrize("vector", VECTORS)
def test_canonicalize_memoised_equals_plain_pyld_when_w3c_vector(
    shared_data: Path, vector: str
) -> None:
    document = json.loads((shared_data / "vectors" / vector).read_text(encoding="utf-8"))
    loader = vector_loader(shared_data)

    assert canonicalize(document, loader=loader) == canonicalize(
        document, loader=loader, memoize=False
    )


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("\b", "\\b"),
        ("\f", "\\f"),
        ("\t\n\r", "\\t\\n\\r"),
        ('"\\', '\\"\\\\'),
        ("\x00\x1f", "\\u0000\\u001F"),
        ("\x7f", "\\u007F"),
        ("\x0b\x1b", "\\u000B\\u001B"),
        ("é\u2028∞\U0001f303", "é\u2028∞\U0001f303"),
    ],
)
def test_canonicalize_escapes_literals_as_rdfc10(text: str, escaped: str) -> None:
    document = {"@context": NAME_CONTEXT, "@id": "urn:example:s", "name": text}

    result = canonicalize(document)

    assert result == f'<urn:example:s> <https://schema.org/name> "{escaped}" .\n'
    assert result.split("\n") == [result[:-1], ""]


def test_canonicalize_returns_sorted_lines_each_ending_in_newline() -> None:
    result = canonicalize(ob_credential())
    lines = result.split("\n")

    assert lines[-1] == ""
    assert lines[:-1] == sorted(lines[:-1])
    assert len(lines) - 1 == len(to_quads(ob_credential()))


def test_canonicalize_leaves_document_unchanged() -> None:
    document = with_proof()
    before = copy.deepcopy(document)

    canonicalize(document, safe=True)

    assert document == before


def test_canonicalize_raises_document_load_failed_when_context_unknown() -> None:
    document = ob_credential(**{"@context": [VC2, "https://evil.example/ctx.json"]})

    with pytest.raises(DocumentLoadFailedError):
        canonicalize(document)


def nested(depth: int) -> dict[str, Any]:
    root: dict[str, Any] = {"@context": NAME_CONTEXT}
    node = root
    for _ in range(depth):
        node["name"] = {}
        node = node["name"]
    return root


@pytest.mark.parametrize(
    "document",
    [
        pytest.param(nested(10_000), id="nesting_10k"),
        pytest.param({"@context": NAME_CONTEXT, "name": "x" * 9_000_000}, id="huge_string"),
        pytest.param({"@context": NAME_CONTEXT, "name": list(range(300_000))}, id="many_values"),
        pytest.param({"@context": NAME_CONTEXT, "@id": 5}, id="invalid_id"),
        pytest.param({"@context": 5}, id="invalid_context"),
    ],
)
def test_canonicalize_raises_canonicalization_error_when_input_hostile(
    document: dict[str, Any],
) -> None:
    with pytest.raises(CanonicalizationError):
        canonicalize(document)


def test_canonicalize_raises_when_document_is_not_an_object() -> None:
    with pytest.raises(CanonicalizationError):
        canonicalize([ob_credential()])  # type: ignore[arg-type]


def test_expand_uses_null_base_for_undefined_type() -> None:
    document = {"@context": NAME_CONTEXT, "@id": "urn:example:s", "@type": "Foo", "name": "n"}

    expanded = expand(document)

    assert expanded[0]["@type"] == ["Foo"]
    assert "example.org/base" not in canonicalize(document)


def test_canonicalize_nquads_relabels_blank_nodes() -> None:
    text = '_:x <urn:p> "a" .\n_:y <urn:p> _:x .\n'

    assert canonicalize_nquads(text) == '_:c14n0 <urn:p> "a" .\n_:c14n1 <urn:p> _:c14n0 .\n'


def test_canonicalize_raises_canonicalization_error_when_nquads_invalid() -> None:
    with pytest.raises(CanonicalizationError):
        canonicalize_nquads("<urn:s> <urn:p> .\n")
