"""CLR 2.0 for a learning pack: the person's active credentials on its path (the pack
credential, its steps', a child pack's), the pack achievement `isParentOf` its steps' and each
step `precedes` the next; signed for the issuer over the API and for a learner in the backpack,
and verified by our verifier."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import Issuer
from badgeservice.services import packs
from tests.accounts import sign_in_as
from tests.factories import ACHIEVEMENT

API = "/api/v1/issuers/wmde"
LEARNER = {"email": "ada@example.org", "name": "Ada"}


def _achievement(client: TestClient, headers: dict[str, str], name: str) -> str:
    body = ACHIEVEMENT | {"name": {"en": name}}
    response = client.post(f"{API}/achievements", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _issue(
    client: TestClient, headers: dict[str, str], achievement: str, **extra: Any
) -> dict[str, Any]:
    body = {"achievementId": achievement, "recipient": LEARNER} | extra
    response = client.post(f"{API}/credentials", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json()["credential"])


def _pack(session: Session, slug: str, steps: list[dict[str, Any]], award: str | None) -> None:
    issuer = session.scalar(select(Issuer).where(Issuer.slug == "wmde"))
    assert issuer is not None
    fields: dict[str, Any] = {
        "slug": slug,
        "defaultLanguage": "en",
        "name": {"en": f"Pack {slug}"},
        "audience": "newcomer",
        "steps": steps,
    }
    if award:
        fields["achievementId"] = award
    packs.create_pack(session, issuer, fields, actor="test")
    session.commit()


def _achievement_id(credential: dict[str, Any]) -> str:
    return str(credential["credentialSubject"]["achievement"]["id"])


def _verified(client: TestClient, document: dict[str, Any]) -> bool:
    response = client.post("/api/v1/verify", json=document)
    assert response.status_code == 200, response.text
    return bool(response.json()["verified"])


def _pack_clr(client: TestClient, headers: dict[str, str], slug: str, **body: Any) -> Any:
    body.setdefault("recipient", {"email": "ada@example.org"})
    return client.post(f"{API}/packs/{slug}/clr", json=body, headers=headers)


def test_an_issuer_signs_a_pack_clr_with_parent_and_order(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    edit, cite, award = (_achievement(client, headers, n) for n in ("Edit", "Cite", "Basics"))
    _pack(
        session,
        "basics",
        [{"kind": "achievement", "achievementId": a} for a in (edit, cite)],
        award,
    )
    first = _issue(client, headers, edit)
    second = _issue(client, headers, cite)  # completes the pack: its credential is issued
    response = _pack_clr(client, headers, "basics")
    assert response.status_code == 200, response.text
    clr = response.json()
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["name"] == "Pack basics"
    bundled = clr["credentialSubject"]["verifiableCredential"]
    pack_credential = bundled[0]
    assert _achievement_id(pack_credential).endswith(award)
    assert [c["id"] for c in bundled[1:]] == [first["id"], second["id"]]
    parent, one, two = (_achievement_id(c) for c in (pack_credential, first, second))
    relations = [
        (a["associationType"], a["sourceId"], a["targetId"])
        for a in clr["credentialSubject"]["association"]
    ]
    assert relations == [("precedes", one, two), ("isParentOf", parent, one),
                         ("isParentOf", parent, two)]  # fmt: skip
    assert {a["type"] for a in clr["credentialSubject"]["association"]} == {"Association"}
    assert _verified(client, clr) is True


def test_a_child_pack_and_a_partial_path_are_bundled_as_held(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    edit, cite, upload, child_award = (
        _achievement(client, headers, n) for n in ("Edit", "Cite", "Upload", "Child")
    )
    _pack(session, "child", [{"kind": "achievement", "achievementId": edit}], child_award)
    _pack(
        session,
        "parent",
        [
            {"kind": "pack", "packSlug": "child"},
            {"kind": "achievement", "achievementId": cite},
            {"kind": "achievement", "achievementId": upload},
        ],
        None,
    )
    step = _issue(client, headers, edit)  # completes the child pack
    cited = _issue(client, headers, cite)
    _issue(client, headers, upload, format="jwt")  # a VC-JWT cannot be bundled
    clr = _pack_clr(client, headers, "parent", name="My path").json()
    assert clr["name"] == "My path"
    bundled = clr["credentialSubject"]["verifiableCredential"]
    child_credential = bundled[0]
    assert _achievement_id(child_credential).endswith(child_award)
    assert [c["id"] for c in bundled[1:]] == [step["id"], cited["id"]]
    child, one, two = (_achievement_id(c) for c in (child_credential, step, cited))
    kinds = {(a["associationType"], a["sourceId"], a["targetId"])
             for a in clr["credentialSubject"]["association"]}  # fmt: skip
    assert kinds == {("isParentOf", child, one), ("precedes", child, two)}
    assert _verified(client, clr) is True


def test_a_pack_clr_is_refused_when_nothing_is_held_or_the_recipient_cannot_progress(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    edit = _achievement(client, headers, "Edit")
    _pack(session, "basics", [{"kind": "achievement", "achievementId": edit}], None)
    nothing = _pack_clr(client, headers, "basics", recipient={"email": "bob@example.org"})
    assert nothing.status_code == 422, nothing.text
    assert nothing.json()["errors"][0]["pointer"] == "/body/recipient"
    did = _pack_clr(client, headers, "basics", recipient={"did": "did:example:123"})
    assert did.status_code == 422
    assert did.json()["errors"][0]["pointer"] == "/body/recipient"
    assert _pack_clr(client, headers, "nope").status_code == 404
    assert client.post(f"{API}/packs/basics/clr", json={}, headers=headers).status_code == 422


def test_a_learner_downloads_the_record_of_a_pack(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    edit, cite = (_achievement(client, headers, n) for n in ("Edit", "Cite"))
    _pack(session, "basics", [{"kind": "achievement", "achievementId": a} for a in (edit, cite)],
          None)  # fmt: skip
    first = _issue(client, headers, edit)
    url = "/me/clr/wmde/basics.json"
    assert client.get(url, headers={"Accept": "text/html"}).status_code == 401
    sign_in_as(client, session, "ada@example.org", "ada")
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "private, no-store"
    assert 'filename="clr-wmde-basics.json"' in response.headers["content-disposition"]
    clr = response.json()
    assert clr["name"] == "Pack basics: learner record of Ada"
    assert [c["id"] for c in clr["credentialSubject"]["verifiableCredential"]] == [first["id"]]
    assert _verified(client, clr) is True
    assert client.get("/me/clr/wmde/nope.json", headers={"Accept": "text/html"}).status_code == 404
    sign_in_as(client, session, "bob@example.org", "bob")
    assert client.get(url, headers={"Accept": "text/html"}).status_code == 404
