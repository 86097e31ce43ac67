"""Request-scoped dependencies: settings, one database session per request, the caller."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from badgeservice.clock import Clock
from badgeservice.db.models import Issuer, User, WebSession
from badgeservice.errors import AuthenticationRequiredError
from badgeservice.remote import ProviderClient, RemoteFetcher
from badgeservice.services import issuers, web_sessions
from badgeservice.services.auth import Principal, authenticate, record_use
from badgeservice.services.keystore import KeyStore
from badgeservice.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_key_store(request: Request) -> KeyStore:
    key_store: KeyStore = request.app.state.key_store
    return key_store


def get_clock(request: Request) -> Clock:
    """The app's one clock (``create_app(clock=...)``): an endpoint reads ``clock.now()``
    once and passes that moment to the services it calls."""
    clock: Clock = request.app.state.clock
    return clock


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# ``with units() as session:`` a short transaction, committed when the block ends normally.
UnitsOfWork = Callable[[], AbstractContextManager[Session]]


def get_session(request: Request) -> Iterator[Session]:
    """A session per request; the endpoint commits as its last step, anything else rolls back.
    A GET reads (on SQLite: without waiting for the writer, DESIGN.md §5)."""
    reading = request.method in READ_METHODS
    factory = (
        request.app.state.read_session_factory if reading else request.app.state.session_factory
    )
    session: Session = factory()
    try:
        yield session
    finally:
        session.close()


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A short transaction: committed when the block ends normally, rolled back otherwise;
    its connection goes back to the pool (SQLite: the write lock is released) at the end."""
    with factory() as session:
        yield session
        session.commit()


def get_database(request: Request) -> UnitsOfWork:
    """Short units of work that only read, instead of one session for the request, for
    endpoints that wait on other servers (verification): no connection is held while they
    wait, and on SQLite they read without waiting for the writer (DESIGN.md §5)."""
    return partial(unit_of_work, request.app.state.read_session_factory)


def get_writer(request: Request) -> UnitsOfWork:
    """Short units of work that may write, for a GET that changes something (the sign-in's
    state and session, the audit record of a learner's CLR): on SQLite each begins IMMEDIATE
    and waits its turn for the write lock. A GET's own session begins DEFERRED, and there a
    write after a read fails at once when another writer committed meanwhile (DESIGN.md §5;
    ``tests/sqlite_writes.py`` watches every integration test for that)."""
    return partial(unit_of_work, request.app.state.session_factory)


SettingsDep = Annotated[Settings, Depends(get_settings)]
ClockDep = Annotated[Clock, Depends(get_clock)]


def get_remote(request: Request) -> RemoteFetcher:
    remote: RemoteFetcher = request.app.state.remote
    return remote


def get_provider_client(request: Request) -> ProviderClient:
    """The client for servers the operator configured (the Wikimedia OAuth provider, the wiki
    whose events are read)."""
    client: ProviderClient = request.app.state.provider_client
    return client


ProviderDep = Annotated[ProviderClient, Depends(get_provider_client)]
SessionDep = Annotated[Session, Depends(get_session)]
DatabaseDep = Annotated[UnitsOfWork, Depends(get_database)]
WriterDep = Annotated[UnitsOfWork, Depends(get_writer)]
RemoteDep = Annotated[RemoteFetcher, Depends(get_remote)]
KeyStoreDep = Annotated[KeyStore, Depends(get_key_store)]

_bearer = HTTPBearer(auto_error=False, description="An admin or issuer API token.")


def get_principal(
    session: SessionDep,
    clock: ClockDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise AuthenticationRequiredError("Send 'Authorization: Bearer <token>'.")
    principal = authenticate(session, credentials.credentials, now=clock.now())
    session.rollback()  # the read ends: the endpoint's transaction (a GET's above all) starts clean
    if principal.use_to_record is not None:
        # The token's last use, in a transaction begun by the write itself: on SQLite a
        # transaction that read first fails at once when a batch committed meanwhile, one that
        # starts with the write waits its turn for the lock (DESIGN.md §5).
        record_use(session, principal)
        session.commit()
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def IssuerDep(scope: str) -> Any:
    """The issuer of the URL's `{slug}`, if the caller may act on it with `scope`: 404 when
    there is no such issuer or it is another tenant's, 403 when the token lacks the scope.
    Use: `issuer: Annotated[Issuer, IssuerDep("credentials:issue")]`."""

    def issuer_of_url(slug: str, principal: PrincipalDep, session: SessionDep) -> Issuer:
        issuer = issuers.get_issuer(session, slug)
        principal.require_issuer(issuer, scope)
        return issuer

    return Depends(issuer_of_url)


def get_web_session(
    request: Request, session: SessionDep, clock: ClockDep
) -> tuple[WebSession, User] | None:
    """The signed-in browser's session and user from the session cookie, or ``None``."""
    cookie = request.cookies.get(web_sessions.COOKIE_NAME)
    return web_sessions.find(session, cookie, clock.now())


WebSessionDep = Annotated[tuple[WebSession, User] | None, Depends(get_web_session)]


async def read_raw_body(request: Request) -> bytes:
    """The request body as bytes (size-capped by the middleware), for sync endpoints."""
    return await request.body()


RawBodyDep = Annotated[bytes, Depends(read_raw_body)]
