"""Issuer identity rules: slugs (the issuer's DID is ``domain.urls.issuer_did``)."""

from __future__ import annotations

import re

SLUG_PATTERN = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
_SLUG_RE = re.compile(SLUG_PATTERN)


def is_valid_slug(slug: str) -> bool:
    """Lower-case letters, digits and inner hyphens, 1 to 64 characters (a URL and DID segment)."""
    return bool(_SLUG_RE.match(slug))
