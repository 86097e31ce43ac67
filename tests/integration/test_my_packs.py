"""The backpack's learning packs: the packs a learner is on with their progress (one
recipient's, as the award), one pack's progress as a page and as JSON, and the packs whose
steps would add skills of an imported framework the learner does not hold."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.domain.recipient import normalize_email
from tests import skills_seed as seed
from tests.accounts import add_email, sign_in_as
from tests.factories import ACHIEVEMENT, KEY_STORE

API = "/api/v1/issuers/wmde"
HTML = {"Accept": "text/html"}


def _achievement(client: TestClient, headers: dict[str, str], name: str, *qids: str) -> str:
    alignments = [{"targetName": f"Skill {q}", "targetUrl": seed.WIKIDATA + q} for q in qids]
    body = ACHIEVEMENT | {"name": {"en": name}, "alignments": alignments}
    response = client.post(f"{API}/achievements", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _issue(client: TestClient, headers: dict[str, str], achievement: str, email: str) -> str:
    body = {"achievementId": achievement, "recipient": {"email": email, "name": "Grace"}}
    response = client.post(f"{API}/credentials", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["credential"]["id"])


def _pack(client: TestClient, headers: dict[str, str], slug: str, steps: list[dict[str, Any]],
          **fields: Any) -> None:  # fmt: skip
    body = {
        "slug": slug,
        "defaultLanguage": "en",
        "name": {"en": f"Pack {slug}", "de": f"Paket {slug}"},
        "audience": "newcomer",
        "steps": steps,
    } | fields
    response = client.post(f"{API}/packs", json=body, headers=headers)
    assert response.status_code == 201, response.text


def _steps(*ids: str) -> list[dict[str, Any]]:
    return [{"kind": "achievement", "achievementId": a} for a in ids]


def test_a_learner_sees_the_packs_they_are_on_and_their_progress(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    edit, cite, upload, award = (
        _achievement(client, headers, n) for n in ("Edit", "Cite", "Upload", "Basics done")
    )
    _pack(client, headers, "basics", _steps(edit, cite, upload), achievementId=award,
          groups=[], description={"en": "First steps"})  # fmt: skip
    _pack(client, headers, "other", _steps(upload))  # a pack the learner is not on
    _issue(client, headers, edit, "grace@example.org")
    assert client.get("/me/packs", headers=HTML).text.count('href="/auth/') >= 1  # sign in
    sign_in_as(client, session, "grace@example.org", "grace")

    page = client.get("/me/packs")
    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "private, no-store"
    assert 'href="/me/packs/wmde/basics"' in page.text
    assert "/me/packs/wmde/other" not in page.text
    assert "1 of 3 steps done" in page.text
    assert '<progress max="3" value="1"' in page.text

    progress = client.get("/me/packs/wmde/basics.json")
    assert progress.status_code == 200, progress.text
    assert progress.headers["cache-control"] == "private, no-store"
    body = progress.json()
    assert (body["issuer"], body["pack"], body["complete"]) == ("wmde", "basics", False)
    assert (body["stepsDone"], body["stepsNeeded"]) == (1, 3)
    assert [s["done"] for s in body["steps"]] == [True, False, False]
    assert body["award"] is None

    mine = client.get("/me/packs/wmde/basics")
    assert mine.status_code == 200
    assert mine.text.count('class="step-done"') == 1
    assert mine.text.count('class="step-open"') == 2
    assert 'href="/me/clr/wmde/basics.json"' in mine.text
    assert 'href="/issuers/wmde/packs/basics"' in mine.text

    _issue(client, headers, cite, "grace@example.org")
    _issue(client, headers, upload, "grace@example.org")  # complete: the pack badge is issued
    body = client.get("/me/packs/wmde/basics.json").json()
    assert body["complete"] is True
    assert body["stepsDone"] == 3
    assert body["award"]["credential"].startswith("http")
    credential_path = "/credentials/" + body["award"]["credential"].rsplit("/", 1)[1]
    mine = client.get("/me/packs/wmde/basics")
    assert f'href="{credential_path}"' in mine.text
    assert "/me/packs/wmde/other" in client.get("/me/packs").text  # upload is its step too


def test_groups_and_a_pack_not_on_show_nothing_done(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    one, two, three = (_achievement(client, headers, n) for n in ("One", "Two", "Three"))
    steps = [{"kind": "achievement", "achievementId": a, "required": False, "group": "g"}
             for a in (one, two, three)]  # fmt: skip
    steps.append({"kind": "activity", "url": "https://example.org/course", "required": False,
                  "title": {"en": "A course"}})  # fmt: skip
    _pack(client, headers, "choose", steps, groups=[{"key": "g", "required": 2}])
    sign_in_as(client, session, "grace@example.org", "grace")
    body = client.get("/me/packs/wmde/choose.json").json()
    assert (body["stepsDone"], body["stepsNeeded"], body["complete"]) == (0, 2, False)
    assert body["groups"] == [{"key": "g", "required": 2, "done": 0, "met": False}]
    page = client.get("/me/packs/wmde/choose")
    assert page.status_code == 200
    assert "Learner record of this pack" not in page.text  # nothing to bundle
    _issue(client, headers, one, "grace@example.org")
    _issue(client, headers, two, "grace@example.org")
    _issue(client, headers, three, "grace@example.org")
    body = client.get("/me/packs/wmde/choose.json").json()
    assert (body["stepsDone"], body["stepsNeeded"], body["complete"]) == (2, 2, True)
    page = client.get("/me/packs/wmde/choose").text
    assert "Complete." in page
    assert "has not been issued" not in page
    assert client.get("/me/packs/wmde/nope", headers=HTML).status_code == 404
    assert client.get("/me/packs/nobody/choose.json").status_code == 404


def test_the_progress_is_the_recipient_furthest_along(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    edit, cite, upload = (_achievement(client, headers, n) for n in ("Edit", "Cite", "Upload"))
    _pack(client, headers, "basics", _steps(edit, cite, upload))
    _issue(client, headers, edit, "grace@example.org")
    _issue(client, headers, cite, "hopper@example.org")
    _issue(client, headers, upload, "hopper@example.org")
    user = sign_in_as(client, session, "grace@example.org", "grace")
    assert client.get("/me/packs/wmde/basics.json").json()["stepsDone"] == 1
    second = "hopper@example.org"
    add_email(session, user, second, KEY_STORE.lookup_hash(normalize_email(second)), seed.MOMENT)
    session.commit()
    body = client.get("/me/packs/wmde/basics.json").json()
    assert [s["done"] for s in body["steps"]] == [False, True, True]


def test_packs_that_would_add_skills_the_learner_lacks(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    seed.capx_framework(session, ["Q1", "Q2", "Q3", "Q4"])
    session.commit()
    held = _achievement(client, headers, "Held", "Q1")
    two_new = _achievement(client, headers, "Two new", "Q2", "Q3")
    one_new = _achievement(client, headers, "One new", "Q1", "Q4")
    unknown = _achievement(client, headers, "Not in a framework")  # ESCO URL not imported
    _pack(client, headers, "on", _steps(held))
    _pack(client, headers, "more", _steps(two_new))
    _pack(client, headers, "less", _steps(one_new))
    _pack(client, headers, "none", _steps(unknown))
    _issue(client, headers, held, "grace@example.org")
    sign_in_as(client, session, "grace@example.org", "grace")
    page = client.get("/me/packs", headers={"Accept-Language": "de"})
    assert page.status_code == 200
    text = page.text
    suggested = text[text.index('id="suggested"') :]
    assert "/me/packs/wmde/on" in text[: text.index('id="suggested"')]
    assert suggested.index("/issuers/wmde/packs/more") < suggested.index("/issuers/wmde/packs/less")
    assert "/issuers/wmde/packs/on" not in suggested  # on it already
    assert "/issuers/wmde/packs/none" not in suggested  # adds no imported skill
    assert "Fähigkeit Q2" in suggested
    assert "Fähigkeit Q3" in suggested
    assert "Fähigkeit Q4" in suggested
    assert "Fähigkeit Q1" not in suggested
    assert 'lang="de"' not in suggested  # the pack names are in German, the page's language


def test_odd_addresses_are_a_plain_not_found(client: TestClient, session: Session) -> None:
    sign_in_as(client, session, "grace@example.org", "grace")
    for path in (
        "/me/packs/WMDE/basics",
        "/me/packs/wmde/%00",
        f"/me/packs/{'a' * 300}/b",
        "/me/packs/wmde/basics.json.json",
        "/me/packs/wmde/..%2Fbasics",
    ):
        page = client.get(path, headers=HTML)
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html"), path


def test_a_child_pack_completed_is_a_parents_step_done(
    client: TestClient, session: Session, headers: dict[str, str]
) -> None:
    edit, cite = (_achievement(client, headers, n) for n in ("Edit", "Cite"))
    _pack(client, headers, "child", _steps(edit))
    _pack(client, headers, "parent", [{"kind": "pack", "packSlug": "child"}, *_steps(cite)])
    _issue(client, headers, edit, "grace@example.org")
    sign_in_as(client, session, "grace@example.org", "grace")
    listed = client.get("/me/packs").text
    assert 'href="/me/packs/wmde/child"' in listed
    assert 'href="/me/packs/wmde/parent"' in listed  # on it through its child pack
    body = client.get("/me/packs/wmde/parent.json").json()
    assert [s["done"] for s in body["steps"]] == [True, False]
    assert (body["stepsDone"], body["stepsNeeded"]) == (1, 2)
