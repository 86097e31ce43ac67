"""The ``status`` check: read each BitstringStatusListEntry's (or legacy StatusList2021Entry's)
status from a verified list, or look the credential up in a ``1EdTechRevocationList``.

A status list credential is checked like a credential: it comes from the injected
``fetch_status_list`` (unreachable: ``error``); its proof must verify and every signing key must
be controlled by the list's own ``issuer`` and listed by it under ``assertionMethod`` (a list
that names an issuer it was not signed by is refused: anyone could otherwise publish a list "by"
the issuer and un-revoke its credentials); its own ``validFrom``/``validUntil`` (VC 1.1:
``issuanceDate``/``expirationDate``) are the credential date checks, 60 s skew; its
``statusPurpose`` must be the entry's. Any of these failing is ``error``: the status cannot be
known. The list's issuer need not be the credential's: the Bitstring Status List spec has no
issuer-equality step, and the credential's issuer chose the list's URL under its own signature;
the report names who signed the list.

A set status means ``failed`` for ``revocation`` and ``suspension``; other purposes are
reported, not failed. A list shorter than the spec's minimum of 131,072 entries is read, with a
``status_list_short`` warning. ``statusSize`` > 1 is read as a number and explained with the
entry's ``statusMessage``; a value without a message is reported as not interpreted (warning).

The lists are fetched first, each distinct URL once and up to ``MAX_PARALLEL`` at a time (the
fetcher bounds each fetch by the verification's deadline and may refuse fetches beyond its
cap: those entries are ``error``), then checked one by one.

See: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm
See: https://www.w3.org/TR/2023/WD-vc-status-list-20230427/#validate-algorithm
"""

from __future__ import annotations

import contextvars
import json
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from cachetools import LRUCache

from badgeservice.vc import _checks, _controllers
from badgeservice.vc._checks import Outcome, ReportWarning, Subject
from badgeservice.vc._revocation_list import REVOCATION_LIST, check_revocation_list
from badgeservice.vc.canon import canonicalize
from badgeservice.vc.errors import StatusListError, VcError
from badgeservice.vc.loader import StaticLoader
from badgeservice.vc.proofs import verify_proofs
from badgeservice.vc.statuslist import DEFAULT_SIZE, StatusList, read_status_entry
from badgeservice.vc.steps import WORST_FIRST

__all__ = ["check_status"]

#: entry type -> the type its status list credential must have
LIST_TYPES = {
    "BitstringStatusListEntry": "BitstringStatusListCredential",
    "StatusList2021Entry": "StatusList2021Credential",
}
FAILING_PURPOSES = {"revocation": "revoked", "suspension": "suspended"}
#: The spec's minimum list length, for herd privacy (a shorter list is read, with a warning).
MIN_ENTRIES = DEFAULT_SIZE
#: The list's own date checks (the credential's rules) -> the status codes they map to.
DATE_CODES = {
    "credential_not_yet_valid": ("status_list_not_yet_valid", "is not valid yet"),
    "credential_expired": ("status_list_expired", "has expired"),
}

# One status list serves many credentials: keep the canonical N-Quads of recent lists (without
# their proof) per loader, keyed by their exact JSON. Not a correctness cache: an altered list
# is other JSON (so another key), and its proof, signer, dates and bits are checked on every
# verification, so a re-verification (``fresh``) has nothing to clear here.
_LIST_CANON: LRUCache[tuple[int, str], tuple[StaticLoader, str]] = LRUCache(32)
_LIST_CANON_LOCK = threading.Lock()
MAX_PARALLEL = 8


def check_status(subject: Subject) -> Outcome:
    """Check every ``credentialStatus`` entry; the worst outcome wins, warnings add up.

    See: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm
    """
    status = subject.doc.get("credentialStatus")
    if status is None:
        return Outcome(
            "skipped", "status_absent", "the credential has no credentialStatus", required=False
        )
    entries = status if isinstance(status, list) else [status]
    lists = _fetch_all(subject, entries)
    outcomes = [_check_entry(subject, entry, lists) for entry in entries]
    warnings = tuple(dict.fromkeys(w for outcome in outcomes for w in outcome.warnings))
    for wanted in WORST_FIRST:
        worst = [outcome for outcome in outcomes if outcome.outcome == wanted]
        if worst:
            message = _worst_message(worst, len(outcomes))
            return replace(worst[0], message=message, warnings=warnings)
    message = "; ".join(o.message for o in outcomes)
    return Outcome("passed", "status_valid", message, warnings=warnings)


def _worst_message(worst: list[Outcome], total: int) -> str:
    """The first such entry's message; with several, how many and the last one's too (entries
    beyond a fetch cap come last)."""
    if len(worst) == 1:
        return worst[0].message
    verb = "failed" if worst[0].outcome == "failed" else "could not be checked"
    summary = f"{worst[0].message}; {len(worst)} of {total} status entries {verb}"
    return f"{summary}, the last: {worst[-1].message}"


def _list_url(entry: Any) -> str | None:
    if not isinstance(entry, Mapping):
        return None
    url = entry.get("id" if entry.get("type") == REVOCATION_LIST else "statusListCredential")
    return url if isinstance(url, str) else None


def _fetch_all(subject: Subject, entries: Sequence[Any]) -> dict[str, Any]:
    """Every distinct list URL -> its document or the ``error`` Outcome, fetched concurrently
    (each thread runs in a copy of this context: the verification's deadline goes along)."""
    urls = list(dict.fromkeys(url for url in map(_list_url, entries) if url is not None))
    if len(urls) < 2:
        return {url: _fetch(subject, url) for url in urls}
    with ThreadPoolExecutor(max_workers=min(MAX_PARALLEL, len(urls))) as pool:
        futures = [pool.submit(contextvars.copy_context().run, _fetch, subject, u) for u in urls]
        return {url: future.result() for url, future in zip(urls, futures, strict=True)}


def _check_entry(subject: Subject, entry: Any, lists: Mapping[str, Any]) -> Outcome:
    if not isinstance(entry, Mapping):
        return Outcome(
            "failed", "status_entry_malformed", "a credentialStatus entry is not an object"
        )
    if entry.get("type") == REVOCATION_LIST:
        url = entry.get("id")
        if not isinstance(url, str):
            return Outcome(
                "failed", "status_entry_malformed", "a 1EdTechRevocationList entry needs its URL"
            )
        listing = lists[url]
        return (
            listing
            if isinstance(listing, Outcome)
            else check_revocation_list(subject, listing, url)
        )
    list_type = LIST_TYPES.get(str(entry.get("type")))
    if list_type is None:
        return Outcome(
            "error", "status_type_unsupported", f"cannot check status of type {entry.get('type')!r}"
        )
    try:
        url, index, purpose, size = read_status_entry(entry)
    except StatusListError as error:
        return Outcome(
            "failed",
            "status_entry_malformed",
            f"the status entry needs statusListCredential, statusPurpose and a decimal "
            f"statusListIndex string: {error.message}",
        )
    listing = lists[url]
    if isinstance(listing, Outcome):
        return listing
    signer = _check_list(subject, listing, url, purpose, list_type)
    if isinstance(signer, Outcome):
        return signer
    return _read_status(subject, listing, entry, (url, index, purpose, size), signer)


def _fetch(subject: Subject, url: str) -> Any:
    """The document at ``url`` from ``fetch_status_list``, or the ``error`` Outcome."""
    fetch = subject.options.fetch_status_list
    try:
        if fetch is None:
            raise LookupError("no fetch_status_list was given")
        return fetch(url)
    except Exception as error:  # injected fetchers may raise anything
        return Outcome(
            "error", "status_list_unreachable", f"could not retrieve the status list {url}: {error}"
        )


def _check_list(
    subject: Subject, listing: Any, url: str, purpose: str, list_type: str
) -> str | Outcome:
    """Who signed the list (its issuer) when it may be read, else the ``error`` Outcome."""
    if not isinstance(listing, dict) or list_type not in _as_list(listing.get("type")):
        return Outcome("error", "status_list_malformed", f"{url} is not a {list_type}")
    # The list is checked as a credential of its own; it shares the verification's documents.
    own = Subject("json-ld", listing, subject.options, documents=subject.documents)
    problem = _check_list_proof(own, url) or _check_list_dates(own, url)
    if problem is not None:
        return problem
    purposes = _as_list(_list_subject(listing).get("statusPurpose"))
    if purpose not in purposes:
        return Outcome(
            "error", "status_purpose_mismatch", f"the status list {url} is not for {purpose}"
        )
    issuer = own.issuer_id()
    assert issuer is not None  # _check_list_proof refused a list without one
    return issuer


def _check_list_proof(own: Subject, url: str) -> Outcome | None:
    """The list's proof verifies, and each key is its issuer's: controlled and listed by it.

    See: https://www.w3.org/TR/vc-data-integrity/#verify-proof
    """
    own.proof_results = verify_proofs(
        own.doc,
        _controllers.method_resolver(own),
        loader=own.loader,
        now=own.options.now,
        document_canon=_list_canon(own.doc, own.loader),
    )
    if not own.proof_results or not all(r.ok for r in own.proof_results):
        reason = own.proof_results[0].message if own.proof_results else "it has no proof"
        return Outcome(
            "error", "status_list_unverified", f"the status list {url} does not verify: {reason}"
        )
    issuer = own.issuer_id()
    if issuer is None:
        return Outcome("error", "status_list_malformed", f"the status list {url} has no issuer")
    for vm_id, controller in _controllers.signing_methods(own):
        if controller != issuer:
            return Outcome(
                "error",
                "status_list_signer_mismatch",
                f"the status list {url} names {issuer} as its issuer but is signed by a key "
                f"of {controller}",
            )
        # A key its issuer's document could not confirm (a warning for a credential) does not
        # bind a status list: ask without a relationship first, then for assertionMethod.
        listed = _controllers.check_listed(
            own, vm_id, controller, relationship=None
        ) or _controllers.check_listed(own, vm_id, controller, relationship=_checks.ASSERTION)
        if listed is not None and not (isinstance(listed, Outcome) and listed.outcome == "passed"):
            code = "status_list_signer_unresolvable"
            if listed.code in {"issuer_key_not_listed", "proof_purpose_not_authorized"}:
                code = "status_list_signer_mismatch"
            return Outcome("error", code, f"the status list {url}: {listed.message}")
    return None


def _check_list_dates(own: Subject, url: str) -> Outcome | None:
    """The list's own validity period, by the credential's date checks (60 s skew).

    See: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm
    """
    for check in (_checks.check_valid_from, _checks.check_valid_until):
        outcome = check(own)
        if outcome.outcome != "failed":
            continue
        code, words = DATE_CODES.get(outcome.code, ("status_list_malformed", "has bad dates"))
        return Outcome("error", code, f"the status list {url} {words}: {outcome.message}")
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


def _read_status(
    subject: Subject,
    listing: dict[str, Any],
    entry: Mapping[str, Any],
    where: tuple[str, int, str, int],
    signer: str,
) -> Outcome:
    """The entry's status value, read ``statusSize`` bits wide, and what it means.

    See: https://www.w3.org/TR/vc-bitstring-status-list/#validate-algorithm
    """
    url, index, purpose, size = where
    try:
        bits = StatusList.decode(
            str(_list_subject(listing).get("encodedList", "")), status_size=size
        )
        value = bits.get(index)
    except Exception as error:  # a hostile list must not crash the report
        return Outcome(
            "error", "status_list_malformed", f"cannot read index {index} of {url}: {error}"
        )
    meaning = _status_message(entry, value) if size > 1 else None
    warnings = _read_warnings(url, index, bits.size, value, meaning if size > 1 else "")
    source = f"{url} index {index}, signed by {signer}"
    if signer != subject.issuer_id():
        source += ", not the credential's issuer"
    if value and purpose in FAILING_PURPOSES:
        state = FAILING_PURPOSES[purpose]
        because = f": {meaning}" if meaning else ""
        return Outcome(
            "failed",
            f"status_{state}",
            f"the credential is {state}{because} ({source})",
            warnings=warnings,
        )
    shown = f"{value:#x}" if size > 1 else ("set" if value else "unset")
    if purpose in FAILING_PURPOSES:
        shown = f"not {FAILING_PURPOSES[purpose]}"
    explained = f" ({meaning})" if meaning else ""
    message = f"{purpose}: {shown}{explained} ({source})"
    return Outcome("passed", "status_valid", message, warnings=warnings)


def _read_warnings(
    url: str, index: int, entries: int, value: int, meaning: str | None
) -> tuple[ReportWarning, ...]:
    """A list shorter than the spec's minimum; a multi-bit value without a ``statusMessage``
    (``meaning`` None; "" when the entry is one bit wide and needs none).

    See: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistcredential
    """
    warnings: list[ReportWarning] = []
    if entries < MIN_ENTRIES:
        warnings.append(
            ReportWarning(
                "status_list_short",
                f"the status list {url} has {entries:,} entries, fewer than the "
                f"{MIN_ENTRIES:,} the Bitstring Status List spec asks for so that one "
                "credential's status hides among many",
            )
        )
    if meaning is None:
        warnings.append(
            ReportWarning(
                "status_message_missing",
                f"status value {value:#x} of {url} index {index} has no statusMessage, so it "
                "is not interpreted",
            )
        )
    return tuple(warnings)


def _status_message(entry: Mapping[str, Any], value: int) -> str | None:
    """The entry's ``statusMessage`` text for ``value`` (``status`` is a hex string, "0x1").

    See: https://www.w3.org/TR/vc-bitstring-status-list/#bitstringstatuslistentry
    """
    for item in _as_list(entry.get("statusMessage")):
        if not isinstance(item, Mapping) or not isinstance(item.get("message"), str):
            continue
        status = item.get("status")
        try:
            if isinstance(status, str) and int(status, 16) == value:
                return str(item["message"])[:200]
        except ValueError:
            continue
    return None


def _list_subject(listing: Mapping[str, Any]) -> Mapping[str, Any]:
    subject = listing.get("credentialSubject")
    return subject if isinstance(subject, Mapping) else {}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
