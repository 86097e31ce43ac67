"""check_safe_mode(): refuse what JSON-LD expansion would silently drop, naming the path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from badgeservice.vc.errors import DocumentLoadFailedError, SafeModeError
from badgeservice.vc.loader import build_loader
from badgeservice.vc.safemode import check_safe_mode
from tests.unit.vc.test_canon import EDGE_CASES, VECTORS, ob_credential, vector_loader


def achievement_with(**members: Any) -> dict[str, Any]:
    credential = ob_credential()
    credential["credentialSubject"]["achievement"].update(members)
    return credential


def subject_with(**members: Any) -> dict[str, Any]:
    credential = ob_credential()
    credential["credentialSubject"].update(members)
    return credential


def identifier_with(**members: Any) -> dict[str, Any]:
    credential = ob_credential()
    credential["credentialSubject"]["identifier"][0].update(members)
    return credential


def image_with(**members: Any) -> dict[str, Any]:
    credential = ob_credential()
    credential["credentialSubject"]["achievement"]["image"].update(members)
    return credential


@pytest.mark.parametrize(
    ("document", "path"),
    [
        pytest.param(
            achievement_with(foo="x"), "credentialSubject.achievement.foo", id="term_deep"
        ),
        pytest.param(ob_credential(undefinedTermXyz=1), "undefinedTermXyz", id="term_top"),
        pytest.param(identifier_with(bar=True), "credentialSubject.identifier[0].bar", id="array"),
        pytest.param(subject_with(**{"@foo": "x"}), "credentialSubject.@foo", id="at_key"),
        pytest.param(
            achievement_with(type=["Achievement", "Bogus"]),
            "credentialSubject.achievement.type",
            id="undefined_type",
        ),
        pytest.param(
            achievement_with(id="achievements/1"), "credentialSubject.achievement.id", id="rel_id"
        ),
        pytest.param(
            image_with(id="img.png"), "credentialSubject.achievement.image.id", id="rel_image_id"
        ),
        pytest.param(
            ob_credential(type=["OpenBadgeCredential"]), "credentialSubject", id="no_vc_type"
        ),
        pytest.param(
            achievement_with(image="images/1.png"),
            "credentialSubject.achievement.image",
            id="rel_coerced_iri",
        ),
    ],
)
def test_check_safe_mode_raises_with_path(document: dict[str, Any], path: str) -> None:
    with pytest.raises(SafeModeError) as caught:
        check_safe_mode(document)

    assert caught.value.path == path
    assert caught.value.code == "safe_mode"
    assert path in str(caught.value)


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_check_safe_mode_passes_when_document_well_defined(name: str) -> None:
    check_safe_mode(EDGE_CASES[name])


def test_check_safe_mode_raises_document_load_failed_when_context_unknown() -> None:
    document = ob_credential(**{"@context": ["https://evil.example/ctx"]})

    with pytest.raises(DocumentLoadFailedError):
        check_safe_mode(document)


@pytest.mark.parametrize("vector", VECTORS)
def test_check_safe_mode_passes_when_w3c_vector(shared_data: Path, vector: str) -> None:
    document = json.loads((shared_data / "vectors" / vector).read_text(encoding="utf-8"))

    check_safe_mode(document, loader=vector_loader(shared_data))


def test_check_safe_mode_accepts_terms_defined_by_vocab_context() -> None:
    loader = build_loader({"https://vocab.example/ctx": {"@context": {"@vocab": "urn:v:"}}})
    document = {"@context": "https://vocab.example/ctx", "@id": "urn:x", "anything": 1}

    check_safe_mode(document, loader=loader)
