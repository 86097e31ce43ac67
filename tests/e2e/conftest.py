"""End-to-end fixtures: the real server, Debian's Chromium driven by Playwright, axe-core.

Chromium comes from Debian's ``chromium`` package (``.ci/run`` installs it; Playwright never
downloads a browser). axe-core comes from the npm registry, installed once into ``.cache/``.
Screenshots are kept in ``test-artifacts/e2e/``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from badgeservice.clock import SystemClock
from badgeservice.db.engine import make_engine, make_session_factory
from badgeservice.db.models import User
from badgeservice.domain.recipient import normalize_email
from badgeservice.services import web_sessions
from badgeservice.services.keystore import build_key_store
from badgeservice.settings import Settings
from tests.accounts import add_email
from tests.conftest import REPO_ROOT, install_lock, require
from tests.factories import ACHIEVEMENT, make_png
from tests.server import Server, running_server

CHROMIUM = os.environ.get("BADGESERVICE_CHROMIUM", "/usr/bin/chromium")
AXE_VERSION = "4.14.1"
ARTIFACTS = REPO_ROOT / "test-artifacts" / "e2e"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    require(Path(CHROMIUM).is_file(), f"Chromium not found at {CHROMIUM} (Debian package chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1024, "height": 800}, accept_downloads=True)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's browser bundle, installed from the npm registry once per cache."""
    require(shutil.which("npm") is not None, "npm is needed to install axe-core")
    target = REPO_ROOT / ".cache" / f"axe-core-{AXE_VERSION}"
    bundle = target / "node_modules" / "axe-core" / "axe.min.js"
    with install_lock(target):
        if not bundle.is_file():
            _install_axe(target)
    return bundle.read_text()


def _install_axe(target: Path) -> None:
    subprocess.run(
        [
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(target),
            f"axe-core@{AXE_VERSION}",
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )


SERIOUS = {"serious", "critical"}
AXE_RUN = (
    "async () => await axe.run(document, "
    "{runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']})"
)


@pytest.fixture
def axe_context(browser: Any) -> Iterator[Any]:
    """A browser context for axe: its script tag is inline script, which our pages' CSP
    refuses, so this context bypasses the CSP (the other contexts keep it)."""
    context = browser.new_context(viewport={"width": 1024, "height": 800}, bypass_csp=True)
    yield context
    context.close()


def serious_violations(page: Any, axe_source: str) -> list[Any]:
    """axe-core's serious and critical findings on the page as it is now."""
    page.add_script_tag(content=axe_source)
    results = page.evaluate(AXE_RUN)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


def signed_in_cookie(server: Server, email: str, user: User) -> dict[str, Any]:
    """``user``, with ``email`` as its verified address, signed in on the running server by a
    session row (what the sign-in routes leave): the cookie for a browser context."""
    settings = Settings(
        database_url=server.env["BADGESERVICE_DATABASE_URL"],
        keys_dir=Path(server.env["BADGESERVICE_KEYS_DIR"]),
        base_url=server.base_url,
    )
    lookup = build_key_store(settings).lookup_hash(normalize_email(email))
    engine = make_engine(settings.database_url)
    with make_session_factory(engine)() as session:
        session.add(user)
        session.flush()
        now = SystemClock().now()
        add_email(session, user, email, lookup, now)
        secret, _row = web_sessions.start(session, user, now)
        session.commit()
    engine.dispose()
    return {"name": web_sessions.COOKIE_NAME, "value": secret, "url": server.base_url}


def arrive(page: Any, url: str, server: Server, **wait: Any) -> None:
    """Waits for ``page`` to reach ``url`` (``wait``: ``wait_for_url``'s options); when it does
    not, fails with where it stopped, what that page says and the server's last log lines (a
    flake explained, not guessed)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    try:
        page.wait_for_url(url, **wait)
    except PlaywrightTimeoutError:
        said = page.locator("body").inner_text()
        log = "\n".join(server.log[-20:])
        raise AssertionError(f"stopped at {page.url}:\n{said}\nserver log:\n{log}") from None


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A running server with an issuer, a multilingual achievement with a PNG image, and
    one credential issued to a named learner."""
    with running_server(tmp_path_factory.mktemp("e2e"), host="localhost") as server:
        yield _populate(server)


def _populate(server: Server) -> dict[str, Any]:
    admin = server.cli("tokens", "create", "--admin").strip().splitlines()[-1]
    client = httpx.Client(base_url=server.base_url, timeout=30)
    client.headers["Authorization"] = f"Bearer {admin}"
    client.post(
        "/api/v1/issuers",
        json={"slug": "wmde", "name": "Wikimedia Deutschland", "url": "https://www.wikimedia.de/"},
    ).raise_for_status()
    client.headers["Authorization"] = (
        "Bearer " + client.post("/api/v1/issuers/wmde/tokens", json={}).json()["token"]
    )
    names = ACHIEVEMENT["name"] | {"ja": "ウィキペディア編集入門", "ar": "أساسيات تحرير ويكيبيديا"}
    descriptions = ACHIEVEMENT["description"] | {
        "ja": "編集ワークショップを修了しました。",
        "ar": "أكمل ورشة التحرير.",
    }
    achievement = client.post(
        "/api/v1/issuers/wmde/achievements",
        json=ACHIEVEMENT | {"name": names, "description": descriptions},
    ).json()
    client.put(
        f"/api/v1/issuers/wmde/achievements/{achievement['id']}/image",
        content=make_png(64, 64),
        headers={"Content-Type": "image/png"},
    ).raise_for_status()
    issued = client.post(
        "/api/v1/issuers/wmde/credentials",
        json={
            "achievementId": achievement["id"],
            "recipient": {"email": "ada@example.org", "name": "Ada Lovelace"},
            "validUntil": "2031-06-30T00:00:00Z",
        },
    ).json()
    return {"server": server, "client": client, "achievement": achievement, "credential": issued}
