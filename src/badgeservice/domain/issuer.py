"""Issuer identity rules: slugs and did:web identifiers."""

from __future__ import annotations

import re

from badgeservice.vc import did_web_from_url

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
_SLUG_RE = re.compile(SLUG_PATTERN)


def is_valid_slug(slug: str) -> bool:
    """Lower-case letters, digits and inner hyphens, 1 to 64 characters (a URL and DID segment)."""
    return bool(_SLUG_RE.match(slug))


def issuer_did(base_url: str, slug: str) -> str:
    """``did:web:{host}:issuers:{slug}``, the port percent-encoded as did:web requires.

    See: https://w3c-ccg.github.io/did-method-web/#create-register
    """
    return did_web_from_url(base_url, f"issuers/{slug}")
