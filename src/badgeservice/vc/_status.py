"""The ``status`` check: read each BitstringStatusListEntry's (or legacy StatusList2021Entry's)
bit from a verified list. Other status types (``1EdTechRevocationList``) are ``error``.

The list credential comes from the injected ``fetch_status_list`` (unreachable: ``error``), its
proof is verified with the same machinery (invalid: ``error``, the status cannot be known), its
issuer must be the credential's issuer and its ``statusPurpose`` the entry's. A set bit means
``failed`` for ``revocation`` and ``suspension``; other purposes are reported, not failed.

See: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm
See: https://www.w3.org/TR/2023/WD-vc-status-list-20230427/#validate-algorithm
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from typing import Any

from cachetools import LRUCache

from badgeservice.vc import _controllers
from badgeservice.vc._checks import Outcome, Subject
from badgeservice.vc.canon import canonicalize
from badgeservice.vc.errors import VcError
from badgeservice.vc.loader import StaticLoader
from badgeservice.vc.proofs import verify_proofs

__all__ = ["check_status"]

#: entry type -> the type its status list credential must have
LIST_TYPES = {
    "BitstringStatusListEntry": "BitstringStatusListCredential",
    "StatusList2021Entry": "StatusList2021Credential",
}
FAILING_PURPOSES = {"revocation": "revoked", "suspension": "suspended"}

# One status list serves many credentials: keep the canonical N-Quads of recent lists (without
# their proof) per loader, keyed by their exact JSON. The proof itself is checked every time.
_LIST_CANON: LRUCache[tuple[int, str], tuple[StaticLoader, str]] = LRUCache(32)
_LIST_CANON_LOCK = threading.Lock()


def check_status(subject: Subject) -> Outcome:
    """Check every ``credentialStatus`` entry; the worst outcome wins.

    See: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm
    """
    status = subject.doc.get("credentialStatus")
    if status is None:
        return Outcome(
            "skipped", "status_absent", "the credential has no credentialStatus", required=False
        )
    entries = status if isinstance(status, list) else [status]
    outcomes = [_check_entry(subject, entry) for entry in entries]
    for wanted in ("failed", "error"):
        for outcome in outcomes:
            if outcome.outcome == wanted:
                return outcome
    return Outcome("passed", "status_valid", "; ".join(o.message for o in outcomes))


def _check_entry(subject: Subject, entry: Any) -> Outcome:
    if not isinstance(entry, Mapping):
        return Outcome(
            "failed", "status_entry_malformed", "a credentialStatus entry is not an object"
        )
    list_type = LIST_TYPES.get(str(entry.get("type")))
    if list_type is None:
        return Outcome(
            "error", "status_type_unsupported", f"cannot check status of type {entry.get('type')!r}"
        )
    url, purpose, index = (
        entry.get(k) for k in ("statusListCredential", "statusPurpose", "statusListIndex")
    )
    if isinstance(index, int) and not isinstance(index, bool):
        index = str(index)  # OB examples write a JSON number: accept both (OB3-PITFALLS 28)
    if not (
        isinstance(url, str)
        and isinstance(purpose, str)
        and isinstance(index, str)
        and index.isascii()
        and index.isdigit()
    ):
        return Outcome(
            "failed",
            "status_entry_malformed",
            "the status entry needs statusListCredential, statusPurpose and a "
            "decimal statusListIndex string",
        )
    fetch = subject.options.fetch_status_list
    try:
        if fetch is None:
            raise LookupError("no fetch_status_list was given")
        listing = fetch(url)
    except Exception as error:  # injected fetchers may raise anything
        return Outcome(
            "error", "status_list_unreachable", f"could not retrieve the status list {url}: {error}"
        )
    problem = _check_list(subject, listing, url, purpose, list_type)
    if problem is not None:
        return problem
    return _read_bit(listing, url, purpose, int(index))


def _check_list(
    subject: Subject, listing: Any, url: str, purpose: str, list_type: str
) -> Outcome | None:
    if not isinstance(listing, dict) or list_type not in _as_list(listing.get("type")):
        return Outcome("error", "status_list_malformed", f"{url} is not a {list_type}")
    results = verify_proofs(
        listing,
        _controllers.method_resolver(subject),
        loader=subject.loader,
        now=subject.options.now,
        document_canon=_list_canon(listing, subject.loader),
    )
    if not results or not all(r.ok for r in results):
        reason = results[0].message if results else "it has no proof"
        return Outcome(
            "error", "status_list_unverified", f"the status list {url} does not verify: {reason}"
        )
    issuer = listing.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    if issuer_id != subject.issuer_id():
        return Outcome(
            "error",
            "status_list_issuer_mismatch",
            f"the status list {url} is issued by {issuer_id}, not the credential issuer",
        )
    # Naming the issuer is not enough: the list must be signed with a key the issuer controls,
    # or anyone could publish a list "by" the issuer and un-revoke its credentials.
    signers = {result.controller for result in results}
    if signers != {issuer_id}:
        return Outcome(
            "error",
            "status_list_signer_mismatch",
            f"the status list {url} is not signed by a key of the credential issuer",
        )
    purposes = _as_list(_list_subject(listing).get("statusPurpose"))
    if purpose not in purposes:
        return Outcome(
            "error", "status_purpose_mismatch", f"the status list {url} is not for {purpose}"
        )
    return None


def _list_canon(listing: dict[str, Any], loader: StaticLoader) -> str | None:
    """The canonical N-Quads of the list without its proof (safe mode applied), as the
    ``eddsa-rdfc-2022`` / ``ecdsa-rdfc-2019`` transformation computes them, memoised by exact
    JSON; None when they cannot be computed (``verify_proofs`` then reports why).

    See: https://www.w3.org/TR/vc-di-eddsa/#transformation-eddsa-rdfc-2022
    """
    unsecured = {k: v for k, v in listing.items() if k != "proof"}
    try:
        key = (id(loader), json.dumps(unsecured, separators=(",", ":")))
    except (TypeError, ValueError, RecursionError):
        return None
    with _LIST_CANON_LOCK:
        hit = _LIST_CANON.get(key)
    if hit is not None and hit[0] is loader:
        return hit[1]
    try:
        canon = canonicalize(unsecured, loader=loader, safe=True)
    except VcError:
        return None
    with _LIST_CANON_LOCK:
        _LIST_CANON[key] = (loader, canon)
    return canon


def _read_bit(listing: dict[str, Any], url: str, purpose: str, index: int) -> Outcome:
    from badgeservice.vc.statuslist import StatusList

    try:
        bits = StatusList.decode(str(_list_subject(listing).get("encodedList", "")))
        is_set = bool(bits.get(index))
    except Exception as error:  # a hostile list must not crash the report
        return Outcome(
            "error", "status_list_malformed", f"cannot read index {index} of {url}: {error}"
        )
    if is_set and purpose in FAILING_PURPOSES:
        return Outcome(
            "failed",
            f"status_{FAILING_PURPOSES[purpose]}",
            f"the credential is {FAILING_PURPOSES[purpose]} ({url} index {index})",
        )
    state = "set" if is_set else "unset"
    if purpose in FAILING_PURPOSES:
        state = f"not {FAILING_PURPOSES[purpose]}"
    return Outcome("passed", "status_valid", f"{purpose}: {state}")


def _list_subject(listing: Mapping[str, Any]) -> Mapping[str, Any]:
    subject = listing.get("credentialSubject")
    return subject if isinstance(subject, Mapping) else {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
