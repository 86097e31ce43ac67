"""The shared catalogue's rules, in one place (the API's body model, the service that saves an
achievement and the console's editor all ask here).

A shared achievement is a movement-wide *skill assertion*: one OB 3.0 ``Achievement`` of type
``Competency`` that any issuer of the deployment awards with its own signature, naming the
organisation that defined it as ``creator`` (a ``Profile``). The defining issuer alone edits it;
once another issuer has issued it, their credentials name it, so it stays shared.

See: https://www.imsglobal.org/spec/ob/v3p0/#achievement
"""

from __future__ import annotations

__all__ = [
    "SHARED_TYPE",
    "UNSHARE_REFUSED",
    "defining_creator",
    "may_unshare",
    "sharing_problem",
]

SHARED_TYPE = "Competency"
UNSHARE_REFUSED = "Other issuers have issued this shared achievement; it stays shared."


def sharing_problem(shared: bool, achievement_type: str | None, creator_given: bool) -> str | None:
    """Why an achievement cannot be saved as ``shared``, or ``None`` when it can."""
    if not shared:
        return None
    if achievement_type != SHARED_TYPE:
        return (
            f"a shared achievement is a skill assertion: its achievementType must be {SHARED_TYPE}"
        )
    if creator_given:
        return "a shared achievement's creator is its issuer: leave creator out"
    return None


def defining_creator(did: str, name: str, url: str | None, email: str | None) -> dict[str, str]:
    """The ``creator`` Profile of a shared achievement: the issuer that defines it."""
    creator = {"id": did, "name": name}
    return creator | {k: v for k, v in (("url", url), ("email", email)) if v}


def may_unshare(issued_by_others: int) -> bool:
    """Whether a shared achievement may leave the catalogue: not once others issued it."""
    return issued_by_others == 0
