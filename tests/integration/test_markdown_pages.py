"""OB Markdown fields (description, criteria narrative, a subject's narrative) on the credential,
achievement and verify pages, and in the PDF certificate: structure kept, nothing unsafe."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from badgeservice.render.fonts import missing_fonts
from tests.conftest import require
from tests.factories import ACHIEVEMENT, bearer, create_issuer, create_token

API = "/api/v1/issuers/wmde"
DESCRIPTION = (
    "Steps:\n\n- Attend the **workshop**\n- Make [one edit](https://de.wikipedia.org/)\n\n"
    "Second line\nthird line <script>alert(1)</script> [bad](javascript:alert(1)) "
    "![tracker](https://tracker.example/t.png)"
)
NARRATIVE = "1. Attend\n2. Edit *one* article"


def expect_markdown(text: str) -> None:
    assert "<li>Attend the <strong>workshop</strong></li>" in text
    link = '<a href="https://de.wikipedia.org/" rel="nofollow noopener ugc">one edit</a>'
    assert f"<li>Make {link}</li>" in text
    assert "tracker</p>" in text  # the image's alternative text
    assert "Second line<br />\nthird line &lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<script>alert" not in text
    assert 'href="javascript:' not in text
    assert not re.search(r"<img[^>]*tracker\.example", text)


@pytest.fixture
def issued(client: TestClient, session: Session) -> dict[str, Any]:
    headers = bearer(create_token(session, create_issuer(session)))
    definition = ACHIEVEMENT | {
        "description": {"en": DESCRIPTION},
        "criteria": {"narrative": {"en": NARRATIVE}},
    }
    achievement = client.post(f"{API}/achievements", json=definition, headers=headers)
    assert achievement.status_code == 201, achievement.text
    body = {
        "achievementId": achievement.json()["id"],
        "recipient": {"email": "a@b.org", "name": "Ada"},
        "narrative": "Led the *second* session.\nThanks!",
    }
    response = client.post(f"{API}/credentials", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json()) | {"achievement": achievement.json()}


def page(client: TestClient, path: str) -> str:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.text
    return response.text


def test_credential_page_renders_markdown_safely(
    client: TestClient, issued: dict[str, Any]
) -> None:
    text = page(client, f"/credentials/{issued['id']}")
    expect_markdown(text)
    assert "<ol>\n<li>Attend</li>\n<li>Edit <em>one</em> article</li>\n</ol>" in text
    assert "<p>Led the <em>second</em> session.<br />\nThanks!</p>" in text


def test_achievement_page_renders_markdown_safely(
    client: TestClient, issued: dict[str, Any]
) -> None:
    text = page(client, f"/achievements/{issued['achievement']['id']}")
    expect_markdown(text)
    assert "<ol>\n<li>Attend</li>\n<li>Edit <em>one</em> article</li>\n</ol>" in text


def test_verify_page_renders_the_description_safely(
    client: TestClient, issued: dict[str, Any]
) -> None:
    response = client.post("/verify", data={"credential": json.dumps(issued["credential"])})
    assert response.status_code == 200, response.text
    expect_markdown(response.text)


def test_certificate_keeps_paragraphs_lines_and_list_items(
    client: TestClient, issued: dict[str, Any]
) -> None:
    require(not missing_fonts(), f"certificate fonts not installed: {missing_fonts()}")
    response = client.get(f"/credentials/{issued['id']}.pdf")
    assert response.status_code == 200, response.text
    lines = PdfReader(io.BytesIO(response.content)).pages[0].extract_text().splitlines()
    stripped = [line.strip() for line in lines]
    assert "Steps:" in stripped
    assert "• Attend the workshop" in stripped
    assert "• Make one edit" in stripped
    assert "Second line" in stripped
    assert any(line.startswith("third line <script>alert(1)</script>") for line in stripped)
    assert not any("**" in line or "](" in line.replace("[bad](javascript", "") for line in lines)
