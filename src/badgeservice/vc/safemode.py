"""JSON-LD safe mode: refuse documents whose meaning would be silently lost when signed.

pyld drops undefined terms and ``@``-prefixed unknown keys without a word, and lets relative
IRIs through; a signature then does not cover them. Like jsonld.js ``safe: true`` (which the
Digital Bazaar verifiers use), we refuse instead and name the JSON path of the member.
The check is one (memoised) expansion, cheap enough for every issuance and verification.
"""

from __future__ import annotations

from typing import Any

from badgeservice.vc.canon import expand
from badgeservice.vc.loader import StaticLoader

__all__ = ["check_safe_mode"]


def check_safe_mode(document: dict[str, Any], *, loader: StaticLoader | None = None) -> None:
    """Raise SafeModeError (``.path`` like ``credentialSubject.achievement.foo``) when expansion
    would drop a property, or an ``@id``/``id`` or ``type`` is not an absolute IRI.

    Also raises DocumentLoadFailedError for a context we do not ship and
    CanonicalizationError for documents JSON-LD cannot process or that are too large.

    See: https://www.w3.org/TR/vc-data-integrity/#securing-data-losslessly
    """
    expand(document, loader=loader, safe=True)
