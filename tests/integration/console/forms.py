"""Posting console forms in tests: with the browser's own CSRF token, whatever the role (a
viewer's pages may have no form to read the token from)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.clock import SystemClock
from badgeservice.services import web_sessions
from tests.integration.console.conftest import HTML


def session_csrf(session: Session, client: TestClient) -> str:
    """The CSRF token of the session ``client`` is signed in with."""
    session.rollback()
    found = web_sessions.find(
        session, client.cookies.get(web_sessions.COOKIE_NAME), SystemClock().now()
    )
    assert found is not None
    return found[0].csrf_token


def post_form(
    session: Session, client: TestClient, path: str, data: dict[str, str], **kwargs: Any
) -> httpx.Response:
    """POST ``data`` with the session's CSRF token, as a browser would (no redirects)."""
    form = {"csrf": session_csrf(session, client)} | data
    return client.post(path, data=form, headers=HTML, follow_redirects=False, **kwargs)
