"""Sign in with Wikimedia against the local OAuth provider (tests/oauth_provider.py): the whole
flow through the app, renames, a username another account holds, and every bad input (each a
clear page, nothing half-stored)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.clock import SystemClock
from badgeservice.db.models import (
    Credential,
    OAuthState,
    RateLimitHit,
    RecipientClaim,
    User,
    UserIdentity,
    WebSession,
)
from badgeservice.services import web_sessions
from badgeservice.services.issuance import lookup_of
from badgeservice.settings import Settings
from badgeservice.web import auth_pages
from tests.factories import ISSUER_API
from tests.oauth_provider import OAuthProvider, path_of, s256, sign_in_with_wikimedia
from tests.server import free_port


def count(session: Session, model: type[Any]) -> int:
    session.rollback()  # a fresh snapshot (SQLite keeps a read transaction's view)
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def lookup(app: FastAPI, username: str) -> str:
    return lookup_of(app.state.key_store, "wikimedia_username", username)


def claims_of(session: Session, user_id: Any) -> set[str]:
    session.rollback()  # a fresh snapshot (SQLite keeps a read transaction's view)
    return set(
        session.scalars(select(RecipientClaim.lookup).where(RecipientClaim.user_id == user_id))
    )


def begin(client: TestClient) -> tuple[str, dict[str, list[str]]]:
    """Login: the authorize URL and its query."""
    login = client.get("/auth/wikimedia/login")
    assert login.status_code == 302, login.text
    location = login.headers["location"]
    return location, parse_qs(urlsplit(location).query)


def authorized(location: str) -> dict[str, str]:
    """The provider's answer: the callback's query (code and state, or error and state)."""
    answer = httpx.get(location, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    return {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}


def callback(client: TestClient, query: dict[str, str], **headers: str) -> httpx.Response:
    return client.get(f"/auth/wikimedia/callback?{urlencode(query)}", headers=headers)


@contextmanager
def settings_of(app: FastAPI, settings: Settings) -> Iterator[None]:
    """The app runs with ``settings`` inside the block."""
    kept = app.state.settings
    app.state.settings = settings
    try:
        yield
    finally:
        app.state.settings = kept


@pytest.fixture
def moved_clock(sign_in_app: FastAPI) -> Iterator[list[timedelta]]:
    """Moves the sign-in routes' clock: append a timedelta to shift now."""
    shift: list[timedelta] = []
    sign_in_app.dependency_overrides[auth_pages.current_time] = lambda: (
        SystemClock().now() + sum(shift, timedelta())
    )
    yield shift
    sign_in_app.dependency_overrides.clear()


def test_sign_ins_go_through_while_another_writer_keeps_committing(
    sign_in_client: TestClient, sign_in_app: FastAPI, oauth_provider: OAuthProvider
) -> None:
    """A batch worker or another request commits all the while: each step of the sign-in
    that writes waits its turn for the write lock. (On SQLite a unit of work that read first
    and writes later fails at once when another writer committed since its read.)"""
    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            with sign_in_app.state.session_factory() as other:
                other.add(RateLimitHit(bucket="another-writer", at=datetime.now(UTC)))
                other.commit()

    writer = threading.Thread(target=keep_writing, daemon=True)
    writer.start()
    try:
        for n in range(6):
            oauth_provider.user = {"sub": f"busy-{n}", "username": f"Busy {n}"}
            sign_in_client.cookies.clear()
            response = sign_in_with_wikimedia(sign_in_client, oauth_provider)
            assert response.status_code == 303, response.text
    finally:
        stop.set()
        writer.join(timeout=10)


def test_first_sign_in_creates_the_account_its_identity_and_claim(
    sign_in_client: TestClient,
    sign_in_app: FastAPI,
    oauth_provider: OAuthProvider,
    session: Session,
) -> None:
    oauth_provider.user = {"sub": "9001", "username": "Ada Lovelace"}
    location, query = begin(sign_in_client)
    assert location.startswith(oauth_provider.rest_url + "/oauth2/authorize?")
    assert query["code_challenge_method"] == ["S256"]
    assert query["scope"] == ["mwoauth-authonly"]
    assert query["redirect_uri"] == ["http://localhost:8000/auth/wikimedia/callback"]
    response = callback(sign_in_client, authorized(location))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/auth/sign-in"
    assert web_sessions.COOKIE_NAME in response.cookies

    user = session.scalars(select(User)).one()
    assert (user.display_name, user.handle, user.profile_public) == (
        "Ada Lovelace",
        "ada-lovelace",
        False,
    )
    identity = session.scalars(select(UserIdentity)).one()
    assert (identity.kind, identity.subject, identity.username) == (
        "wikimedia",
        "9001",
        "Ada Lovelace",
    )
    assert claims_of(session, user.id) == {lookup(sign_in_app, "Ada Lovelace")}
    assert count(session, OAuthState) == 0  # the state is used up
    page = sign_in_client.get("/auth/sign-in")
    assert "Ada Lovelace" in page.text
    assert 'action="/auth/logout"' in page.text
    agents = {agent for path, agent in oauth_provider.requests if "oauth2/" in path}
    token_agents = [
        a for p, a in oauth_provider.requests if p.endswith(("access_token", "profile"))
    ]
    assert len(token_agents) == 2
    assert all(
        a.startswith("badgeservice/") and "(http://localhost:8000)" in a for a in token_agents
    )
    assert agents


def test_the_verifier_never_leaves_the_server_and_matches_the_challenge(
    sign_in_client: TestClient, oauth_provider: OAuthProvider, session: Session
) -> None:
    location, query = begin(sign_in_client)
    row = session.scalars(select(OAuthState)).one()
    assert s256(row.code_verifier) == query["code_challenge"][0]
    assert row.code_verifier not in location
    assert query["state"][0] != row.state_hash  # only a hash of the state is kept


def test_credentials_issued_to_the_username_before_are_the_learners(
    client: TestClient,
    headers: dict[str, str],
    achievement_id: str,
    sign_in_client: TestClient,
    oauth_provider: OAuthProvider,
    session: Session,
) -> None:
    body = {"achievementId": achievement_id, "recipient": {"wikimediaUsername": "ada_Lovelace"}}
    issued = client.post(f"{ISSUER_API}/credentials", json=body, headers=headers)
    assert issued.status_code == 201, issued.text
    oauth_provider.user = {"sub": "77", "username": "Ada Lovelace"}
    assert sign_in_with_wikimedia(sign_in_client, oauth_provider).status_code == 303
    user = session.scalars(select(User)).one()
    stored = session.get_one(Credential, uuid.UUID(issued.json()["id"]))
    assert stored.recipient_lookup in claims_of(session, user.id)


def test_a_rename_keeps_the_account_and_adds_a_claim(
    sign_in_app: FastAPI,
    oauth_provider: OAuthProvider,
    session: Session,
) -> None:
    oauth_provider.user = {"sub": "42", "username": "Ada Lovelace"}
    with TestClient(sign_in_app, follow_redirects=False) as first:
        assert sign_in_with_wikimedia(first, oauth_provider).status_code == 303
    oauth_provider.user = {"sub": "42", "username": "Ada King"}
    with TestClient(sign_in_app, follow_redirects=False) as second:
        assert sign_in_with_wikimedia(second, oauth_provider).status_code == 303
    user = session.scalars(select(User)).one()
    identity = session.scalars(select(UserIdentity)).one()
    assert identity.username == "Ada King"
    assert claims_of(session, user.id) == {
        lookup(sign_in_app, "Ada Lovelace"),
        lookup(sign_in_app, "Ada King"),
    }
    assert count(session, WebSession) == 2


def test_a_username_claimed_by_another_account_stays_with_it(
    sign_in_app: FastAPI, oauth_provider: OAuthProvider, session: Session
) -> None:
    """Account 1 was "Ada", was renamed "Ada2"; account 2 then took the name "Ada". What was
    issued to "Ada" stays account 1's (DESIGN.md §12); account 2 signs in without the claim."""
    for user in ({"sub": "1", "username": "Ada"}, {"sub": "1", "username": "Ada2"}):
        oauth_provider.user = user
        with TestClient(sign_in_app, follow_redirects=False) as browser:
            assert sign_in_with_wikimedia(browser, oauth_provider).status_code == 303
    oauth_provider.user = {"sub": "2", "username": "Ada"}
    with TestClient(sign_in_app, follow_redirects=False) as browser:
        assert sign_in_with_wikimedia(browser, oauth_provider).status_code == 303
    first = session.scalars(select(UserIdentity).where(UserIdentity.subject == "1")).one()
    second = session.scalars(select(UserIdentity).where(UserIdentity.subject == "2")).one()
    assert claims_of(session, first.user_id) == {
        lookup(sign_in_app, "Ada"),
        lookup(sign_in_app, "Ada2"),
    }
    assert claims_of(session, second.user_id) == set()
    handles = set(session.scalars(select(User.handle)))
    assert handles == {"ada", "ada-2"}


def test_the_private_scope_records_the_confirmed_email(
    sign_in_app: FastAPI,
    sign_in_client: TestClient,
    sign_in_settings: Settings,
    oauth_provider: OAuthProvider,
    session: Session,
) -> None:
    private = sign_in_settings.model_copy(update={"wikimedia_scope": "mwoauth-authonlyprivate"})
    oauth_provider.user = {"sub": "5", "username": "Grace", "email": "Grace@Example.org"}
    with settings_of(sign_in_app, private):
        assert sign_in_with_wikimedia(sign_in_client, oauth_provider).status_code == 303
    email = session.scalars(select(UserIdentity).where(UserIdentity.kind == "email")).one()
    assert email.email == "grace@example.org"
    user = session.scalars(select(User)).one()
    assert lookup_of(sign_in_app.state.key_store, "email", "grace@example.org") in claims_of(
        session, user.id
    )


def test_a_safe_next_path_is_followed_and_another_site_is_not(
    sign_in_client: TestClient, oauth_provider: OAuthProvider
) -> None:
    assert (
        sign_in_with_wikimedia(sign_in_client, oauth_provider, "/me").headers["location"] == "/me"
    )
    for unsafe in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        response = sign_in_with_wikimedia(sign_in_client, oauth_provider, unsafe)
        assert response.headers["location"] == "/auth/sign-in"


# --- bad input: a clear page, nothing stored --------------------------------------------------


def assert_nothing_stored(session: Session) -> None:
    assert count(session, User) == 0
    assert count(session, UserIdentity) == 0
    assert count(session, WebSession) == 0


@pytest.mark.parametrize(
    "tamper",
    [
        lambda q: q | {"state": q["state"][:-2] + "xx"},
        lambda q: {k: v for k, v in q.items() if k != "state"},
        lambda q: q | {"state": "x" * 500},
    ],
    ids=["changed", "missing", "huge"],
)
def test_a_tampered_state_is_refused(
    sign_in_client: TestClient, oauth_provider: OAuthProvider, session: Session, tamper: Any
) -> None:
    location, _ = begin(sign_in_client)
    response = callback(sign_in_client, tamper(authorized(location)))
    assert response.status_code == 400
    assert "This sign-in could not be completed" in response.text
    assert_nothing_stored(session)


def test_a_state_started_in_another_browser_is_refused(
    sign_in_app: FastAPI,
    sign_in_client: TestClient,
    oauth_provider: OAuthProvider,
    session: Session,
) -> None:
    """Login CSRF: a stranger's code and state sent to a visitor's browser sign no one in."""
    with TestClient(sign_in_app, follow_redirects=False) as stranger:
        location, _ = begin(stranger)
    response = callback(sign_in_client, authorized(location))
    assert response.status_code == 400
    assert_nothing_stored(session)


def test_a_replayed_callback_and_a_replayed_code_are_refused(
    sign_in_client: TestClient, oauth_provider: OAuthProvider, session: Session
) -> None:
    location, _ = begin(sign_in_client)
    answer = authorized(location)
    first = callback(sign_in_client, answer)
    assert first.status_code == 303
    # the same state again: the state is spent (and its cookie gone)
    cookie = f"{auth_pages.STATE_COOKIE}={answer['state']}"
    assert callback(sign_in_client, answer, Cookie=cookie).status_code == 400
    # the spent code with a fresh state: the provider refuses it
    location, query = begin(sign_in_client)
    replayed = callback(sign_in_client, {"code": answer["code"], "state": query["state"][0]})
    assert replayed.status_code == 400
    assert "Wikimedia did not accept this sign-in" in replayed.text
    assert count(session, WebSession) == 1


def test_an_expired_state_is_refused(
    sign_in_client: TestClient,
    oauth_provider: OAuthProvider,
    session: Session,
    moved_clock: list[timedelta],
) -> None:
    location, _ = begin(sign_in_client)
    answer = authorized(location)
    moved_clock.append(timedelta(minutes=10, seconds=1))
    response = callback(sign_in_client, answer)
    assert response.status_code == 400
    assert "10 minutes" in response.text
    assert_nothing_stored(session)


def test_a_callback_with_an_error_is_a_page_in_the_visitors_language(
    sign_in_client: TestClient, oauth_provider: OAuthProvider, session: Session
) -> None:
    oauth_provider.deny = True
    location, _ = begin(sign_in_client)
    answer = authorized(location)
    assert answer["error"] == "access_denied"
    response = callback(sign_in_client, answer, **{"Accept-Language": "ja"})
    assert response.status_code == 400
    assert '<html lang="ja"' in response.text
    assert "サインインは取り消されました" in response.text
    assert_nothing_stored(session)


@pytest.mark.parametrize(
    "break_provider",
    [
        lambda p: setattr(p, "token_status", 500),
        lambda p: setattr(p, "profile_status", 500),
        lambda p: setattr(p, "profile_override", {"username": "Ada"}),
        lambda p: setattr(p, "profile_override", {"sub": "1", "username": "Bad|Name"}),
    ],
    ids=["token-500", "profile-500", "no-sub", "bad-username"],
)
def test_a_provider_that_fails_is_a_502_page(
    sign_in_client: TestClient, oauth_provider: OAuthProvider, session: Session, break_provider: Any
) -> None:
    location, _ = begin(sign_in_client)
    answer = authorized(location)
    break_provider(oauth_provider)
    response = callback(sign_in_client, answer, **{"Accept-Language": "ar"})
    assert response.status_code == 502
    assert 'dir="rtl"' in response.text
    assert "تعذّر الوصول إلى ويكيميديا" in response.text
    assert_nothing_stored(session)


def test_a_provider_that_is_down_is_a_502_page(
    sign_in_app: FastAPI,
    sign_in_client: TestClient,
    sign_in_settings: Settings,
    oauth_provider: OAuthProvider,
    session: Session,
) -> None:
    location, _ = begin(sign_in_client)
    answer = authorized(location)
    closed = f"http://127.0.0.1:{free_port()}/w/rest.php"  # nothing listens there
    down = sign_in_settings.model_copy(update={"wikimedia_oauth_url": closed})
    with settings_of(sign_in_app, down):
        response = callback(sign_in_client, answer)
    assert response.status_code == 502
    assert "Nothing was changed" in response.text
    assert_nothing_stored(session)


def test_login_is_rate_limited_per_client_ip(
    sign_in_client: TestClient, sign_in_settings: Settings, session: Session
) -> None:
    for _ in range(sign_in_settings.sign_in_limit_per_ip):
        assert sign_in_client.get("/auth/wikimedia/login").status_code == 302
    refused = sign_in_client.get("/auth/wikimedia/login")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == str(sign_in_settings.sign_in_limit_window_seconds)
    assert "Too many attempts" in refused.text
    assert count(session, OAuthState) == sign_in_settings.sign_in_limit_per_ip


# --- signing out ------------------------------------------------------------------------------


def test_logout_needs_the_sessions_csrf_token(
    sign_in_client: TestClient, oauth_provider: OAuthProvider, session: Session
) -> None:
    assert sign_in_with_wikimedia(sign_in_client, oauth_provider).status_code == 303
    csrf = session.scalars(select(WebSession.csrf_token)).one()
    for forged in ({}, {"csrf_token": "wrong"}):
        refused = sign_in_client.post("/auth/logout", data=forged)
        assert refused.status_code == 403
        assert count(session, WebSession) == 1
    done = sign_in_client.post("/auth/logout", data={"csrf_token": csrf})
    assert done.status_code == 303
    assert count(session, WebSession) == 0
    page = sign_in_client.get("/auth/sign-in")
    assert 'id="wikimedia-sign-in"' in page.text
    assert "/auth/logout" not in page.text


# --- without a consumer ---------------------------------------------------------------------


def test_without_a_client_id_the_page_says_so_and_login_goes_back(client: TestClient) -> None:
    page = client.get("/auth/sign-in", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "Signing in with Wikimedia is not configured on this server." in page.text
    assert "Signing in by email is not available on this server" in page.text
    login = client.get("/auth/wikimedia/login", follow_redirects=False)
    assert login.status_code == 303
    assert login.headers["location"] == "/auth/sign-in"
    assert path_of("http://x/auth/sign-in?lang=ja") == "/auth/sign-in?lang=ja"
