"""Request-scoped dependencies: settings, one database session per request, the caller."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from badgeservice.errors import AuthenticationRequiredError
from badgeservice.remote import RemoteFetcher
from badgeservice.services.auth import Principal, authenticate
from badgeservice.services.keystore import KeyStore
from badgeservice.settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_key_store(request: Request) -> KeyStore:
    key_store: KeyStore = request.app.state.key_store
    return key_store


READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_remote(request: Request) -> RemoteFetcher:
    remote: RemoteFetcher = request.app.state.remote
    return remote


SessionDep = Annotated[Session, Depends(get_session)]
RemoteDep = Annotated[RemoteFetcher, Depends(get_remote)]
KeyStoreDep = Annotated[KeyStore, Depends(get_key_store)]

_bearer = HTTPBearer(auto_error=False, description="An admin or issuer API token.")


def get_principal(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise AuthenticationRequiredError("Send 'Authorization: Bearer <token>'.")
    return authenticate(session, credentials.credentials)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def read_raw_body(request: Request) -> bytes:
    """The request body as bytes (size-capped by the middleware), for sync endpoints."""
    return await request.body()


RawBodyDep = Annotated[bytes, Depends(read_raw_body)]
