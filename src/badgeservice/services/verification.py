"""Verifying any credential for a third party: our pipeline (``vc.verify``), with documents
from our own database for our issuers and from ``remote`` (SSRF-guarded) for everyone else.

No database connection is held while another server is waited on: every read of our own
documents (a DID document, a status list, a key, a credential by URL) is its own short unit
of work (``VerifyContext.database``), opened, read and closed before anything else happens:
a slow status URL must not hold a pooled connection. Verification only reads (our status
lists are served as stored, DESIGN.md §6).

One verification has one deadline (``deadline_seconds``: fetching, JSON-LD work and every
check) and may fetch at most ``max_fetches`` documents from other servers
(``OutboundFetches``); a fetch beyond the cap fails at once with ``FetchLimitError``, which the
check that needed it reports as ``error``. Status lists are fetched concurrently (``vc``).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from badgeservice.domain.ob_schema import schema_check
from badgeservice.domain.recipient_check import ClaimedRecipient, recipient_check
from badgeservice.domain.urls import CredentialUrl, StatusListUrl, parse_own_url
from badgeservice.errors import ServiceError
from badgeservice.remote import FetchedDocument, RemoteFetcher
from badgeservice.services import credentials, issuers, keys, status_lists, visibility
from badgeservice.services.resolution import Database, LocalDocuments
from badgeservice.vc import ExtraCheck, Report, verify_credential

JSON_TYPES = {"application/json", "application/ld+json", "application/vc+ld+json"}
SOURCE_ACCEPT = "application/ld+json, application/json, */*"
SOURCE_SUFFIXES = ("", ".json", ".jwt")  # the URLs of a credential that serve it signed


class FetchLimitError(ServiceError):
    status, code, title = 502, "verify_fetch_limit", "The verification fetched too much"


@dataclass(frozen=True)
class VerifyContext:
    """What a verification reads from, and when it runs: dates are checked at ``now`` (the
    report's ``checkedAt``; a list of ours re-signed meanwhile is valid from then). ``fresh``
    (a re-verification) fetches DID documents, controller documents and status lists anew
    instead of from the remote client's cache; our own documents are read from the database
    either way."""

    database: Database
    base_url: str
    remote: RemoteFetcher
    now: datetime
    strict: bool = False  # settings.verify_strict: refuse keys the issuer could not confirm
    fresh: bool = False  # fetch remote documents anew (re-verify past the cache)
    deadline_seconds: float = 10.0  # settings.verify_deadline_seconds
    max_fetches: int = 16  # settings.verify_max_fetches


class OutboundFetches:
    """One verification's view of ``remote``: at most ``limit`` fetches (thread-safe: status
    lists are fetched concurrently), each within what is left of the deadline."""

    def __init__(self, remote: RemoteFetcher, limit: int, deadline: float, fresh: bool) -> None:
        self._remote, self._limit, self.deadline, self._fresh = remote, limit, deadline, fresh
        self._count = 0
        self._lock = threading.Lock()

    def remaining(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)

    def _take(self, url: str) -> float:
        with self._lock:
            self._count += 1
            if self._count > self._limit:
                raise FetchLimitError(
                    f"not fetched: one verification fetches at most {self._limit} documents "
                    "from other servers",
                    url=url,
                )
        return self.remaining()

    def fetch_json(
        self, url: str, *, refresh: bool = False, honour_cache_control: bool = False
    ) -> dict[str, Any]:
        timeout = self._take(url)
        return self._remote.fetch_json(
            url,
            refresh=refresh or self._fresh,
            honour_cache_control=honour_cache_control,
            timeout=timeout,
        )

    def fetch_bytes(self, url: str, *, accept: str) -> FetchedDocument:
        timeout = self._take(url)
        return self._remote.fetch_bytes(url, accept=accept, refresh=self._fresh, timeout=timeout)

    def trusted_form(self, url: str) -> str:
        return self._remote.trusted_form(url)


def start(context: VerifyContext) -> OutboundFetches:
    """The fetch allowance of one verification; its deadline starts now."""
    deadline = time.monotonic() + context.deadline_seconds
    return OutboundFetches(context.remote, context.max_fetches, deadline, context.fresh)


def verify(
    source: dict[str, Any] | str | bytes,
    context: VerifyContext,
    recipient: ClaimedRecipient | None = None,
    fetches: OutboundFetches | None = None,
) -> Report:
    """The full report for a credential (JSON-LD dict, compact JWT, or baked image bytes);
    with ``recipient``, a ``recipient`` check says whether the credential is about them.
    ``fetches``: the allowance already started for this verification (verify-by-URL)."""
    fetches = fetches or start(context)
    documents = LocalDocuments(context.database, context.base_url, fetches)
    errors = documents.database_errors
    report = verify_credential(
        source,
        fetch_json=documents,
        fetch_status_list=errors.guard(_status_fetcher(context, fetches)),
        now=context.now,
        trusted_issuer_keys=_own_keys(context),
        extra_checks=extra_checks(recipient),
        strict=context.strict,
        deadline_seconds=fetches.remaining(),
    )
    errors.raise_first()  # our database failing says nothing about the credential
    return report


def verify_url(
    url: str, context: VerifyContext, recipient: ClaimedRecipient | None = None
) -> Report:
    """The report for the credential at ``url``: ours read from the database, anyone else's
    fetched (one of the verification's fetches, within its deadline)."""
    fetches = start(context)
    with context.database() as session:
        value: dict[str, Any] | str | bytes | None = own_source(session, context.base_url, url)
    if value is None:
        fetched = fetches.fetch_bytes(url, accept=SOURCE_ACCEPT)
        value = read_source(fetched.content, fetched.media_type or "")
    return verify(value, context, recipient, fetches)


def extra_checks(recipient: ClaimedRecipient | None) -> list[ExtraCheck]:
    """Our checks on top of the VC pipeline: ``schema``, and ``recipient`` when one is given
    (the API, the page and the CLI run the same list)."""
    return [schema_check, *([recipient_check(recipient)] if recipient is not None else [])]


def own_source(session: Session, base_url: str, url: str) -> dict[str, Any] | str | None:
    """One of our credentials, by its public URL (page, ``.json`` or ``.jwt``), read from the
    database instead of over HTTP; None when the URL is not one of ours."""
    own = parse_own_url(base_url, url)
    if not isinstance(own, CredentialUrl) or own.suffix not in SOURCE_SUFFIXES:
        return None
    credential = credentials.find_credential(session, own.credential_id)
    if credential is None or not visibility.visibility_of(session, credential).json_public:
        return None  # a credential whose learner keeps its JSON private: as an unknown one
    if credential.jwt:  # a VC-JWT is verifiable only as the JWT, whichever URL named it
        return credential.jwt
    return dict(json.loads(credential.document))


def fetch_source(
    url: str, remote: RemoteFetcher, *, fresh: bool = False
) -> dict[str, Any] | str | bytes:
    """What a URL holds: a JSON credential, a compact JWT, or image bytes (``fresh``: not
    from the remote client's cache)."""
    fetched = remote.fetch_bytes(url, accept=SOURCE_ACCEPT, refresh=fresh)
    return read_source(fetched.content, fetched.media_type or "")


def read_source(content: bytes, media_type: str) -> dict[str, Any] | str | bytes:
    """Bytes of unknown kind → what ``verify`` takes (images stay bytes)."""
    if content.startswith(b"\x89PNG") or media_type in {"image/png", "image/svg+xml"}:
        return content
    text = content.decode("utf-8", errors="replace").strip()
    if text.startswith("<"):
        return content  # an SVG served as text
    if text.startswith("{") or media_type in JSON_TYPES:
        try:
            parsed = json.loads(text)
        except (ValueError, RecursionError):
            return text
        return parsed if isinstance(parsed, dict) else text
    return text


def _status_fetcher(
    context: VerifyContext, fetches: OutboundFetches
) -> Callable[[str], dict[str, Any]]:
    def fetch(url: str) -> dict[str, Any]:
        own = parse_own_url(context.base_url, url)
        if isinstance(own, StatusListUrl):
            with context.database() as session:
                return _own_status_list(session, own.slug, own.list_id)
        return fetches.fetch_json(url, honour_cache_control=True)

    return fetch


def _own_status_list(session: Session, slug: str, list_id: uuid.UUID) -> dict[str, Any]:
    """Our list as stored, as its URL serves it (a list being re-signed: could not check)."""
    return dict(json.loads(status_lists.stored_list(session, slug, list_id)))


def _own_keys(context: VerifyContext) -> Callable[[str, str], bool]:
    """Whether ``<issuer id>#<multibase>`` names a key of one of our issuers."""

    def trusted(issuer_id: str, multibase: str) -> bool:
        with context.database() as session:
            issuer = issuers.find_issuer_by_did(session, issuer_id)
            if issuer is None:
                return False
            rows = keys.issuer_keys(session, issuer)
            return any(row.public_multibase == multibase for row in rows)

    return trusted


def summary(report: Report) -> dict[str, Any] | None:
    """What a reader wants to see of the credential, whatever the verdict."""
    credential = report.credential
    if not isinstance(credential, dict):
        return None
    issuer = credential.get("issuer")
    issuer_fields = issuer if isinstance(issuer, dict) else {"id": issuer}
    subject = _object(credential.get("credentialSubject"))
    achievement = _object(subject.get("achievement"))
    return {
        "id": _text(credential.get("id")),
        "type": credential.get("type"),
        "issuer": {"id": _text(issuer_fields.get("id")), "name": _text(issuer_fields.get("name"))},
        "name": _text(credential.get("name")) or _text(achievement.get("name")),
        "description": _text(achievement.get("description")),
        "image": _image(achievement.get("image")) or _image(credential.get("image")),
        "recipient": _recipient(subject),
        "validFrom": _text(credential.get("validFrom") or credential.get("issuanceDate")),
        "validUntil": _text(credential.get("validUntil") or credential.get("expirationDate")),
    }


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _image(value: Any) -> str | None:
    if isinstance(value, dict):
        return _text(value.get("id"))
    return _text(value)


def _recipient(subject: dict[str, Any]) -> dict[str, Any]:
    """Names in clear, identifiers only as their kind (a hashed email stays hashed)."""
    shown: dict[str, Any] = {}
    if isinstance(subject.get("id"), str):
        shown["id"] = subject["id"]
    identifiers = subject.get("identifier")
    for entry in identifiers if isinstance(identifiers, list) else []:
        if not isinstance(entry, dict):
            continue
        if entry.get("identityType") == "name" and entry.get("hashed") is False:
            shown["name"] = _text(entry.get("identityHash"))
        elif entry.get("hashed") is True:
            shown.setdefault("hashedIdentifiers", []).append(_text(entry.get("identityType")))
    return shown
