"""The learning packs API: CRUD with revisions, validation errors as problem+json, a person's
progress (issuer-side), the revocation report, and a batch re-run that never awards twice."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential
from badgeservice.worker import Worker
from tests.factories import ACHIEVEMENT, bearer, create_issuer, create_token

API = "/api/v1/issuers/wmde"


def _achievement(client: TestClient, headers: dict[str, str], name: str) -> str:
    body = ACHIEVEMENT | {"name": {"en": name}, "description": {"en": f"About {name}."}}
    response = client.post(f"{API}/achievements", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _body(steps: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "slug": "basics",
        "name": {"en": "Editing basics", "de": "Grundlagen"},
        "description": {"en": "Start here."},
        "audience": "newcomer",
        "steps": steps,
    } | extra


def test_crud_with_revisions_and_problems(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    edit, cite, award = (_achievement(client, headers, n) for n in ("Edit", "Cite", "Pack"))
    video = {
        "kind": "activity",
        "url": "https://example.org/video",
        "title": {"en": "Watch"},
        "resources": [{"url": "https://meta.wikimedia.org/wiki/Help", "title": {"en": "Help"}}],
    }
    steps = [{"kind": "achievement", "achievementId": edit}, video]
    created = client.post(f"{API}/packs", json=_body(steps, achievementId=award), headers=headers)
    assert created.status_code == 201, created.text
    pack = created.json()
    assert created.headers["location"] == f"{API}/packs/basics"
    assert (pack["revision"], pack["achievementId"], pack["steps"][1]["required"]) == (
        1,
        award,
        False,
    )
    assert pack["steps"][1]["resources"][0]["title"] == {"en": "Help"}

    again = client.post(f"{API}/packs", json=_body(steps), headers=headers)
    assert (again.status_code, again.json()["code"]) == (409, "pack_slug_taken")

    outer = _body([{"kind": "pack", "packSlug": "basics"}], slug="outer")
    assert client.post(f"{API}/packs", json=outer, headers=headers).status_code == 201
    cycle = {"steps": [{"kind": "pack", "packSlug": "outer"}]}
    refused = client.patch(f"{API}/packs/basics", json=cycle, headers=headers)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["pointer"] == "/body/steps"

    group = {
        "groups": [{"key": "pick", "required": 1}],
        "steps": [
            {"kind": "achievement", "achievementId": edit, "group": "pick"},
            {"kind": "achievement", "achievementId": cite, "group": "pick"},
        ],
    }
    changed = client.patch(f"{API}/packs/basics", json=group, headers=headers)
    assert changed.status_code == 200, changed.text
    assert changed.json()["revision"] == 2
    same = client.patch(f"{API}/packs/basics", json=group, headers=headers)
    assert same.json()["revision"] == 2

    listed = client.get(f"{API}/packs", headers=headers).json()
    assert [p["slug"] for p in listed["items"]] == ["basics", "outer"]
    in_use = client.delete(f"{API}/packs/basics", headers=headers)
    assert (in_use.status_code, in_use.json()["code"]) == (409, "pack_in_use")
    assert client.delete(f"{API}/packs/outer", headers=headers).status_code == 204
    assert client.get(f"{API}/packs/outer", headers=headers).status_code == 404


def test_bad_bodies_are_problems_with_pointers(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    stranger = str(uuid.uuid4())
    cases: list[tuple[dict[str, Any], str]] = [
        (_body([{"kind": "achievement"}]), "/body/steps/0"),
        (
            _body([{"kind": "achievement", "achievementId": stranger}]),
            "/body/steps/0/achievementId",
        ),
        (_body([{"kind": "pack", "packSlug": "nowhere"}]), "/body/steps/0/packSlug"),
        (
            _body([{"kind": "activity", "url": "https://example.org", "title": {"en": "x"}}]),
            "/body/steps",
        ),
        (
            _body(
                [{"kind": "achievement", "achievementId": stranger, "group": "g"}],
                groups=[{"key": "g", "required": 0}],
            ),
            "/body/groups/0/required",
        ),
        (_body([], audience="everyone"), "/body/audience"),
        (_body([{"kind": "video"}]), "/body/steps/0/kind"),
    ]
    for body, pointer in cases:
        response = client.post(f"{API}/packs", json=body, headers=headers)
        assert response.status_code == 422, (body, response.text)
        pointers = [e["pointer"] for e in response.json()["errors"]]
        assert any(p.startswith(pointer) for p in pointers), (pointer, pointers)
    reader = bearer(create_token(session, create_issuer(session, slug="other"), name="other"))
    assert client.post(f"{API}/packs", json=cases[0][0], headers=reader).status_code == 404


def test_progress_report_and_batch_rerun(
    app: FastAPI, client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    edit, cite, award = (_achievement(client, headers, n) for n in ("Edit", "Cite", "Pack"))
    steps = [
        {"kind": "achievement", "achievementId": edit},
        {"kind": "achievement", "achievementId": cite},
    ]
    body = _body(steps, achievementId=award)
    assert client.post(f"{API}/packs", json=body, headers=headers).status_code == 201
    progress_url = f"{API}/packs/basics/progress"
    query = {"recipient": "Ada@Example.org"}
    before = client.get(progress_url, params=query, headers=headers).json()
    assert (before["complete"], [s["done"] for s in before["steps"]]) == (False, [False, False])

    one = {"achievementId": edit, "recipient": {"email": "ada@example.org"}}
    client.post(f"{API}/credentials", json=one, headers=headers).raise_for_status()
    batch = {"achievementId": cite, "recipients": [{"recipient": {"email": "ada@example.org"}}]}
    settings = app.state.settings
    run = Worker(
        app.state.session_factory, settings.base_url, app.state.key_store, clock=app.state.clock
    )
    for _rerun in range(2):  # the same batch imported twice
        assert client.post(f"{API}/batches", json=batch, headers=headers).status_code == 202
        assert run.run(until_idle=True) == 1
    session.rollback()
    pack_credentials = select(func.count()).where(Credential.achievement_id == uuid.UUID(award))
    assert session.scalar(pack_credentials.select_from(Credential)) == 1

    after = client.get(progress_url, params=query, headers=headers).json()
    assert after["complete"] is True
    assert after["award"]["credential"].startswith("http")
    bad = client.get(progress_url, params={"recipient": "not an email"}, headers=headers)
    assert bad.status_code == 422

    assert client.get(f"{API}/packs/basics/report", headers=headers).json()["items"] == []
    held = client.get(f"{API}/credentials", params={"achievementId": edit}, headers=headers)
    step_id = held.json()["items"][0]["id"]
    client.post(f"{API}/credentials/{step_id}/revoke", headers=headers).raise_for_status()
    report = client.get(f"{API}/packs/basics/report", headers=headers).json()["items"]
    assert len(report) == 1
    assert report[0]["inactiveSteps"][0].endswith(step_id)
    still = client.get(progress_url, params=query, headers=headers).json()
    assert still["complete"] is False
    assert still["award"] is not None


def test_public_pack_page_in_the_visitors_language(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    edit = _achievement(client, headers, "Edit")
    steps = [
        {"kind": "achievement", "achievementId": edit},
        {
            "kind": "activity",
            "url": "https://example.org/video",
            "title": {"en": "Watch the video", "de": "Das Video ansehen"},
            "resources": [{"url": "https://example.org/help", "title": {"en": "Help"}}],
        },
    ]
    body = _body(steps, description={"en": "Start here.", "de": "Hier anfangen."})
    assert client.post(f"{API}/packs", json=body, headers=headers).status_code == 201
    page = client.get("/issuers/wmde/packs/basics", headers={"Accept-Language": "de"})
    assert page.status_code == 200
    html = page.text
    assert "Grundlagen" in html
    assert "Hier anfangen." in html
    assert "Das Video ansehen" in html
    assert 'href="https://example.org/help" lang="en"' in html
    assert "ada@example.org" not in html
    assert client.get("/issuers/wmde/packs/nothing").status_code == 404
    public = client.get("/issuers/wmde/packs/basics", headers={"Accept": "application/json"})
    assert public.status_code == 200
    assert public.headers["content-type"] == "application/json"
    assert "public" in public.headers["cache-control"]
    document = public.json()
    assert (document["issuer"], document["slug"], document["revision"]) == ("wmde", "basics", 1)
    assert [s["kind"] for s in document["steps"]] == ["achievement", "activity"]
    assert document["steps"][0]["achievementId"] == edit
