"""A GET never writes (DESIGN.md §5, §6): over a populated database, every read route, API and
pages, leaves every table exactly as it was, the status list a revocation just changed
included. So do the verification POSTs, which only read."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.orm import Session

from badgeservice import vc
from badgeservice.db.models import StatusList
from badgeservice.worker import Worker
from tests.campaign_events_server import CampaignEventsWiki
from tests.factories import (
    ACHIEVEMENT,
    BASE_URL,
    ISSUER_API,
    bearer,
    create_issuer,
    create_token,
    issue_over_api,
    make_png,
)

# The one column a GET may change, in a transaction of its own before the endpoint runs
# (DESIGN.md §5): a token's last use, at most once a minute. Excluded only while the GETs
# with a token run; the anonymous GETs are held to every column.
TOKEN_USE = ("api_tokens", "last_used_at")
# Read routes that are not in the OpenAPI document (pages, their downloads).
PAGES = {
    "/",
    "/docs",
    "/skills-map",
    "/skills-map.{extension}",
    "/issuers/{slug}/skills-map",
    "/issuers/{slug}/skills-map.{extension}",
}


def path_of(url: str) -> str:
    return urlsplit(url).path


def snapshot(engine: Engine, *, skip: tuple[str, str] | None = None) -> dict[str, list[Any]]:
    """Every row of every table of the database (alembic_version too), as the driver reads
    it, in a stable order."""
    tables = sorted(inspect(engine).get_table_names())
    rows: dict[str, list[Any]] = {}
    with engine.connect() as connection:
        for table in tables:
            result = connection.execute(text(f'SELECT * FROM "{table}"'))
            columns = list(result.keys())
            kept = [i for i, name in enumerate(columns) if (table, name) != skip]
            rows[table] = sorted(
                (tuple(row[i] for i in kept) for row in result), key=lambda row: repr(row)
            )
    return rows


class Populated:
    """An issuer with an achievement (with an image), credentials in every state (active,
    VC-JWT, revoked, suspended), a finished batch, an endorsement, and a status list re-signed
    last by a revocation."""

    def __init__(self, app: FastAPI, client: TestClient, session: Session) -> None:
        issuer = create_issuer(session)
        self.headers = bearer(create_token(session, issuer))
        self.admin = bearer(create_token(session, name="admin"))
        api = ISSUER_API
        self.achievement = client.post(
            f"{api}/achievements", json=ACHIEVEMENT, headers=self.headers
        ).json()
        achievement_id = self.achievement["id"]
        pack = {
            "slug": "basics",
            "name": {"en": "Basics"},
            "steps": [{"kind": "achievement", "achievementId": achievement_id}],
        }
        client.post(f"{api}/packs", json=pack, headers=self.headers).raise_for_status()
        self.image = client.put(
            f"{api}/achievements/{achievement_id}/image",
            content=make_png(),
            headers=self.headers | {"Content-Type": "image/png"},
        ).json()["image"]["url"]
        self.active = issue_over_api(client, self.headers, achievement_id)
        self.jwt = issue_over_api(client, self.headers, achievement_id, format="jwt")
        suspended = issue_over_api(client, self.headers, achievement_id, suspendable=True)
        revoked = issue_over_api(client, self.headers, achievement_id)
        recipients = [{"recipient": {"email": f"row{n}@example.org"}} for n in range(3)]
        body = {"achievementId": achievement_id, "recipients": recipients}
        self.batch = client.post(f"{api}/batches", json=body, headers=self.headers).json()
        Worker(app.state.session_factory, BASE_URL, app.state.key_store, clock=app.state.clock).run(
            until_idle=True
        )
        endorsement = {"subject": {"achievementId": achievement_id}, "comment": "Sound."}
        self.endorsement = client.post(
            f"{api}/endorsements", json=endorsement, headers=self.headers
        ).json()
        capacities = [{"id": 1, "skill_wikidata_item": "Q1", "labels": {"en": "Community"}}]
        client.post(
            "/api/v1/frameworks/capx/import", json=capacities, headers=self.admin
        ).raise_for_status()
        wanted = {"items": [{"framework": "capx", "code": "Q1"}]}
        client.put(f"{api}/wanted-skills", json=wanted, headers=self.headers).raise_for_status()
        credentials = f"{api}/credentials"
        post = client.post
        post(f"{credentials}/{suspended['id']}/suspend", headers=self.headers).raise_for_status()
        post(f"{credentials}/{revoked['id']}/revoke", headers=self.headers).raise_for_status()
        self.credentials = [self.active, self.jwt, suspended, revoked]
        self.status_lists = sorted(
            {
                entry["statusListCredential"]
                for credential in self.credentials
                for entry in entries(credential["credential"])
            }
        )

    def reads(self) -> list[tuple[str, str, dict[str, str]]]:
        """``(route template, URL, headers)`` of every read route, with real ids."""
        api, token = ISSUER_API, self.headers
        achievement, credential = self.achievement["id"], self.active["id"]
        jwt = self.jwt["id"]
        image = path_of(self.image)
        html, ld = {"Accept": "text/html"}, {"Accept": "application/ld+json"}
        reads = [
            ("/", "/", html),
            ("/docs", "/docs", html),
            ("/healthz", "/healthz", {}),
            ("/readyz", "/readyz", {}),
            ("/verify", f"/verify?url=http://localhost:8000/credentials/{credential}", html),
            ("/api/v1/issuers", "/api/v1/issuers", self.admin),
            ("/api/v1/issuers/{slug}", api, token),
            ("/api/v1/issuers/{slug}/tokens", f"{api}/tokens", token),
            ("/api/v1/issuers/{slug}/keys", f"{api}/keys", token),
            ("/api/v1/issuers/{slug}/audit", f"{api}/audit", token),
            ("/api/v1/issuers/{slug}/members", f"{api}/members", token),
            ("/api/v1/issuers/{slug}/achievements", f"{api}/achievements", token),
            (
                "/api/v1/issuers/{slug}/achievements/{achievement_id}",
                f"{api}/achievements/{achievement}",
                token,
            ),
            ("/api/v1/issuers/{slug}/credentials", f"{api}/credentials?state=revoked", token),
            (
                "/api/v1/issuers/{slug}/credentials/{credential_id}",
                f"{api}/credentials/{credential}",
                token,
            ),
            ("/api/v1/issuers/{slug}/batches", f"{api}/batches", token),
            (
                "/api/v1/issuers/{slug}/batches/{batch_id}",
                path_of(self.batch["url"]),
                token,
            ),
            (
                "/api/v1/issuers/{slug}/batches/{batch_id}/results.csv",
                path_of(self.batch["url"]) + "/results.csv",
                token,
            ),
            ("/api/v1/issuers/{slug}/endorsements", f"{api}/endorsements", token),
            ("/api/v1/issuers/{slug}/skills-map", f"{api}/skills-map", {}),
            ("/api/v1/issuers/{slug}/wanted-skills", f"{api}/wanted-skills", token),
            ("/api/v1/skills-map", "/api/v1/skills-map", {}),
            (  # read from the stand-in wiki (``events_wiki``)
                "/api/v1/issuers/{slug}/events/{event_id}/participants",
                f"{api}/events/7/participants",
                token,
            ),
            (
                "/api/v1/issuers/{slug}/endorsements/{endorsement_id}",
                f"{api}/endorsements/{self.endorsement['id']}",
                token,
            ),
            ("/api/v1/catalogue", "/api/v1/catalogue?q=editing&lang=de", {}),
            ("/api/v1/catalogue/packs", "/api/v1/catalogue/packs?q=basics", {}),
            ("/catalogue", "/catalogue?q=editing&page=1", html),
            ("/skills-map", "/skills-map?lang=ar", html),
            ("/skills-map.{extension}", "/skills-map.csv", {}),
            ("/skills-map.{extension}", "/skills-map.json", {}),
            ("/issuers/{slug}/skills-map", "/issuers/wmde/skills-map", html),
            ("/issuers/{slug}/skills-map.{extension}", "/issuers/wmde/skills-map.csv", {}),
            ("/issuers/{slug}/skills-map.{extension}", "/issuers/wmde/skills-map.json", {}),
            ("/api/v1/issuers/{slug}/packs", f"{api}/packs", token),
            ("/api/v1/issuers/{slug}/packs/{pack_slug}", f"{api}/packs/basics", token),
            (
                "/api/v1/issuers/{slug}/packs/{pack_slug}/progress",
                f"{api}/packs/basics/progress?recipient=row1@example.org",
                token,
            ),
            (
                "/api/v1/issuers/{slug}/packs/{pack_slug}/report",
                f"{api}/packs/basics/report",
                token,
            ),
            ("/api/v1/frameworks", "/api/v1/frameworks", {}),
            ("/api/v1/frameworks/{key}", "/api/v1/frameworks/capx", {}),
            ("/api/v1/frameworks/{key}/items", "/api/v1/frameworks/capx/items?q=comm", {}),
            ("/api/v1/framework-items", "/api/v1/framework-items?q=community&lang=de", {}),
            ("/achievements/{achievement_id}", f"/achievements/{achievement}", ld),
            ("/achievements/{achievement_id}", f"/achievements/{achievement}", html),
            ("/issuers/{slug}", "/issuers/wmde", ld),
            ("/issuers/{slug}", "/issuers/wmde", html),
            ("/issuers/{slug}/did.json", "/issuers/wmde/did.json", {}),
            ("/images/{image_id}", image, {}),
            ("/endorsements/{endorsement_id}", path_of(self.endorsement["url"]), ld),
        ]
        for row in self.credentials:  # pages and documents in every state
            page = path_of(row["url"])
            reads += [
                ("/credentials/{reference}", page, html),
                ("/credentials/{reference}", page, ld),
            ]
            if row["id"] != jwt:
                reads.append(("/credentials/{reference}", f"{page}.json", {}))
        page = path_of(self.active["url"])  # downloads of one: they read what the page reads
        reads += [
            ("/credentials/{credential_id}.png", f"{page}.png", {}),
            ("/credentials/{credential_id}.svg", f"{page}.svg", {}),
            ("/credentials/{credential_id}/share.png", f"{page}/share.png", {}),
            ("/credentials/{credential_id}/qr.svg", f"{page}/qr.svg", {}),
            ("/credentials/{credential_id}.pdf", f"{page}.pdf", {}),
        ]
        reads.append(("/credentials/{reference}", f"/credentials/{jwt}.jwt", {}))
        for url in self.status_lists:
            reads.append(("/issuers/{slug}/status/{list_id}", path_of(url), {}))
        return reads

    def verifications(self) -> list[tuple[str, dict[str, Any]]]:
        """The verification POSTs (they only read): by URL of our own credentials, and a
        credential given as JSON."""
        posts: list[tuple[str, dict[str, Any]]] = []
        for row in self.credentials:
            posts.append(("/api/v1/verify", {"json": {"url": row["url"]}}))
            posts.append(("/verify", {"data": {"url": row["url"]}}))
        posts.append(("/api/v1/verify", {"json": {"credential": self.active["credential"]}}))
        return posts


def entries(credential: dict[str, Any]) -> list[dict[str, Any]]:
    status = credential.get("credentialStatus") or []
    return status if isinstance(status, list) else [status]


def test_reads_and_verifications_leave_every_table_unchanged(
    app: FastAPI,
    client: TestClient,
    session: Session,
    test_engine: Engine,
    events_wiki: CampaignEventsWiki,
) -> None:
    events_wiki.add_event(7, ["Ada Lovelace"])
    populated = Populated(app, client, session)
    reads = populated.reads()
    documented = {p for p, operations in app.openapi()["paths"].items() if "get" in operations}
    assert {template for template, _url, _headers in reads} == documented | PAGES
    session.rollback()
    lists = session.scalars(select(StatusList)).all()
    assert len(lists) == 2  # revocation and suspension, each re-signed by its last change
    assert all(row.signed_version == row.version for row in lists)

    # Without a token nothing is excluded: api_tokens.last_used_at too stays as it was.
    before = snapshot(test_engine)
    anonymous = [(url, headers) for _t, url, headers in reads if "Authorization" not in headers]
    assert [url for url, h in anonymous if client.get(url, headers=h).status_code != 200] == []
    assert snapshot(test_engine) == before

    before = snapshot(test_engine, skip=TOKEN_USE)
    signed_in = [(url, headers) for _t, url, headers in reads if "Authorization" in headers]
    failed = [url for url, h in signed_in if client.get(url, headers=h).status_code != 200]
    for path, body in populated.verifications():
        response = client.post(path, **body)
        assert response.status_code == 200, response.text
        if path == "/api/v1/verify":
            checks = {c["id"]: c["outcome"] for c in response.json()["checks"]}
            assert checks["status"] in {"passed", "failed"}, response.text  # read as stored
    assert failed == []
    after = snapshot(test_engine, skip=TOKEN_USE)
    assert {table: rows for table, rows in after.items() if rows != before[table]} == {}
    assert before["status_lists"]
    assert before["credentials"]


def test_a_revocation_is_stored_signed_and_served_as_stored(
    app: FastAPI, client: TestClient, session: Session, test_engine: Engine
) -> None:
    """The list a revocation changed is stored signed with the bit set (no GET came first):
    a GET serves exactly that copy."""
    headers = bearer(create_token(session, create_issuer(session)))
    achievement = client.post(f"{ISSUER_API}/achievements", json=ACHIEVEMENT, headers=headers)
    revoked = issue_over_api(client, headers, achievement.json()["id"])
    url = f"{ISSUER_API}/credentials/{revoked['id']}/revoke"
    client.post(url, headers=headers).raise_for_status()
    [entry] = entries(revoked["credential"])
    list_id = uuid.UUID(path_of(entry["statusListCredential"]).rpartition("/")[2])
    with test_engine.connect() as connection:
        query = select(StatusList.signed_document).where(StatusList.id == list_id)
        stored = connection.execute(query).scalar_one()
    bits = vc.StatusList.decode(json.loads(stored)["credentialSubject"]["encodedList"])
    assert bits.get(int(entry["statusListIndex"])) == 1
    assert client.get(path_of(entry["statusListCredential"])).text == stored
