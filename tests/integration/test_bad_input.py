"""Inputs that used to end in a 500 are refused with a clear 4xx problem (both databases)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import Request
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.app import create_app
from badgeservice.clock import FixedClock
from badgeservice.errors import ServiceError
from badgeservice.settings import Settings
from badgeservice.web import i18n
from tests.factories import ISSUER_API, bearer, create_token, issue_over_api

HUGE = str(2**64)
PROBLEM = "application/problem+json"
PJSON = "application/json"


def problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def pointers(body: dict[str, Any]) -> list[str]:
    return [error["pointer"] for error in body.get("errors", [])]


def deep_json(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/issuers",
        f"{ISSUER_API}/achievements",
        f"{ISSUER_API}/credentials",
        f"{ISSUER_API}/endorsements",
        f"{ISSUER_API}/audit",
    ],
)
@pytest.mark.parametrize("value", [HUGE, "-" + HUGE, "9223372036854775808"])
def test_offset_beyond_64_bits_is_422(
    client: TestClient, session: Session, headers: dict[str, str], path: str, value: str
) -> None:
    auth = bearer(create_token(session)) if path == "/api/v1/issuers" else headers
    body = problem(client.get(path, params={"offset": value}, headers=auth), 422)
    assert pointers(body) == ["/query/offset"]
    body = problem(client.get(path, params={"limit": value}, headers=auth), 422)
    assert pointers(body) == ["/query/limit"]


def test_batch_rows_offset_beyond_64_bits_is_422(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    rows = {"achievementId": achievement_id, "recipients": [{"recipient": {"did": "did:x:y"}}]}
    created = client.post(f"{ISSUER_API}/batches", json=rows, headers=headers)
    assert created.status_code == 202, created.text
    url = f"{ISSUER_API}/batches/{created.json()['id']}"
    body = problem(client.get(url, params={"offset": HUGE}, headers=headers), 422)
    assert pointers(body) == ["/query/offset"]


def test_issued_filters_take_a_date_as_that_utc_day(
    client: TestClient, headers: dict[str, str], achievement_id: str, clock: FixedClock
) -> None:
    url = f"{ISSUER_API}/credentials"
    moments = {
        "before": datetime(2026, 3, 9, 23, 59, 59, tzinfo=UTC),
        "first": datetime(2026, 3, 10, 0, 0, 0, tzinfo=UTC),
        "last": datetime(2026, 3, 10, 23, 59, 59, tzinfo=UTC),
        "after": datetime(2026, 3, 11, 0, 0, 0, tzinfo=UTC),
    }
    ids = {}
    for name, moment in moments.items():
        clock.set(moment)
        ids[name] = issue_over_api(client, headers, achievement_id)["id"]

    def listed(**params: str) -> set[str]:
        response = client.get(url, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    day = {ids["first"], ids["last"]}
    assert listed(issuedFrom="2026-03-10", issuedTo="2026-03-10") == day
    assert listed(issuedFrom="2026-03-10") == day | {ids["after"]}
    assert listed(issuedTo="2026-03-10") == day | {ids["before"]}
    # A datetime bound keeps its meaning: from inclusive, to exclusive.
    assert listed(issuedTo="2026-03-10T23:59:59Z") == {ids["before"], ids["first"]}
    assert listed(issuedFrom="2026-03-10T01:59:59+02:00", issuedTo="2026-03-10") == day | {
        ids["before"]
    }
    # The last day there is: its end is past every stored moment, no overflow.
    assert listed(issuedTo="9999-12-31") == set(ids.values())
    assert listed(issuedFrom="0001-01-01") == set(ids.values())


@pytest.mark.parametrize("name", ["issuedFrom", "issuedTo"])
@pytest.mark.parametrize(
    "value",
    [
        "2026-03-10T12:00:00",  # naive
        "2026-03-10 12:00",
        "2026-02-30",  # no such day
        "0001-01-01T00:00:00+14:00",  # year 0 in UTC
        "9999-12-31T23:00:00-01:00",  # year 10000 in UTC
        "99999-01-01",
    ],
)
def test_issued_filters_refuse_naive_and_unrepresentable_datetimes(
    client: TestClient, headers: dict[str, str], name: str, value: str
) -> None:
    response = client.get(f"{ISSUER_API}/credentials", params={name: value}, headers=headers)
    assert pointers(problem(response, 422)) == [f"/query/{name}"]


def test_token_expiry_takes_a_date_and_refuses_naive(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    admin = bearer(create_token(session))
    url = f"{ISSUER_API}/tokens"
    made = client.post(url, json={"expiresAt": "2030-05-01"}, headers=admin)
    assert made.status_code == 201, made.text
    expires = datetime.fromisoformat(made.json()["expiresAt"].replace("Z", "+00:00"))
    assert expires == datetime(2030, 5, 1, tzinfo=UTC)
    for value in ("2030-05-01T10:00:00", "0001-01-01T00:00:00+14:00"):
        response = client.post(url, json={"expiresAt": value}, headers=admin)
        assert pointers(problem(response, 422)) == ["/body/expiresAt"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("validFrom", "0001-01-01T00:00:00+14:00"),
        ("validUntil", "9999-12-31T23:30:00-01:00"),
        ("validFrom", "2026-03-10T12:00:00"),
    ],
)
def test_issuing_refuses_unrepresentable_and_naive_dates(
    client: TestClient, headers: dict[str, str], achievement_id: str, field: str, value: str
) -> None:
    body = {"achievementId": achievement_id, "recipient": {"did": "did:x:y"}, field: value}
    response = client.post(f"{ISSUER_API}/credentials", json=body, headers=headers)
    assert pointers(problem(response, 422)) == [f"/body/{field}"]
    batch = {"achievementId": achievement_id, "recipients": [{}], field: value}
    response = client.post(f"{ISSUER_API}/batches", json=batch, headers=headers)
    assert pointers(problem(response, 422)) == [f"/body/{field}"]
    response = client.post(
        f"{ISSUER_API}/batches",
        params={"achievementId": achievement_id, field: value},
        content=b"did\ndid:x:y\n",
        headers=headers | {"Content-Type": "text/csv"},
    )
    assert problem(response, 422)["code"] == "validation_failed"


def test_issuing_at_the_edges_of_the_calendar(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    """The first and last representable moments are issued as four-digit years and verify."""
    edges = {"validFrom": "0001-01-01T00:00:00Z", "validUntil": "9999-12-31T23:59:59Z"}
    credential = issue_over_api(client, headers, achievement_id, **edges)["credential"]
    assert {name: credential[name] for name in edges} == edges
    report = client.post("/api/v1/verify", json=credential)
    assert report.status_code == 200, report.text
    assert report.json()["verified"] is True, report.text


@pytest.mark.parametrize(
    "path",
    [f"{ISSUER_API}/credentials", f"{ISSUER_API}/batches", f"{ISSUER_API}/achievements"],
)
def test_json_nested_deeper_than_64_is_refused(
    client: TestClient, headers: dict[str, str], path: str
) -> None:
    content = '{"recipients": ' + deep_json(1000) + "}"
    response = client.post(
        path, content=content, headers=headers | {"Content-Type": "application/json"}
    )
    body = problem(response, 422)
    assert body["errors"][0]["code"] == "json_too_deep"


def test_json_depth_64_is_still_read(client: TestClient, headers: dict[str, str]) -> None:
    """63 nested arrays inside the object: 64 levels, parsed and validated as usual."""
    content = '{"achievementId": "x", "recipients": ' + deep_json(63) + "}"
    response = client.post(
        f"{ISSUER_API}/batches",
        content=content,
        headers=headers | {"Content-Type": "application/json"},
    )
    assert "json_too_deep" not in response.text
    assert "/body/achievementId" in pointers(problem(response, 422))


def test_verify_refuses_deep_json(client: TestClient) -> None:
    response = client.post(
        "/api/v1/verify",
        content=deep_json(5000),
        headers={"Content-Type": "application/json"},
    )
    assert problem(response, 422)["errors"][0]["code"] == "json_too_deep"


@pytest.fixture
def roomy_client(settings: Settings, client: TestClient) -> Iterator[TestClient]:
    """The app with a 1 MiB body cap (the tests' app has 64 KiB)."""
    roomy = create_app(settings.model_copy(update={"max_body_bytes": 2**20}), configure_logs=False)
    with TestClient(roomy, raise_server_exceptions=False) as test_client:
        yield test_client
    roomy.state.engine.dispose()


def test_csv_field_over_128_kib_names_row_and_column(
    roomy_client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    narrative = "x" * (128 * 1024 + 1)
    content = f"email,narrative\na@example.org,short\nb@example.org,{narrative}\n"
    response = roomy_client.post(
        f"{ISSUER_API}/batches",
        params={"achievementId": achievement_id},
        content=content.encode(),
        headers=headers | {"Content-Type": "text/csv"},
    )
    body = problem(response, 422)
    assert pointers(body) == ["/body/2/narrative"]
    assert "row 2" in body["errors"][0]["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/issuers/a%00b",
        "/issuers/a%00b/did.json",
        "/api/v1/issuers/a%00b",
        f"{ISSUER_API}/achievements/a%00b",
        "/achievements/%00",
    ],
)
def test_nul_in_a_path_is_404(client: TestClient, headers: dict[str, str], path: str) -> None:
    assert problem(client.get(path, headers=headers), 404)["code"] == "not_found"


def test_nul_in_a_query_is_422(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get(
        f"{ISSUER_API}/credentials", params={"recipientEmail": "a\x00@b.org"}, headers=headers
    )
    assert pointers(problem(response, 422)) == ["/query/recipientEmail"]
    response = client.get("/achievements/x", params={"lang": "en\x00"})
    assert pointers(problem(response, 422)) == ["/query/lang"]


def test_nul_in_a_json_field_is_422(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    admin = bearer(create_token(session))
    body = {"slug": "nul", "name": "Bad\x00name"}
    response = client.post("/api/v1/issuers", json=body, headers=admin)
    assert pointers(problem(response, 422)) == ["/body/name"]
    patch = {"name": {"en": "x\u0000"}}
    response = client.post(f"{ISSUER_API}/achievements", json=patch, headers=headers)
    assert pointers(problem(response, 422)) == ["/body/name/en"]
    # An escaped backslash before "u0000" is not a NUL.
    response = client.post(
        "/api/v1/issuers", json={"slug": "ok", "name": "back\\u0000slash"}, headers=admin
    )
    assert response.status_code == 201, response.text
    assert response.json()["name"] == "back\\u0000slash"


def test_nul_in_a_csv_cell_is_422(
    client: TestClient, headers: dict[str, str], achievement_id: str
) -> None:
    response = client.post(
        f"{ISSUER_API}/batches",
        params={"achievementId": achievement_id},
        content=b"email,name\na@example.org,Ada\nb@example.org,Gr\x00ace\n",
        headers=headers | {"Content-Type": "text/csv"},
    )
    body = problem(response, 422)
    assert pointers(body) == ["/body/2/name"]
    response = client.post(
        f"{ISSUER_API}/batches",
        params={"achievementId": achievement_id},
        content=b"email,na\x00me\na@example.org,Ada\n",
        headers=headers | {"Content-Type": "text/csv"},
    )
    assert pointers(problem(response, 422)) == ["/body/0/2"]


def test_expired_token_dates_still_work(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    """A token that expired yesterday (given as a date) is refused as before."""
    admin = bearer(create_token(session))
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    made = client.post(f"{ISSUER_API}/tokens", json={"expiresAt": yesterday}, headers=admin)
    assert made.status_code == 201, made.text
    response = client.get(f"{ISSUER_API}/credentials", headers=bearer(made.json()["token"]))
    assert problem(response, 401)["code"] == "invalid_token"


def test_refusals_go_through_the_apps_error_handlers(
    settings: Settings, client: TestClient
) -> None:
    """A handler installed on the app (as the error pages are) answers the guard's refusals."""
    app = create_app(settings, configure_logs=False)
    seen: list[int] = []

    def handler(request: Request, exc: Exception) -> PlainTextResponse:
        assert isinstance(exc, ServiceError)
        seen.append(exc.status)
        return PlainTextResponse("handled", status_code=exc.status)

    app.add_exception_handler(ServiceError, handler)
    with TestClient(app, raise_server_exceptions=False) as own:
        assert own.get("/issuers/a%00b").text == "handled"
        assert own.get("/verify", params={"url": "\x00"}).text == "handled"
        deep = own.post("/api/v1/verify", content=deep_json(100), headers={"Content-Type": PJSON})
        assert deep.text == "handled"
    app.state.engine.dispose()
    assert seen == [404, 422, 422]


@pytest.mark.parametrize("language", ["de", "ja"])
def test_a_browser_gets_the_error_page_in_its_language(client: TestClient, language: str) -> None:
    """The guard's refusals reach the error pages: no API problem shown to a visitor."""
    browser = {"Accept": "text/html", "Accept-Language": language}
    for url, status, title in (
        ("/issuers/a%00b", 404, "Page not found"),
        ("/verify?url=%00", 422, "The request could not be read"),
    ):
        response = client.get(url, headers=browser)
        assert response.status_code == status
        assert response.headers["content-type"].startswith("text/html")
        assert f"<h1>{i18n.gettext(language, title)}</h1>" in response.text
