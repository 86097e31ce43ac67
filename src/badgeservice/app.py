"""The composition root: ``create_app(settings)`` wires settings, database, API and pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from badgeservice import __version__
from badgeservice.api.routes import (
    achievements,
    batches,
    catalogue,
    clr,
    credentials,
    endorsements,
    events,
    frameworks,
    health,
    issuers,
    members,
    packs,
    skills_map,
    verify,
)
from badgeservice.clock import Clock, SystemClock
from badgeservice.db.engine import make_engine, make_session_factory
from badgeservice.db.migrations import head_revisions
from badgeservice.http.middleware import (
    BodySizeLimitMiddleware,
    InputGuardMiddleware,
    RequestContextMiddleware,
    SecurityHeadersMiddleware,
    refuse_bad_input,
)
from badgeservice.http.problems import install_problem_handlers
from badgeservice.logs import configure_logging
from badgeservice.remote import ProviderClient, RemoteFetcher
from badgeservice.services import wikimedia
from badgeservice.services.keystore import build_key_store
from badgeservice.settings import Settings, load_settings
from badgeservice.web import (
    backpack,
    catalogue_page,
    console,
    docs,
    downloads,
    email_sign_in,
    home,
    my_packs,
    profiles,
    sign_in,
    skills_map_page,
    verify_page,
)
from badgeservice.web import certificate as web_certificate
from badgeservice.web import credentials as web_credentials
from badgeservice.web import endorsements as web_endorsements
from badgeservice.web import packs as web_packs
from badgeservice.web import routes as web_routes
from badgeservice.web.console import common as console_common
from badgeservice.web.error_pages import install_error_pages
from badgeservice.worker import Worker, mail_sender

DESCRIPTION = """
Issue and verify **Open Badges 3.0** credentials.

Authenticate with `Authorization: Bearer <token>`: an *admin* token (`badgeservice tokens create
--admin`) manages issuers; an *issuer* token acts for one issuer within its scopes. Errors are
RFC 9457 `application/problem+json` documents with a stable `code`.
"""


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """In the embedded mode a batch worker runs in a thread of the server."""
    settings: Settings = app.state.settings
    embedded = settings.embedded_worker
    if embedded is None:
        embedded = settings.database_url.startswith("sqlite")
    worker = None
    if embedded:
        factory = app.state.session_factory
        mail = mail_sender(factory, settings, app.state.clock)
        worker = Worker(
            factory, settings.base_url, app.state.key_store, clock=app.state.clock, mail=mail
        )
        worker.start_thread()
    yield
    if worker is not None:
        worker.stop()


def add_component_schemas(app: FastAPI, models: tuple[type[BaseModel], ...]) -> None:
    """Lists ``models`` under ``components/schemas`` of the OpenAPI document: routes that read
    their body themselves (JSON or CSV) refer to them there without FastAPI seeing them."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            _, definitions = models_json_schema(
                [(model, "validation") for model in models],
                ref_template="#/components/schemas/{model}",
            )
            known = schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in definitions.get("$defs", {}).items():
                known.setdefault(name, definition)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(
    settings: Settings | None = None, *, configure_logs: bool = True, clock: Clock | None = None
) -> FastAPI:
    """The app; ``clock`` (default: the wall clock) is the one its requests and its embedded
    worker read the time from (``http.deps.ClockDep``)."""
    settings = settings or load_settings()
    if configure_logs:
        configure_logging(settings.log_level, settings.log_format)
    app = FastAPI(
        lifespan=_lifespan,
        title="badgeservice",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # web/docs.py serves Swagger UI from our own files
        redoc_url=None,
        openapi_url=docs.OPENAPI_URL,
        dependencies=[Depends(refuse_bad_input)],  # before any other: see InputGuardMiddleware
    )
    engine = make_engine(
        settings.database_url,
        pool_size=settings.database_pool_size,
        busy_timeout=settings.database_busy_timeout,
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine)
    app.state.read_session_factory = make_session_factory(engine, for_reads=True)
    app.state.migration_heads = head_revisions(settings.migrations_dir)
    app.state.key_store = build_key_store(settings)
    app.state.remote = RemoteFetcher.from_settings(settings)
    app.state.provider_client = ProviderClient(
        user_agent=wikimedia.user_agent(settings), timeout=settings.remote_timeout
    )

    install_problem_handlers(app)
    install_error_pages(app)
    for error, handler in console_common.HANDLERS.items():
        app.add_exception_handler(error, handler)
    app.add_middleware(InputGuardMiddleware)  # inside the size cap: reads capped bodies only
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(RequestContextMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.include_router(health.router)
    app.include_router(issuers.router)
    app.include_router(members.router)
    app.include_router(skills_map.router)
    app.include_router(achievements.router)
    app.include_router(catalogue.router)
    app.include_router(credentials.router)
    app.include_router(batches.router)
    add_component_schemas(app, batches.COMPONENT_SCHEMAS)
    app.include_router(endorsements.router)
    app.include_router(clr.router)
    app.include_router(events.router)
    app.include_router(frameworks.router)
    app.include_router(packs.router)
    app.include_router(verify.router)
    app.include_router(web_routes.router)
    app.include_router(web_packs.router)
    # Before /credentials/{reference}: these own the .png, .svg and .pdf suffixes.
    app.include_router(downloads.router)
    app.include_router(web_certificate.router)
    app.include_router(web_credentials.router)
    app.include_router(web_endorsements.router)
    app.include_router(verify_page.router)
    app.include_router(catalogue_page.router)
    app.include_router(skills_map_page.router)
    app.include_router(home.router)
    app.include_router(backpack.router)
    app.include_router(my_packs.router)
    app.include_router(profiles.router)
    app.include_router(sign_in.router)
    app.include_router(email_sign_in.router)
    app.include_router(docs.router)
    for router in console.ROUTERS:
        app.include_router(router)
    app.mount(docs.SWAGGER_UI_URL, StaticFiles(directory=docs.SWAGGER_UI_DIR), name="swagger-ui")
    app.mount(docs.STATIC_URL, StaticFiles(directory=docs.STATIC_DIR), name="static")
    return app
