"""The JSON-LD envelope of the documents we publish (DESIGN.md §2)."""

from __future__ import annotations

from typing import Any

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_CONTEXTS = [VC_V2_CONTEXT, OB_CONTEXT]


def standalone(document: dict[str, Any]) -> dict[str, Any]:
    """A document served on its own (an Achievement, a Profile) with the contexts it needs."""
    return {"@context": list(OB_CONTEXTS), **document}
