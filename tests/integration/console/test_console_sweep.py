"""Every console route, fed the mistakes and the garbage a browser can send: bad ids in the
path, every form field of its page with odd values, a file where text is expected. Signed in
as an owner (every check passes but the input), with the session's CSRF token. Any answer is
fine but a 500; GET pages leave every table as it was."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

import pytest
from babel.messages.pofile import read_po
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.base import Base
from badgeservice.web import console
from badgeservice.web.i18n import LOCALES_DIR as LOCALES
from tests.factories import issue_over_api
from tests.integration.console.conftest import HTML, ConsoleClient, csrf_of

BAD_VALUES = ["", "a\x00b", "x" * 5000, "-1", str(2**64), "2026-02-30", "😀", "\u202e", "=1+1"]
FIELD = re.compile(r'name="([^"]+)"')


def console_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every console route of ``app``: its routers (``web/console.ROUTERS``), which the app
    includes whole (FastAPI keeps included routers, not their routes, in ``app.routes``)."""
    routes = sorted(
        (method, route.path)
        for router in console.ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and route.path.startswith("/console")
        for method in route.methods
        if method in {"GET", "POST"}
    )
    assert len(routes) > 30, routes  # the sweep sweeps something
    served = TestClient(app).get("/console/wmde", headers=HTML, follow_redirects=False)
    assert served.status_code == 401  # and the app serves them
    return routes


def filled(path: str, ids: dict[str, str]) -> str:
    """The path with real ids where it has parameters (the slug is ``wmde``)."""
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), str(uuid.uuid4())), path)


def bad_paths(path: str, ids: dict[str, str]) -> list[str]:
    names = re.findall(r"\{(\w+)\}", path)
    return [
        re.sub(r"\{" + name + r"\}", value, filled(path.replace("{slug}", "wmde"), ids))
        for name in names
        if name != "slug"
        for value in ("not-an-id", "%00", "9" * 40)
    ]


def row_counts(session: Session) -> dict[str, int]:
    session.rollback()
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
    }


@pytest.fixture
def ids(client: TestClient, headers: dict[str, str], achievement_id: str) -> dict[str, Any]:
    issued = issue_over_api(client, headers, achievement_id)
    rows = {
        "achievementId": achievement_id,
        "recipients": [{"recipient": {"did": "did:example:1"}}],
    }
    batch = client.post("/api/v1/issuers/wmde/batches", json=rows, headers=headers)
    assert batch.status_code == 202, batch.text
    pack = {
        "slug": "basics",
        "name": {"en": "Basics"},
        "steps": [{"kind": "achievement", "achievementId": achievement_id}],
    }
    created = client.post("/api/v1/issuers/wmde/packs", json=pack, headers=headers)
    assert created.status_code == 201, created.text
    return {
        "batch_id": batch.json()["id"],
        "slug": "wmde",
        "achievement_id": achievement_id,
        "credential_id": issued["id"],
        "pack_slug": "basics",
        "action": "suspend",
    }


def test_no_console_get_answers_500_or_writes(
    app: FastAPI, console_client: ConsoleClient, session: Session, ids: dict[str, str]
) -> None:
    owner = console_client("owner")
    before = row_counts(session)
    for method, path in console_routes(app):
        if method != "GET":
            continue
        for url in [filled(path, ids), *bad_paths(path, ids)]:
            answer = owner.get(url, headers=HTML, params={"page": "-1", "q": "\x00"})
            assert answer.status_code < 500, (url, answer.status_code)
    assert row_counts(session) == before


@pytest.mark.database_independent
def test_no_console_form_answers_500_whatever_it_holds(
    app: FastAPI, console_client: ConsoleClient, ids: dict[str, str]
) -> None:
    owner = console_client("owner")
    pages = {path for method, path in console_routes(app) if method == "GET"}
    for method, path in console_routes(app):
        if method != "POST":
            continue
        url = filled(path, ids)
        page = next((p for p in sorted(pages, key=len, reverse=True) if url.startswith(
            filled(p, ids))), "/console/wmde")  # fmt: skip
        csrf = csrf_of(owner, filled(page, ids))
        names = set(FIELD.findall(owner.get(filled(page, ids), headers=HTML).text)) - {"csrf"}
        for value in BAD_VALUES:
            form = {name: value for name in names} | {"csrf": csrf}
            answer = owner.post(url, data=form, headers=HTML, follow_redirects=False)
            assert answer.status_code < 500, (url, value[:20], answer.status_code)
        files = {name: ("x.csv", b"\xff\xfe\x00garbage", "text/csv") for name in names}
        answer = owner.post(url, data={"csrf": csrf}, files=files or None, headers=HTML)
        assert answer.status_code < 500, (url, "files", answer.status_code)
        for bad in bad_paths(path, ids):
            answer = owner.post(bad, data={"csrf": csrf}, headers=HTML)
            assert answer.status_code < 500, (bad, answer.status_code)


@pytest.mark.database_independent
def test_every_console_post_refuses_a_viewer_and_a_missing_csrf_token(
    app: FastAPI, console_client: ConsoleClient, ids: dict[str, str]
) -> None:
    viewer, owner = console_client("viewer"), console_client("owner", handle="o2")
    csrf = csrf_of(viewer, "/console/wmde")
    for method, path in console_routes(app):
        if method != "POST":
            continue
        url = filled(path, ids)
        assert viewer.post(url, data={"csrf": csrf}, headers=HTML).status_code in {403, 404}, url
        assert owner.post(url, data={}, headers=HTML).status_code == 403, url


def english_messages() -> set[str]:
    """The pages' messages whose Japanese differs from the English (longer than a word)."""
    with (LOCALES / "ja" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="ja")
    return {
        str(m.id)
        for m in catalog
        if isinstance(m.id, str) and " " in m.id and "%" not in m.id and m.string != m.id
    }


@pytest.mark.database_independent
def test_no_console_page_in_japanese_shows_an_english_message(
    app: FastAPI, console_client: ConsoleClient, ids: dict[str, str]
) -> None:
    owner, english = console_client("owner"), english_messages()
    for method, path in console_routes(app):
        if method != "GET" or path.endswith(".csv"):
            continue
        page = owner.get(
            filled(path, ids), headers=HTML, params={"lang": "ja"}, follow_redirects=False
        )
        if page.status_code == 303:  # /console: straight to the only issuer
            continue
        assert page.status_code == 200, path
        text = html.unescape(page.text)
        assert [m for m in english if m in text] == [], path
