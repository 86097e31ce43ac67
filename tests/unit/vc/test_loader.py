"""The static loader serves the vendored contexts and nothing else."""

from __future__ import annotations

import hashlib
import json

import pytest

from badgeservice.vc.canon import canonicalize
from badgeservice.vc.errors import DocumentLoadFailedError
from badgeservice.vc.loader import (
    CONTEXTS_DIR,
    DEFAULT_LOADER,
    KNOWN_CONTEXTS,
    build_loader,
    get_context,
    load_document,
)

INDEX = {
    url: entry
    for url, entry in json.loads((CONTEXTS_DIR / "index.json").read_text()).items()
    if not url.startswith("_")
}
EXTRA_URL = "https://contexts.example/extra/v1"
EXTRA_CONTEXT = {"@context": {"@version": 1.1, "extraTerm": "https://vocab.example/extraTerm"}}


@pytest.mark.parametrize("url", sorted(KNOWN_CONTEXTS))
def test_load_document_returns_parsed_remote_document(url: str) -> None:
    remote = load_document(url)

    assert remote["documentUrl"] == url
    assert remote["contextUrl"] is None
    assert isinstance(remote["document"]["@context"], dict | list)


@pytest.mark.parametrize("url", sorted(INDEX))
def test_index_sha256_matches_shipped_file(url: str) -> None:
    entry = INDEX[url]

    digest = hashlib.sha256((CONTEXTS_DIR / entry["file"]).read_bytes()).hexdigest()

    assert digest == entry["sha256"]
    assert entry["package"]
    assert entry["version"]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.w3.org/ns/credentials/examples/v2",
        "http://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/v2/",
        "https://evil.example/context.json",
        "",
    ],
)
def test_load_document_refuses_unknown_url(url: str) -> None:
    with pytest.raises(DocumentLoadFailedError) as caught:
        load_document(url)

    assert caught.value.code == "document_load_failed"


def test_get_context_returns_a_fresh_copy() -> None:
    first = get_context("https://www.w3.org/ns/credentials/v2")
    first["@context"]["tampered"] = "https://evil.example/"

    assert "tampered" not in get_context("https://www.w3.org/ns/credentials/v2")["@context"]


def test_build_loader_serves_extra_context_without_leaking_into_default() -> None:
    extended = build_loader({EXTRA_URL: EXTRA_CONTEXT})
    document = {"@context": EXTRA_URL, "@id": "urn:example:1", "extraTerm": "x"}

    assert "<https://vocab.example/extraTerm>" in canonicalize(document, loader=extended)
    assert EXTRA_URL not in DEFAULT_LOADER.urls
    with pytest.raises(DocumentLoadFailedError):
        canonicalize(document)


def test_known_contexts_include_the_ob_and_vc_contexts() -> None:
    assert {
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://w3id.org/security/data-integrity/v2",
        "https://www.w3.org/ns/credentials/status/v1",
    } <= KNOWN_CONTEXTS
