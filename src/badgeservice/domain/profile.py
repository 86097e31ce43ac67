"""The issuer's OB 3.0 Profile: what ``issuer`` holds in every credential we sign.

See: https://www.imsglobal.org/spec/ob/v3p0/#profile
"""

from __future__ import annotations

from typing import Any


def build_profile(
    *,
    did: str,
    name: str,
    url: str | None = None,
    email: str | None = None,
    description: str | None = None,
    image: str | None = None,
) -> dict[str, Any]:
    """``issuer`` is always an object with ``type: ["Profile"]`` and ``name``: 1EdTech's
    validator refuses a bare string, and displayers show the name (OB3-PITFALLS G)."""
    profile: dict[str, Any] = {"id": did, "type": ["Profile"], "name": name}
    if url:
        profile["url"] = url
    if email:
        profile["email"] = email
    if description:
        profile["description"] = description
    if image:
        profile["image"] = {"id": image, "type": "Image", "caption": name}
    return profile
