"""The 1EdTech Revocation List Status Method (VCRL 1.0): the original OB 3.0 status mechanism,
deprecated in OB 3.0 spec 1.3 for Bitstring Status List but still carried by issued credentials.

The entry is ``{"id": <list URL>, "type": "1EdTechRevocationList"}``. The URL serves a plain JSON
document, not a verifiable credential: ``{"id", "issuer", "revokedCredentials": [{"id",
"revoked"?, "revocationReason"?}]}``. A credential is revoked when its ``id`` is listed and
``revoked`` is true or absent. Nothing signs the list: only the host the credential's issuer
named (under its own signature) vouches for it, and the report says so. An ``id`` or ``issuer``
of the list that does not match is a warning, not a refusal: without a proof, they prove nothing
either way.

See: https://www.imsglobal.org/spec/vcrl/v1p0/
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from badgeservice.vc._checks import Outcome, ReportWarning, Subject

__all__ = ["REVOCATION_LIST", "check_revocation_list"]

REVOCATION_LIST = "1EdTechRevocationList"
UNSIGNED = "a plain JSON document without a proof"
MAX_REASON = 200


def check_revocation_list(subject: Subject, listing: Any, url: str) -> Outcome:
    """Whether the credential's ``id`` is listed as revoked in ``listing``, fetched from ``url``
    (the entry's ``id``).

    See: https://www.imsglobal.org/spec/vcrl/v1p0/#revocation-list-status-method
    """
    credential_id = subject.doc.get("id")
    if not isinstance(credential_id, str):
        return Outcome(
            "error",
            "status_credential_id_missing",
            "the credential has no id to look up in its 1EdTech revocation list",
        )
    revoked = listing.get("revokedCredentials") if isinstance(listing, Mapping) else None
    if not isinstance(listing, Mapping) or not _objects(revoked):
        return Outcome(
            "error",
            "status_list_malformed",
            f"{url} is not a 1EdTech revocation list (no revokedCredentials list of objects)",
        )
    warnings = _warnings(subject, listing, url)
    for item in listing["revokedCredentials"]:
        if item.get("id") != credential_id:
            continue
        flag = item.get("revoked", True)
        if not isinstance(flag, bool):
            return Outcome("error", "status_list_malformed", f"{url}: revoked is not true or false")
        if flag:
            reason = item.get("revocationReason")
            why = f": {reason[:MAX_REASON]}" if isinstance(reason, str) and reason else ""
            return Outcome(
                "failed",
                "status_revoked",
                f"the credential is revoked{why} ({url}, {UNSIGNED})",
                warnings=warnings,
            )
    return Outcome(
        "passed", "status_valid", f"revocation: not revoked ({url}, {UNSIGNED})", warnings=warnings
    )


def _objects(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, Mapping) for item in value)


def _warnings(subject: Subject, listing: Mapping[str, Any], url: str) -> tuple[ReportWarning, ...]:
    warnings: list[ReportWarning] = []
    list_id = listing.get("id")
    if list_id is not None and list_id != url:
        warnings.append(
            ReportWarning(
                "status_list_id_mismatch",
                f"the revocation list at {url} calls itself {str(list_id)[:MAX_REASON]}",
            )
        )
    issuer = listing.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if issuer_id is not None and issuer_id != subject.issuer_id():
        warnings.append(
            ReportWarning(
                "status_list_issuer_other",
                f"the revocation list at {url} names {str(issuer_id)[:MAX_REASON]} as its "
                "issuer, not the credential's issuer",
            )
        )
    return tuple(warnings)
