"""Console fixtures: browsers signed in as members of the default issuer (``wmde``, the one
``headers`` and ``achievement_id`` use), one per role."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.services import issuers, members
from tests.accounts import sign_in_as
from tests.factories import KEY_STORE

HTML = {"Accept": "text/html"}
CONSOLE = "/console/wmde"
ConsoleClient = Callable[..., TestClient]


def add_member(session: Session, email: str, role: str, slug: str = "wmde") -> None:
    issuer = issuers.get_issuer(session, slug)
    members.invite(
        session, issuer, kind="email", value=email, role=role, actor="test", key_store=KEY_STORE
    )
    session.commit()


@pytest.fixture
def console_client(
    app: FastAPI, session: Session, headers: dict[str, str]
) -> Iterator[ConsoleClient]:
    """``console_client("editor")``: a new browser signed in as a member with that role of
    ``wmde`` (``headers`` made the issuer). ``role=None``: signed in, member of nothing."""
    stack = ExitStack()

    def make(role: str | None = "owner", handle: str | None = None) -> TestClient:
        handle = handle or f"{role or 'nobody'}-{len(stack._exit_callbacks)}"
        email = f"{handle}@example.org"
        client = stack.enter_context(TestClient(app, raise_server_exceptions=False))
        if role is not None:
            add_member(session, email, role)
        sign_in_as(client, session, email, handle)
        return client

    with stack:
        yield make


def csrf_of(client: TestClient, path: str) -> str:
    """The CSRF token in the forms of the page at ``path``."""
    page = client.get(path, headers=HTML).text
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, page
    return match.group(1)
