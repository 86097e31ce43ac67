"""The console's learning packs: the list, the editor (texts per language, the pack
achievement, groups, ordered steps with resources) saving through the API's service and
validation, errors next to their fields, delete with its confirmation, the report of awards
whose step credentials are no longer all active, and who may do what."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.factories import ACHIEVEMENT, ISSUER_API, bearer, create_issuer, create_token
from tests.integration.console.conftest import CONSOLE, HTML, ConsoleClient
from tests.integration.console.forms import post_form
from tests.integration.test_reads_do_not_write import snapshot

PACKS = f"{CONSOLE}/packs"
NEW = f"{PACKS}/new"
YES = {"confirm": "yes"}
READ_PAGES = ("edit", "delete", "report")


def _achievement(client: TestClient, headers: dict[str, str], name: str) -> str:
    body = ACHIEVEMENT | {"name": {"en": name}, "description": {"en": f"About {name}."}}
    response = client.post(f"{ISSUER_API}/achievements", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def _form(step: str, award: str = "") -> dict[str, str]:
    """The editor as a browser posts it: two languages, a group, an achievement step in the
    group, an activity with a resource, and the blank rows the page shows."""
    return {
        "action": "save",
        "languages": "en de",
        "slug": "first-steps",
        "audience": "affiliate",
        "defaultLanguage": "en",
        "name[en]": "First steps",
        "name[de]": "Erste Schritte",
        "description[en]": "Start here.",
        "achievementId": award,
        "groups[0][key]": "any",
        "groups[0][required]": "1",
        "groups[1][key]": "",
        "groups[1][required]": "",
        "steps[0][kind]": "achievement",
        "steps[0][achievementId]": step,
        "steps[0][packSlug]": "",
        "steps[0][required]": "no",
        "steps[0][group]": "any",
        "steps[1][kind]": "activity",
        "steps[1][achievementId]": step,  # left over from another kind: dropped
        "steps[1][url]": "https://meta.wikimedia.org/wiki/Help:Contents",
        "steps[1][title][en]": "Read the help pages",
        "steps[1][title][de]": "Die Hilfeseiten lesen",
        "steps[1][required]": "no",
        "steps[1][resources][0][url]": "https://example.org/video",
        "steps[1][resources][0][title][en]": "A video",
        "steps[2][kind]": "achievement",
        "steps[2][required]": "yes",
        "steps[2][resources][0][url]": "",
    }


def _api_pack(client: TestClient, headers: dict[str, str], slug: str) -> dict[str, Any]:
    response = client.get(f"{ISSUER_API}/packs/{slug}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_an_editor_creates_a_pack_and_sees_it_listed(
    console_client: ConsoleClient, session: Session, client: TestClient, headers: dict[str, str]
) -> None:
    step, award = _achievement(client, headers, "Edit"), _achievement(client, headers, "Pack")
    editor = console_client("editor")
    page = editor.get(NEW, headers=HTML)
    assert page.status_code == 200
    assert 'name="steps[2][kind]"' in page.text  # blank rows to fill
    assert '<option value="affiliate">' in page.text
    response = post_form(session, editor, NEW, _form(step, award))
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"{PACKS}/first-steps/edit?notice=saved"
    pack = _api_pack(client, headers, "first-steps")
    assert (pack["revision"], pack["audience"], pack["achievementId"]) == (1, "affiliate", award)
    assert pack["name"] == {"en": "First steps", "de": "Erste Schritte"}
    assert pack["groups"] == [{"key": "any", "required": 1}]
    assert pack["steps"] == [
        {"kind": "achievement", "required": False, "achievementId": step, "group": "any",
         "resources": []},
        {"kind": "activity", "required": False, "url": "https://meta.wikimedia.org/wiki/Help:Contents",
         "title": {"en": "Read the help pages", "de": "Die Hilfeseiten lesen"},
         "resources": [{"url": "https://example.org/video", "title": {"en": "A video"}}]},
    ]  # fmt: skip
    saved = editor.get(response.headers["location"], headers=HTML).text
    assert "The pack is saved." in saved
    assert 'value="Die Hilfeseiten lesen"' in saved
    listing = editor.get(PACKS, headers=HTML).text
    row = listing.split("<tbody>")[1]
    assert "First steps" in row
    assert "Affiliates" in row
    assert "<td>2</td>" in row
    assert "<td>0</td>" in row
    assert 'href="/issuers/wmde/packs/first-steps"' in row
    assert "Learning packs</a>" in listing  # the navigation


def test_editing_a_pack_raises_its_revision_and_keeps_what_the_form_does_not_show(
    console_client: ConsoleClient, session: Session, client: TestClient, headers: dict[str, str]
) -> None:
    step = _achievement(client, headers, "Edit")
    body = {"slug": "basics", "name": {"en": "Basics"}, "shared": True,
            "steps": [{"kind": "achievement", "achievementId": step}]}  # fmt: skip
    assert client.post(f"{ISSUER_API}/packs", json=body, headers=headers).status_code == 201
    editor = console_client("editor")
    path = f"{PACKS}/basics/edit"
    page = editor.get(path, headers=HTML).text
    assert 'value="Basics"' in page
    assert f'<option value="{step}" selected>' in page
    fields = _form(step) | {"slug": "basics", "name[en]": "Renamed"}
    response = post_form(session, editor, path, fields)
    assert response.status_code == 303, response.text
    pack = _api_pack(client, headers, "basics")
    assert (pack["revision"], pack["name"]["en"], pack["shared"]) == (2, "Renamed", True)
    again = post_form(session, editor, path, fields)  # nothing changed: the same revision
    assert again.status_code == 303
    assert _api_pack(client, headers, "basics")["revision"] == 2
    renamed = post_form(session, editor, path, fields | {"slug": "renamed"})
    assert renamed.headers["location"] == f"{PACKS}/renamed/edit?notice=saved"
    assert _api_pack(client, headers, "renamed")["revision"] == 3


def test_bad_input_is_shown_next_to_its_fields_and_kept(
    console_client: ConsoleClient, session: Session, client: TestClient, headers: dict[str, str]
) -> None:
    step = _achievement(client, headers, "Edit")
    fields = _form(step) | {
        "slug": "Not a slug",
        "groups[0][required]": "0",
        "steps[1][resources][0][url]": "not a url",
    }
    editor = console_client("editor")
    response = post_form(session, editor, NEW, fields)
    assert response.status_code == 422
    text = response.text
    expected = {
        "slug": "Use lower-case letters, digits and hyphens, such as first-steps.",
        "groups-0-required": "Give a whole number from 1 to 100.",
        "steps-1-resources-0-url": "Enter a web address starting with https:// or http://.",
    }
    for field, words in expected.items():
        assert f'<p class="field-error" id="{field}-error">{words}</p>' in text, field
        assert f'href="#{field}"' in text
    assert 'id="slug" name="slug" value="Not a slug"' in text
    assert 'value="not a url"' in text
    unknown = _form(step) | {"steps[2][kind]": "pack", "steps[2][packSlug]": "nope"}
    refused = post_form(session, editor, NEW, unknown)  # the service's check, past the model's
    assert refused.status_code == 422
    words = "Choose another pack of this issuer."
    assert f'<p class="field-error" id="steps-2-packSlug-error">{words}</p>' in refused.text
    assert client.get(f"{ISSUER_API}/packs", headers=headers).json()["total"] == 0


def test_the_services_rules_are_shown_in_the_members_language(
    console_client: ConsoleClient, session: Session, client: TestClient, headers: dict[str, str]
) -> None:
    step = _achievement(client, headers, "Edit")
    fields = _form(step) | {"groups[0][required]": "5", "steps[1][required]": "yes"}
    editor = console_client("editor")
    response = post_form(session, editor, f"{NEW}?lang=de", fields)
    assert response.status_code == 422
    assert 'id="groups-0-required-error"' in response.text
    assert 'id="steps-1-kind-error"' in response.text
    assert '<html lang="de"' in response.text
    assert "group 'any' has" not in response.text  # the service's English is not shown
    words = "Geben Sie eine Zahl von 1 bis zur Zahl der Schritte dieser Gruppe an."
    assert f'id="groups-0-required-error">{words}</p>' in response.text
    assert "Eine Aktivität zählt allein nicht" in response.text
    english = post_form(session, editor, f"{NEW}?lang=en", fields).text
    assert "Give a number from 1 to the number of steps in this group." in english
    assert "An activity counts for nothing by itself" in english


def test_a_slug_taken_is_a_form_error(
    console_client: ConsoleClient, session: Session, client: TestClient, headers: dict[str, str]
) -> None:
    step = _achievement(client, headers, "Edit")
    editor = console_client("editor")
    assert post_form(session, editor, NEW, _form(step)).status_code == 303
    again = post_form(session, editor, NEW, _form(step))
    assert again.status_code == 422
    assert 'id="slug-error">This issuer has a pack with this short name already.' in again.text
    second = post_form(session, editor, NEW, _form(step) | {"slug": "second"})
    assert second.status_code == 303
    taken = post_form(session, editor, f"{PACKS}/second/edit", _form(step))
    assert taken.status_code == 422
    assert 'id="slug-error"' in taken.text
    assert client.get(f"{ISSUER_API}/packs", headers=headers).json()["total"] == 2


def test_more_rows_and_another_language_keep_what_was_typed(
    console_client: ConsoleClient, session: Session, client: TestClient, headers: dict[str, str]
) -> None:
    step = _achievement(client, headers, "Edit")
    editor = console_client("editor")
    more = post_form(session, editor, NEW, _form(step) | {"action": "more-rows"})
    assert more.status_code == 200
    assert 'value="Die Hilfeseiten lesen"' in more.text
    assert 'name="steps[4][kind]"' in more.text  # two filled, three blank
    added = post_form(
        session, editor, NEW, _form(step) | {"action": "add-language", "addLanguage": "fr"}
    )
    assert 'id="name-fr"' in added.text
    assert 'id="steps-1-title-fr"' in added.text
    assert client.get(f"{ISSUER_API}/packs", headers=headers).json()["total"] == 0


def test_a_viewer_reads_but_cannot_edit_and_a_form_needs_its_csrf_token(
    console_client: ConsoleClient, session: Session, client: TestClient, headers: dict[str, str]
) -> None:
    step = _achievement(client, headers, "Edit")
    owner, viewer = console_client("owner"), console_client("viewer")
    stranger = console_client(None)
    assert post_form(session, owner, NEW, _form(step)).status_code == 303
    path = f"{PACKS}/first-steps/edit"
    page = viewer.get(path, headers=HTML)
    assert page.status_code == 200
    assert "Your role may look at this pack but not change it." in page.text
    assert '<fieldset class="plain" disabled>' in page.text
    assert "Delete this pack" not in page.text
    assert viewer.get(NEW, headers=HTML).status_code == 403
    assert viewer.get(f"{PACKS}/first-steps/delete", headers=HTML).status_code == 403
    refused = post_form(session, viewer, path, _form(step) | {"name[en]": "Viewer's"})
    assert refused.status_code == 403
    assert post_form(session, viewer, f"{PACKS}/first-steps/delete", YES).status_code == 403
    no_token = owner.post(path, data=_form(step) | {"name[en]": "No token"}, headers=HTML)
    assert no_token.status_code == 403
    assert _api_pack(client, headers, "first-steps")["name"]["en"] == "First steps"
    assert stranger.get(PACKS, headers=HTML).status_code == 404


def test_delete_asks_first_and_a_pack_in_use_stays(
    console_client: ConsoleClient, session: Session, client: TestClient, headers: dict[str, str]
) -> None:
    step = _achievement(client, headers, "Edit")
    editor = console_client("editor")
    assert post_form(session, editor, NEW, _form(step)).status_code == 303
    parent = _form(step) | {"slug": "parent", "steps[2][kind]": "pack",
                            "steps[2][packSlug]": "first-steps"}  # fmt: skip
    assert post_form(session, editor, NEW, parent).status_code == 303
    confirm = editor.get(f"{PACKS}/first-steps/delete", headers=HTML)
    assert confirm.status_code == 200
    assert "Delete the pack First steps?" in confirm.text
    unticked = post_form(session, editor, f"{PACKS}/first-steps/delete", {})
    assert unticked.status_code == 422
    assert 'id="confirm-error"' in unticked.text
    in_use = post_form(session, editor, f"{PACKS}/first-steps/delete", YES)
    assert in_use.status_code == 409
    assert "Another pack has this pack as a step." in in_use.text
    gone = post_form(session, editor, f"{PACKS}/parent/delete", YES)
    assert (gone.status_code, gone.headers["location"]) == (303, f"{PACKS}?notice=deleted")
    assert "The pack is deleted." in editor.get(gone.headers["location"], headers=HTML).text
    assert post_form(session, editor, f"{PACKS}/first-steps/delete", YES).status_code == 303
    assert client.get(f"{ISSUER_API}/packs", headers=headers).json()["total"] == 0
    audit = editor.get(f"{CONSOLE}/audit", headers=HTML, params={"action": "pack."}).text
    for action in ("pack.created", "pack.deleted"):
        assert f"<code>{action}</code>" in audit


def test_the_report_lists_awards_whose_steps_are_no_longer_active(
    console_client: ConsoleClient, session: Session, client: TestClient, headers: dict[str, str]
) -> None:
    step, award = _achievement(client, headers, "Edit"), _achievement(client, headers, "Pack")
    editor = console_client("editor")
    fields = _form(step, award) | {"steps[0][required]": "yes", "steps[0][group]": "",
                                   "groups[0][key]": ""}  # fmt: skip
    assert post_form(session, editor, NEW, fields).status_code == 303
    report = f"{PACKS}/first-steps/report"
    assert "Every award still rests on active credentials." in editor.get(report, headers=HTML).text
    body = {"achievementId": step, "recipient": {"email": "ada@example.org", "name": "Ada"}}
    issued = client.post(f"{ISSUER_API}/credentials", json=body, headers=headers).json()
    pack_credential = client.get(
        f"{ISSUER_API}/credentials", params={"achievementId": award}, headers=headers
    ).json()["items"][0]["id"]
    listing = editor.get(PACKS, headers=HTML).text.split("<tbody>")[1]
    assert "<td>1</td>" in listing  # one award made
    revoke = f"{ISSUER_API}/credentials/{issued['id']}/revoke"
    assert client.post(revoke, headers=headers).status_code == 200
    page = editor.get(report, headers=HTML)
    assert page.status_code == 200
    assert f'href="/console/wmde/credentials/{pack_credential}"' in page.text
    assert f'href="/console/wmde/credentials/{issued["id"]}"' in page.text
    assert "Revoked" in page.text.split("<tbody>")[1]
    assert "1 award with step credentials no longer all active" in page.text


def test_audit_trail_shows_the_packs_changes(
    console_client: ConsoleClient, session: Session, client: TestClient, headers: dict[str, str]
) -> None:
    step = _achievement(client, headers, "Edit")
    editor = console_client("editor", handle="edna")
    assert post_form(session, editor, NEW, _form(step)).status_code == 303
    fields = _form(step) | {"name[en]": "Renamed"}
    assert post_form(session, editor, f"{PACKS}/first-steps/edit", fields).status_code == 303
    audit = editor.get(f"{CONSOLE}/audit", headers=HTML).text
    assert "<code>pack.created</code>" in audit
    assert "<code>pack.changed</code>" in audit
    assert "revision: 2" in audit
    assert "slug: first-steps" in audit
    assert "edna" in audit


def test_the_pack_pages_write_nothing(
    console_client: ConsoleClient,
    session: Session,
    client: TestClient,
    headers: dict[str, str],
    test_engine: Engine,
) -> None:
    step = _achievement(client, headers, "Edit")
    owner = console_client("owner")
    assert post_form(session, owner, NEW, _form(step)).status_code == 303
    session.rollback()
    before = snapshot(test_engine, skip=("web_sessions", "last_seen_at"))
    for path in (PACKS, NEW, *(f"{PACKS}/first-steps/{page}" for page in READ_PAGES)):
        assert owner.get(path, headers=HTML, params={"lang": "ar"}).status_code == 200, path
    assert snapshot(test_engine, skip=("web_sessions", "last_seen_at")) == before


def test_a_pack_builds_on_another_issuers_shared_pack_and_skill_in_the_editor(
    console_client: ConsoleClient, session: Session, client: TestClient, headers: dict[str, str]
) -> None:
    other = bearer(create_token(session, create_issuer(session, slug="wmfr", name="WMFR")))
    skill = ACHIEVEMENT | {"achievementType": "Competency", "shared": True,
                           "name": {"en": "Citing sources"}}  # fmt: skip
    made = client.post("/api/v1/issuers/wmfr/achievements", json=skill, headers=other)
    assert made.status_code == 201, made.text
    skill_id = made.json()["id"]
    shared = {"slug": "basics", "shared": True, "name": {"en": "Basics"},
              "steps": [{"kind": "achievement", "achievementId": skill_id}]}  # fmt: skip
    assert client.post("/api/v1/issuers/wmfr/packs", json=shared, headers=other).status_code == 201
    editor = console_client("editor")
    page = editor.get(NEW, headers=HTML).text
    assert f'<option value="{skill_id}">Citing sources (WMFR)</option>' in page
    assert '<option value="wmfr/basics">Basics (WMFR)</option>' in page
    fields = _form(skill_id) | {"steps[2][kind]": "pack", "steps[2][packSlug]": "wmfr/basics"}
    response = post_form(session, editor, NEW, fields)
    assert response.status_code == 303, response.text
    steps = _api_pack(client, headers, "first-steps")["steps"]
    assert steps[0]["achievementId"] == skill_id
    assert (steps[2]["packSlug"], steps[2]["packIssuer"]) == ("basics", "wmfr")
    edit = editor.get(f"{PACKS}/first-steps/edit", headers=HTML).text
    assert '<option value="wmfr/basics" selected>' in edit
