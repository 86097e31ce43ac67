"""The real app over real databases, each built by running the Alembic migrations.

Every test here runs once on SQLite and once on PostgreSQL (``[sqlite]``/``[postgresql]`` in
its id), except those marked ``database_independent`` (SQLite only). PostgreSQL tests use a
fresh database per run, created on the server named by
``BADGESERVICE_TEST_POSTGRES_URL`` (default: the local ``test`` database's server).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from badgeservice.app import create_app
from badgeservice.clock import FixedClock, SystemClock
from badgeservice.db.base import Base
from badgeservice.db.engine import make_engine, make_session_factory, normalize_database_url
from badgeservice.db.migrations import upgrade
from badgeservice.settings import Settings
from tests.campaign_events_server import CampaignEventsWiki, running_wiki
from tests.conftest import require
from tests.factories import (
    ACHIEVEMENT,
    ISSUER_API,
    TEST_SECRET_KEY,
    bearer,
    create_issuer,
    create_token,
)
from tests.oauth_provider import CLIENT_ID, OAuthProvider, running_provider
from tests.sqlite_writes import watch

POSTGRES_URL = os.environ.get(
    "BADGESERVICE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


def _postgres_admin_engine() -> Engine | None:
    engine = create_engine(normalize_database_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError:
        engine.dispose()
        return None
    return engine


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Engine]:
    engine = _postgres_admin_engine()
    require(engine is not None, f"PostgreSQL not reachable at {POSTGRES_URL}")
    assert engine is not None
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def new_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[object]:
    """A factory of empty databases of one backend: ``new_database(backend) -> url``."""
    created: list[tuple[Engine, str]] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            path = tmp_path_factory.mktemp("db") / f"{uuid.uuid4().hex[:8]}.db"
            return f"sqlite:///{path}"
        server: Engine = request.getfixturevalue("postgres_server")
        name = f"bs_test_{uuid.uuid4().hex[:12]}"
        with server.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        created.append((server, name))
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    for server, name in created:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked ``database_independent`` runs once, on SQLite: what it asserts (a PDF's
    text, an image's pixels) comes out the same whichever database stored the rows, and the
    storage it goes through is covered on both databases by the other tests."""
    once = [
        item
        for item in items
        if item.get_closest_marker("database_independent") is not None
        and getattr(item, "callspec", None) is not None
        and item.callspec.params.get("backend") == "postgresql"
    ]
    if once:
        config.hook.pytest_deselected(items=once)
        dropped = set(map(id, once))
        items[:] = [item for item in items if id(item) not in dropped]


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def database_url(backend: str, new_database: object) -> str:
    url = new_database(backend)  # type: ignore[operator]
    upgrade(url)
    return str(url)


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    keys_dir: Path = tmp_path_factory.mktemp("keys")
    return Settings(
        environment="test",
        database_url=database_url,
        keys_dir=keys_dir,
        secret_key=TEST_SECRET_KEY,
        embedded_worker=False,  # tests drive the worker themselves
        remote_trusted_origins=[],  # nothing local is fetched unless a test says so
        max_body_bytes=64 * 1024,
    )


# The app fixtures' watches (tests/sqlite_writes.py): what each test wrote in a DEFERRED
# transaction on SQLite, a write that fails at random under concurrency.
DEFERRED_WRITES: dict[str, list[str]] = {}


@pytest.fixture(autouse=True)
def no_write_in_a_deferred_transaction() -> Iterator[None]:
    for found in DEFERRED_WRITES.values():
        found.clear()
    yield
    written = [statement for found in DEFERRED_WRITES.values() for statement in found]
    assert written == [], "written in a DEFERRED SQLite transaction (it read first)"


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings, configure_logs=False)
    DEFERRED_WRITES["app"] = watch(application.state.engine)
    yield application
    application.state.engine.dispose()


# Far from the wall clock, so that a time read from anywhere else shows in the results.
FIXED_MOMENT = datetime(2031, 5, 17, 9, 30, 15, tzinfo=UTC)


@pytest.fixture
def clock(app: FastAPI) -> Iterator[FixedClock]:
    """The app's clock stopped at ``FIXED_MOMENT`` for this test (``set``/``advance`` move
    it); the wall clock again afterwards. A worker the test runs takes ``app.state.clock``."""
    fixed = FixedClock(FIXED_MOMENT)
    app.state.clock = fixed
    yield fixed
    app.state.clock = SystemClock()


@pytest.fixture(scope="session")
def test_engine(database_url: str) -> Iterator[Engine]:
    """The tests' own engine: on SQLite its reads do not take the write lock the app needs."""
    engine = make_engine(database_url, sqlite_immediate=False)
    yield engine
    engine.dispose()


@pytest.fixture
def session(app: FastAPI, test_engine: Engine) -> Iterator[Session]:
    """A session on the app's database; every table is emptied after the test."""
    db = make_session_factory(test_engine)()
    yield db
    db.rollback()
    for table in reversed(Base.metadata.sorted_tables):
        db.execute(table.delete())
    db.commit()
    db.close()


@pytest.fixture
def client(app: FastAPI, session: Session) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def headers(client: TestClient, session: Session) -> dict[str, str]:
    """A bearer token of the default issuer (``create_issuer``), with every issuer scope."""
    return bearer(create_token(session, create_issuer(session)))


@pytest.fixture
def achievement_id(client: TestClient, headers: dict[str, str]) -> str:
    """The id of ``ACHIEVEMENT``, defined through the API by the default issuer."""
    response = client.post(f"{ISSUER_API}/achievements", json=ACHIEVEMENT, headers=headers)
    return str(response.json()["id"])


# --- signing in: the local OAuth provider and an app configured for it ----------------------

SIGN_IN_BASE_URL = "http://localhost:8000"


@pytest.fixture(scope="session")
def oauth_server() -> Iterator[OAuthProvider]:
    with running_provider(SIGN_IN_BASE_URL + "/auth/wikimedia/callback") as provider:
        yield provider


@pytest.fixture
def oauth_provider(oauth_server: OAuthProvider) -> Iterator[OAuthProvider]:
    """The local Wikimedia OAuth provider, reset for each test: set ``oauth_provider.user``
    (``{"sub": …, "username": …}``, ``email`` for the private scope) before signing in."""
    oauth_server.reset()
    yield oauth_server
    oauth_server.reset()


@pytest.fixture(scope="session")
def sign_in_settings(settings: Settings, oauth_server: OAuthProvider) -> Settings:
    """``settings`` with Wikimedia sign-in pointed at the local provider and mail enabled (the
    outbox only: tests read the ``mail_messages`` rows)."""
    return settings.model_copy(
        update={
            "base_url": SIGN_IN_BASE_URL,
            "wikimedia_oauth_url": oauth_server.rest_url,
            "wikimedia_client_id": CLIENT_ID,
            "smtp_url": "smtp://localhost:1025",
            "sign_in_limit_per_ip": 8,
        }
    )


@pytest.fixture(scope="session")
def sign_in_app(sign_in_settings: Settings) -> Iterator[FastAPI]:
    application = create_app(sign_in_settings, configure_logs=False)
    DEFERRED_WRITES["sign_in_app"] = watch(application.state.engine)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def sign_in_client(sign_in_app: FastAPI, session: Session) -> Iterator[TestClient]:
    """A browser-like client of ``sign_in_app`` (cookies kept, redirects not followed)."""
    with TestClient(
        sign_in_app, raise_server_exceptions=False, follow_redirects=False
    ) as test_client:
        test_client.headers["Accept"] = "text/html"
        yield test_client


# --- on-wiki events: the local CampaignEvents stand-in ------------------------------------


@pytest.fixture(scope="session")
def events_wiki_server() -> Iterator[CampaignEventsWiki]:
    with running_wiki() as wiki:
        yield wiki


@pytest.fixture
def events_wiki(
    app: FastAPI, events_wiki_server: CampaignEventsWiki
) -> Iterator[CampaignEventsWiki]:
    """The stand-in wiki, emptied for this test, with ``app`` reading events from it."""
    events_wiki_server.reset()
    with point_at_wiki(app, events_wiki_server.rest_url):
        yield events_wiki_server
    events_wiki_server.reset()


@contextmanager
def point_at_wiki(app: FastAPI, rest_url: str) -> Iterator[None]:
    """``app`` reads events from ``rest_url`` until the block ends."""
    settings = app.state.settings
    app.state.settings = settings.model_copy(update={"campaignevents_url": rest_url})
    try:
        yield
    finally:
        app.state.settings = settings
