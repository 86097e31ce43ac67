"""The site around the pages: the home page, error pages for browsers (problem+json for API
clients), the security headers of every page, and /docs served from our own files with an
OpenAPI document whose references all resolve and whose prose is Markdown.

Pages that read no rows run once (``database_independent``); 404s that look a row up run on
both databases."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from badgeservice.web import i18n

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
NOT_FOUND = {
    "en": "Page not found",
    "de": "Seite nicht gefunden",
    "fr": "Page introuvable",
    "es": "Página no encontrada",
    "ar": "الصفحة غير موجودة",
    "ja": "ページが見つかりません",
}


def headline(html: str) -> str:
    found = re.search(r"<h1>(.*?)</h1>", html, re.S)
    assert found, html[:500]
    return found.group(1).strip()


@pytest.mark.database_independent
@pytest.mark.parametrize("language", sorted(i18n.LANGUAGES))
def test_home_page_says_what_this_is_and_links_verify_and_docs(
    client: TestClient, language: str
) -> None:
    response = client.get("/", headers={"Accept": BROWSER, "Accept-Language": language})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f'<html lang="{language}"' in response.text
    assert 'href="/verify"' in response.text
    assert 'href="/docs"' in response.text
    text = i18n.gettext(language, "Verify a credential")
    assert text in response.text


@pytest.mark.parametrize(("language", "title"), sorted(NOT_FOUND.items()))
@pytest.mark.parametrize(
    "path", ["/no-such-page", "/credentials/00000000-0000-4000-8000-000000000000"]
)
def test_browser_404_is_a_page_in_the_visitors_language(
    client: TestClient, path: str, language: str, title: str
) -> None:
    response = client.get(path, headers={"Accept": BROWSER, "Accept-Language": language})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert headline(response.text) == title
    assert response.headers["content-language"] == language


@pytest.mark.database_independent
def test_browser_405_is_a_page_that_keeps_the_allow_header(client: TestClient) -> None:
    response = client.delete("/verify", headers={"Accept": BROWSER, "Accept-Language": "fr"})
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("text/html")
    assert "GET" in response.headers["allow"]
    assert headline(response.text) == i18n.gettext("fr", "This page cannot do that")


@pytest.mark.database_independent
def test_browser_bad_request_is_a_page_without_the_english_detail(client: TestClient) -> None:
    response = client.get("/achievements/not-a-uuid", headers={"Accept": BROWSER})
    assert response.status_code == 422
    assert headline(response.text) == "The request could not be read"
    assert "valid uuid" not in response.text.lower()


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/no-such-page", "application/json"),
        ("/no-such-page", "*/*"),
        ("/no-such-page", "application/json, text/html;q=0.5"),
        ("/api/v1/no-such-route", BROWSER),
        ("/api/v1/issuers/nobody", BROWSER),
    ],
)
def test_api_clients_keep_problem_json(client: TestClient, path: str, accept: str) -> None:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code in (401, 404)
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] in ("not_found", "authentication_required")


def directives(policy: str) -> dict[str, str]:
    return dict([*d.strip().split(" ", 1), ""][:2] for d in policy.split(";") if d.strip())


@pytest.mark.database_independent
@pytest.mark.parametrize(
    ("path", "status"),
    [("/", 200), ("/verify", 200), ("/docs", 200), ("/no-such-page", 404)],
)
def test_every_page_carries_the_security_headers(
    client: TestClient, path: str, status: int
) -> None:
    response = client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == status
    policy = directives(response.headers["content-security-policy"])
    assert policy["default-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert "'unsafe-inline'" not in policy.get("script-src", "")
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"


@pytest.mark.database_independent
def test_pages_have_no_inline_script(client: TestClient) -> None:
    for path in ("/", "/verify", "/docs", "/no-such-page"):
        html = client.get(path, headers={"Accept": BROWSER}).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, (path, tag)
        assert all(
            not body.strip() for body in re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.S)
        )
        assert not re.search(r"\son[a-z]+=", html), path


@pytest.mark.database_independent
def test_docs_are_served_from_our_own_files(client: TestClient) -> None:
    html = client.get("/docs", headers={"Accept": BROWSER}).text
    assets = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html)
    assert len(assets) == 3
    for asset in assets:
        assert asset.startswith("/static/"), asset
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 100
    assert "https://" not in html


@pytest.fixture
def openapi(app: FastAPI) -> dict[str, Any]:
    return app.openapi()


def walk(node: Any, where: str = "#") -> Iterator[tuple[str, Any]]:
    yield where, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, f"{where}/{index}")


def resolve(document: dict[str, Any], reference: str) -> Any:
    assert reference.startswith("#/"), reference
    node: Any = document
    for part in reference[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        assert isinstance(node, dict), reference
        assert part in node, reference
        node = node[part]
    return node


@pytest.mark.database_independent
def test_every_openapi_reference_resolves(openapi: dict[str, Any]) -> None:
    references = [
        node["$ref"] for _, node in walk(openapi) if isinstance(node, dict) and "$ref" in node
    ]
    assert "#/components/schemas/BatchIn" in references
    for reference in references:
        resolve(openapi, reference)


@pytest.mark.database_independent
def test_openapi_prose_is_markdown(openapi: dict[str, Any]) -> None:
    rst = [where for where, node in walk(openapi) if isinstance(node, str) and "``" in node]
    assert rst == []
