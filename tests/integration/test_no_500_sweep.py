"""A small fuzz over every operation of the OpenAPI document: NUL characters, integers beyond
64 bits, unrepresentable and zone-less dates, deep JSON, odd CSV, in every path parameter,
query parameter and body member we know of. Any answer is fine but a 500."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import ACHIEVEMENT, bearer, create_token, issue_over_api

BAD_TEXT = [
    "a\x00b",
    "\x00",
    str(2**64),
    str(-(2**63) - 1),
    "1e999",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2026-02-30",
    "2026-01-01",
    "2026-01-01T00:00:00",
    "",
    "x" * 3000,
    "%00",
    "\u202e\ufeff",
    "😀",
]
BAD_JSON: list[Any] = [
    *BAD_TEXT,
    2**64,
    -(2**64),
    1e308,
    -1,
    0,
    None,
    True,
    [],
    {},
    {"\x00": 1},
    json.loads("[" * 60 + "]" * 60),
]
# Members below the top level get fewer values: the rules are per type, not per place.
BAD_NESTED: list[Any] = [
    "a\x00b",
    2**64,
    "0001-01-01T00:00:00+14:00",
    "2026-01-01T00:00:00",
    None,
    json.loads("[" * 60 + "]" * 60),
]
BAD_BODIES = [
    "[" * 65 + "]" * 65,
    '{"a": ' + "[" * 1000 + "]" * 1000 + "}",
    '{"a": "\\u0000"}',
    str(2**64),
    '"text"',
    "[]",
    "{",
    "null",
]
BAD_CSV = [
    b"email,name\na@example.org,\x00\n",
    b"email\x00,name\na@example.org,x\n",
    b'email,name\n"a@example.org,x\n',
    b"email,name\n",
    b"\xef\xbb\xbfemail\r\na@example.org\r",
    b"email" + b",email" * 500 + b"\n" + b"a@example.org," * 501 + b"\n",
    b"did\n" + b"did:x:" + str(2**64).encode() + b"\n",
]
FORMS: list[dict[str, str]] = [
    {"credential": "[" * 900 + "]" * 900},
    {"credential": "{" + '"a":{' * 900 + "}" * 901},
    {"credential": "\x00"},
    {"credential": '{"@context": "\\u0000"}'},
    {"url": "\x00"},
    {"recipient": "\x00", "credential": "{}"},
    {"image": "\x00"},
]
ADMIN_ROUTES = {"/api/v1/issuers", "/api/v1/issuers/{slug}/tokens"}
_PARAM = re.compile(r"{(\w+)}")


def _valid_bodies(achievement_id: str) -> dict[tuple[str, str], Any]:
    recipient = {"email": "ada@example.org", "name": "Ada"}
    return {
        ("post", "/api/v1/issuers"): {"slug": "fuzz", "name": "Fuzz", "email": "a@example.org"},
        ("patch", "/api/v1/issuers/{slug}"): {"jwtAlgorithm": "ES256"},
        ("post", "/api/v1/issuers/{slug}/tokens"): {"name": "t", "expiresAt": "2030-01-01"},
        ("post", "/api/v1/issuers/{slug}/achievements"): ACHIEVEMENT,
        ("patch", "/api/v1/issuers/{slug}/achievements/{achievement_id}"): {"name": {"fr": "Nom"}},
        ("post", "/api/v1/issuers/{slug}/credentials"): {
            "achievementId": achievement_id,
            "recipient": recipient,
            "validFrom": "2026-01-01T00:00:00Z",
            "narrative": "Edits",
            "evidence": [{"id": "https://example.org/e", "name": "E"}],
        },
        ("post", "/api/v1/issuers/{slug}/batches"): {
            "achievementId": achievement_id,
            "validUntil": "2030-01-01T00:00:00Z",
            "recipients": [{"recipient": recipient}],
        },
        ("post", "/api/v1/issuers/{slug}/endorsements"): {
            "subject": {"achievementId": achievement_id},
            "comment": "Good",
            "validUntil": "2030-01-01",
        },
        ("post", "/api/v1/issuers/{slug}/packs"): {
            "slug": "basics",
            "name": {"en": "Basics"},
            "groups": [{"key": "g", "required": 1}],
            "steps": [
                {"kind": "achievement", "achievementId": achievement_id, "group": "g"},
                {"kind": "activity", "url": "https://example.org", "title": {"en": "Do"}},
            ],
        },
        ("patch", "/api/v1/issuers/{slug}/packs/{pack_slug}"): {
            "steps": [{"kind": "pack", "packSlug": "basics"}]
        },
        ("post", "/api/v1/verify"): {"credential": "x", "recipient": "a@example.org"},
    }


def _variants(value: Any, depth: int = 0) -> Iterator[Any]:
    """``value`` with one member (at most three levels down) replaced by each bad value."""
    members: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        members = list(value.items())
    elif isinstance(value, list):
        members = list(enumerate(value))
    for key, member in members:
        bad = BAD_JSON if depth == 0 else BAD_NESTED
        replacements = [*bad, *(_variants(member, depth + 1) if depth < 2 else [])]
        for replacement in replacements:
            copy: Any = dict(value) if isinstance(value, dict) else list(value)
            copy[key] = replacement
            yield copy


def _requests(
    doc: dict[str, Any], good: dict[str, str], bodies: dict[tuple[str, str], Any]
) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(path template, method, URL, request options) for every request of the sweep."""
    for template, operations in doc["paths"].items():
        for method, operation in operations.items():
            for url, options in _variants_of(template, method, operation, good, bodies):
                yield template, method, url, options


def _variants_of(
    template: str,
    method: str,
    operation: dict[str, Any],
    good: dict[str, str],
    bodies: dict[tuple[str, str], Any],
) -> Iterator[tuple[str, dict[str, Any]]]:
    def path(**bad: str) -> str:
        values = good | bad
        return _PARAM.sub(lambda m: values.get(m.group(1), str(uuid.UUID(int=0))), template)

    yield path(), {}
    for name in _PARAM.findall(template):
        for value in BAD_TEXT:
            yield path(**{name: quote(value, safe="")}), {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query":
            for value in BAD_TEXT:
                yield path(), {"params": {parameter["name"]: value}}
    content = operation.get("requestBody", {}).get("content", {})
    if any("json" in kind for kind in content):
        for text in BAD_BODIES:
            yield path(), {"content": text, "json_type": True}
        for body in _variants(bodies.get((method, template), {})):
            yield path(), {"json": body}
    if "text/csv" in content:
        for csv in BAD_CSV:
            yield path(), {"content": csv, "csv": True}
    if "multipart/form-data" in content or (template, method) == ("/verify", "post"):
        for form in FORMS:
            yield path(), {"data": form}
        yield path(), {"files": {"file": ("a.json", b"[" * 900 + b"]" * 900)}}


def test_no_operation_answers_500(
    client: TestClient, session: Session, headers: dict[str, str], achievement_id: str
) -> None:
    issued = issue_over_api(client, headers, achievement_id)
    admin = bearer(create_token(session))
    good = {
        "slug": "wmde",
        "achievement_id": achievement_id,
        "credential_id": issued["id"],
        "reference": issued["id"],
        "action": "revoke",
        "pack_slug": "basics",
    }
    bodies = _valid_bodies(achievement_id)
    failures = []
    count = 0
    doc = client.app.openapi()  # type: ignore[attr-defined]
    visited = set()
    for template, method, url, options in _requests(doc, good, bodies):
        visited.add(template)
        extra: dict[str, str] = {}
        if options.pop("json_type", False):
            extra["Content-Type"] = "application/json"
        if options.pop("csv", False):
            extra["Content-Type"] = "text/csv"
            options["params"] = {"achievementId": achievement_id}
        token = admin if template in ADMIN_ROUTES else headers
        response = client.request(method.upper(), url, headers=token | extra, **options)
        count += 1
        if response.status_code >= 500:
            failures.append((method, url, str(options)[:200], response.status_code))
    assert visited == set(doc["paths"])
    assert count > 1000
    assert not failures, "\n".join(map(str, failures))
