"""Our vendored contexts against the team's reference copies (shared data/contexts)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from badgeservice.vc.loader import CONTEXTS_DIR, KNOWN_CONTEXTS, get_context

OB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
ED25519_2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
CLR201 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"

# URL -> why our copy (from the npm package) differs from the shared reference copy.
KNOWN_DIFFERENCES = {
    ED25519_2020: (
        "the shared copy is w3c/vc-di-eddsa's older lds-ed25519-2020-v1.json; we ship the "
        "w3id.org content published in ed25519-signature-2020-context (protected, id/type)"
    ),
}
# In the shared folder but deliberately not vendored: test-only or not published on npm.
NOT_VENDORED = {
    "https://www.w3.org/ns/credentials/examples/v2": "test vectors only (tests pass it in)",
    "https://w3id.org/citizenship/v4rc1": "test vectors only",
    "https://w3id.org/security/jwk/v1": "no npm package publishes it",
    "https://www.w3.org/ns/cid/v1": "no npm package publishes it",
}

# Vendored, but the shared folder has no reference copy to compare with.
NO_REFERENCE = {
    "https://w3id.org/security/v1",
    "https://w3id.org/security/v2",
    "https://w3id.org/vc/status-list/2021/v1",
    CLR201,
}


def context_map(shared_data: Path) -> dict[str, str]:
    raw = json.loads((shared_data / "contexts" / "context-map.json").read_text())
    return {url: file for url, file in raw.items() if not url.startswith("_")}


def index() -> dict[str, Any]:
    raw = json.loads((CONTEXTS_DIR / "index.json").read_text())
    return {url: entry for url, entry in raw.items() if not url.startswith("_")}


@pytest.mark.parametrize("url", sorted(KNOWN_CONTEXTS))
def test_vendored_context_equals_shared_copy(shared_data: Path, url: str) -> None:
    shared_file = context_map(shared_data).get(url)
    if shared_file is None:
        assert url in NO_REFERENCE
        return
    reference = json.loads((shared_data / "contexts" / shared_file).read_text(encoding="utf-8"))

    if url in KNOWN_DIFFERENCES:
        assert get_context(url) != reference, f"{url} now matches: drop the known difference"
    else:
        assert get_context(url) == reference


def test_shared_contexts_are_vendored_or_listed(shared_data: Path) -> None:
    missing = set(context_map(shared_data)) - KNOWN_CONTEXTS

    assert missing == set(NOT_VENDORED)


def test_ob_303_patch_recorded_with_both_hashes(shared_data: Path) -> None:
    entry = index()[OB303]
    shipped = (CONTEXTS_DIR / entry["file"]).read_bytes()
    before = json.loads(
        (shared_data / "contexts" / "ob-v3p0-context-3.0.3.before-2025-11.json").read_text()
    )

    assert "jti" in entry["patch"]
    assert "endorsementJwt" in entry["patch"]
    assert entry["package_sha256"] != entry["sha256"]
    assert hashlib.sha256(shipped).hexdigest() == entry["sha256"]
    terms = set(get_context(OB303)["@context"]) - set(before["@context"])
    assert terms == {"jti", "endorsementJwt"}


def test_the_clr_context_comes_from_its_pinned_wheel_unchanged() -> None:
    """No npm package publishes the CLR 2.0 context; ours is the file a pinned PyPI wheel
    ships, re-serialised: the same JSON, both hashes recorded."""
    entry = index()[CLR201]
    shipped = (CONTEXTS_DIR / entry["file"]).read_bytes()

    assert hashlib.sha256(shipped).hexdigest() == entry["sha256"]
    assert entry["package_sha256"] == (
        "880f1902d4158f2f33ce06af41b90719977cd1ea337a9de2e41edb3ff5e543d6"
    )
    terms = get_context(CLR201)["@context"]
    assert {"ClrCredential", "ClrSubject", "Association"} <= set(terms)
    subject = terms["ClrSubject"]["@context"]
    assert subject["verifiableCredential"]["@container"] == "@set"
