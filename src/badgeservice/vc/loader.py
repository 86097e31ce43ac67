"""The static JSON-LD document loader: serves vendored contexts only, never the network.

The contexts live in ``vc/contexts/`` (package data, listed in ``index.json`` with the npm
package they come from and the SHA-256 of the file we ship; ``scripts/vendor_contexts.py``
re-creates them). Any other URL raises :class:`DocumentLoadFailedError`.

See: https://www.w3.org/TR/vc-data-integrity/#context-validation
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from badgeservice.vc.errors import DocumentLoadFailedError

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"


def _read_vendored() -> dict[str, bytes]:
    index = json.loads((CONTEXTS_DIR / "index.json").read_text(encoding="utf-8"))
    return {
        url: (CONTEXTS_DIR / entry["file"]).read_bytes()
        for url, entry in index.items()
        if not url.startswith("_")
    }


class StaticLoader:
    """A pyld document loader over a fixed set of contexts.

    Call it as pyld does (``loader(url, options)``); it returns a RemoteDocument whose
    ``document`` is a fresh parse of the stored bytes, tagged ``static`` so pyld may cache
    the resolved context. ``cache`` is free for canonicalisation to keep processed contexts
    that belong to this loader (so a test loader never leaks contexts into the default one).
    """

    def __init__(self, contexts: Mapping[str, bytes]) -> None:
        self._contexts = dict(contexts)
        self.urls: frozenset[str] = frozenset(self._contexts)
        self.cache: dict[Any, Any] = {}

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        data = self._contexts.get(url)
        if data is None:
            raise DocumentLoadFailedError(
                f"JSON-LD document {url!r} is not one of the contexts we ship"
            )
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": json.loads(data),
            "contentType": "application/ld+json",
            "tag": "static",
        }

    def with_contexts(self, extra: Mapping[str, Mapping[str, Any]]) -> StaticLoader:
        """A new loader serving these contexts too (for tests: e.g. the W3C examples context)."""
        contexts = dict(self._contexts)
        for url, document in extra.items():
            contexts[url] = json.dumps(document).encode("utf-8")
        return StaticLoader(contexts)


DEFAULT_LOADER = StaticLoader(_read_vendored())
KNOWN_CONTEXTS: frozenset[str] = DEFAULT_LOADER.urls


def load_document(url: str) -> dict[str, Any]:
    """Return the RemoteDocument for a vendored context, or raise DocumentLoadFailedError.

    See: https://www.w3.org/TR/json-ld11-api/#remotedocument
    """
    return DEFAULT_LOADER(url)


def get_context(url: str) -> dict[str, Any]:
    """Return a fresh copy of the parsed vendored context at ``url``."""
    document: dict[str, Any] = DEFAULT_LOADER(url)["document"]
    return document


def build_loader(extra: Mapping[str, Mapping[str, Any]]) -> StaticLoader:
    """A static loader serving the vendored contexts plus ``extra`` (URL -> parsed context)."""
    return DEFAULT_LOADER.with_contexts(extra)
