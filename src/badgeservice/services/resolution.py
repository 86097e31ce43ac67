"""Resolving verification methods: our own issuers from the database (no HTTP to ourselves),
anyone else's through ``remote`` when a fetcher is given."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any, Protocol, TypeVar

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from badgeservice.domain.urls import DidDocumentUrl, parse_own_url
from badgeservice.services.keys import did_document_by_slug
from badgeservice.vc import DidResolutionError, DidResolver

Database = Callable[[], AbstractContextManager[Session]]
"""Opens a short unit of work on the database (the caller's layer commits it and releases the
connection at its end), so nothing holds a connection while another server is waited on."""
T = TypeVar("T")


class JsonFetcher(Protocol):
    """What ``LocalDocuments`` needs of an outbound client (``RemoteFetcher`` or a
    verification's capped view of it)."""

    def fetch_json(self, url: str, *, refresh: bool = False) -> dict[str, Any]: ...

    def trusted_form(self, url: str) -> str: ...


class DatabaseErrors:
    """Keeps the database errors raised inside fetchers that ``vc`` calls. ``vc`` reports any
    fetcher error as "could not check"; a failure of our own database is no verdict on the
    credential, so the caller raises it again after ``vc`` returns (a 503, DESIGN.md §5)."""

    def __init__(self) -> None:
        self.error: SQLAlchemyError | None = None

    def guard(self, fetch: Callable[[str], T]) -> Callable[[str], T]:
        def guarded(url: str) -> T:
            try:
                return fetch(url)
            except SQLAlchemyError as exc:
                self.error = exc
                raise

        return guarded

    def raise_first(self) -> None:
        if self.error is not None:
            raise self.error


class LocalDocuments:
    """``fetch_json`` for a ``DidResolver``: ``{base}/issuers/{slug}/did.json`` is built from
    the database (read in a unit of work of its own); other URLs go to ``remote`` or fail.
    Database errors are kept in ``database_errors``."""

    def __init__(
        self,
        database: Database,
        base_url: str,
        remote: JsonFetcher | None = None,
        *,
        refresh: bool = False,
    ):
        self._database = database
        self._base_url = base_url
        self._remote = remote
        self._refresh = refresh  # a re-verification: skip the fetcher's cache
        self.database_errors = DatabaseErrors()
        self._fetch = self.database_errors.guard(self._fetch_json)

    def __call__(self, url: str) -> dict[str, Any]:
        return self._fetch(url)

    def resolver(self) -> DidResolver:
        """A resolver over these documents (did:web of our own host may be http in
        development, hence ``allow_http_localhost``)."""
        return DidResolver(self, allow_http_localhost=True)

    def _fetch_json(self, url: str) -> dict[str, Any]:
        # any scheme: did:web always says https, a development server speaks http
        own = parse_own_url(self._base_url, url, any_scheme=True)
        if isinstance(own, DidDocumentUrl):
            with self._database() as session:
                document = did_document_by_slug(session, own.slug)
            if document is not None:
                return document
        if self._remote is None:
            raise DidResolutionError(f"{url} is not one of ours", code="did_document_unavailable")
        return fetch_document(self._remote, url, refresh=self._refresh)


def fetch_document(remote: JsonFetcher, url: str, *, refresh: bool = False) -> dict[str, Any]:
    """Another server's did:web or https document through the guarded client (did:web always
    means https; the origin trusted for development is served over http)."""
    return remote.fetch_json(remote.trusted_form(url), refresh=refresh)


def local_resolver(session: Session, base_url: str) -> DidResolver:
    """A resolver that knows our issuers without HTTP, in the caller's session (did:web of our
    own host may be http in development, hence ``allow_http_localhost``)."""
    return LocalDocuments(lambda: nullcontext(session), base_url).resolver()
