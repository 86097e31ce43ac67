"""The console's members page: every member sees the staff; owners invite by Wikimedia
username or email, change roles and remove members, and the last owner stays."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import AuditEvent, IssuerMember
from tests.integration.console.conftest import CONSOLE, HTML, ConsoleClient, sign_in_as
from tests.integration.console.forms import post_form

MEMBERS = f"{CONSOLE}/members"


def roster(session: Session) -> dict[str, str]:
    session.rollback()
    return {m.label: m.role for m in session.scalars(select(IssuerMember))}


def member_id(session: Session, label: str) -> str:
    session.rollback()
    return str(session.scalars(select(IssuerMember.id).where(IssuerMember.label == label)).one())


@pytest.mark.parametrize("role", ["owner", "editor", "viewer"])
def test_every_member_sees_the_staff_and_only_owners_the_forms(
    console_client: ConsoleClient, role: str
) -> None:
    page = console_client(role, handle="me").get(MEMBERS, headers=HTML)
    assert page.status_code == 200
    assert "me@example.org" in page.text
    assert ("Invite a member" in page.text) == (role == "owner")
    assert ("Remove me@example.org" in page.text) == (role == "owner")
    assert 'aria-current="page"' in page.text


def test_an_owner_invites_by_email_and_the_invitee_gets_that_role(
    console_client: ConsoleClient, app: object, session: Session
) -> None:
    owner = console_client("owner")
    data = {"kind": "email", "value": "Editor@Example.org", "role": "editor"}
    response = post_form(session, owner, MEMBERS, data)
    assert response.status_code == 303
    assert response.headers["location"] == f"{MEMBERS}?notice=invited"
    assert roster(session)["editor@example.org"] == "editor"
    added = select(AuditEvent).where(
        AuditEvent.action == "member.added",
        AuditEvent.subject_id == member_id(session, "editor@example.org"),
    )
    assert session.scalars(added).one().actor.startswith("user:")  # the owner, not the set-up
    with TestClient(app) as invitee:  # type: ignore[arg-type]
        sign_in_as(invitee, session, "editor@example.org", "new-editor")
        overview = invitee.get(CONSOLE, headers=HTML)
        assert overview.status_code == 200
        assert "Editor" in overview.text
        assert invitee.get(MEMBERS, headers=HTML).status_code == 200


def test_an_owner_invites_a_wikimedia_username(
    console_client: ConsoleClient, session: Session
) -> None:
    data = {"kind": "wikimedia", "value": "ada_lovelace", "role": "viewer"}
    assert post_form(session, console_client("owner"), MEMBERS, data).status_code == 303
    assert roster(session)["Ada lovelace"] == "viewer"


@pytest.mark.parametrize(
    ("data", "field", "words", "status"),
    [
        ({"kind": "email", "value": "nobody", "role": "viewer"}, "value", "Give an email", 422),
        ({"kind": "wikimedia", "value": "a|b", "role": "viewer"}, "value", "Wikimedia user", 422),
        ({"kind": "email", "value": "x@example.org", "role": "boss"}, "role", "Choose one", 422),
        ({"kind": "fax", "value": "x@example.org", "role": "viewer"}, "kind", "Choose one", 422),
        (
            {"kind": "email", "value": "owner-0@example.org", "role": "viewer"},
            "value",
            "member already",
            409,
        ),
    ],
)
def test_bad_invitations_are_shown_next_to_their_field(
    console_client: ConsoleClient,
    session: Session,
    data: dict[str, str],
    field: str,
    words: str,
    status: int,
) -> None:
    owner = console_client("owner", handle="owner-0")
    before = roster(session)
    response = post_form(session, owner, MEMBERS, data)
    assert response.status_code == status
    assert f'<p class="field-error" id="{field}-error">' in response.text
    assert words in response.text
    assert f'href="#{field}"' in response.text
    assert roster(session) == before


def test_an_owner_changes_a_role_and_removes_a_member(
    console_client: ConsoleClient, session: Session
) -> None:
    owner = console_client("owner")
    viewer = console_client("viewer", handle="leaving")
    ident = member_id(session, "leaving@example.org")
    changed = post_form(session, owner, f"{MEMBERS}/{ident}/role", {"role": "editor"})
    assert changed.status_code == 303
    assert roster(session)["leaving@example.org"] == "editor"
    removed = post_form(session, owner, f"{MEMBERS}/{ident}/remove", {})
    assert removed.status_code == 303
    assert "leaving@example.org" not in roster(session)
    assert viewer.get(CONSOLE, headers=HTML).status_code == 404  # access ends at once


def test_the_last_owner_is_neither_removed_nor_demoted(
    console_client: ConsoleClient, session: Session
) -> None:
    owner = console_client("owner", handle="only")
    ident = member_id(session, "only@example.org")
    for path, data in (
        (f"{MEMBERS}/{ident}/remove", {}),
        (f"{MEMBERS}/{ident}/role", {"role": "viewer"}),
    ):
        response = post_form(session, owner, path, data)
        assert response.status_code == 409
        assert "An issuer keeps at least one owner" in response.text
        assert 'role="alert"' in response.text
    assert roster(session)["only@example.org"] == "owner"


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_staff_without_members_manage_cannot_change_the_staff(
    console_client: ConsoleClient, session: Session, role: str
) -> None:
    console_client("owner", handle="boss")
    browser = console_client(role)
    ident = member_id(session, "boss@example.org")
    before = roster(session)
    invite = {"kind": "email", "value": "friend@example.org", "role": "owner"}
    for path, data in (
        (MEMBERS, invite),
        (f"{MEMBERS}/{ident}/remove", {}),
        (f"{MEMBERS}/{ident}/role", {"role": "viewer"}),
    ):
        assert post_form(session, browser, path, data).status_code == 403
    assert roster(session) == before


@pytest.mark.parametrize("csrf", [None, "wrong"])
def test_member_forms_without_this_sessions_csrf_token_are_refused(
    console_client: ConsoleClient, session: Session, csrf: str | None
) -> None:
    owner = console_client("owner")
    console_client("viewer", handle="other")
    ident = member_id(session, "other@example.org")
    before = roster(session)
    extra = {"csrf": csrf} if csrf else {}
    invite = {"kind": "email", "value": "friend@example.org", "role": "owner"}
    for path in (MEMBERS, f"{MEMBERS}/{ident}/remove", f"{MEMBERS}/{ident}/role"):
        response = owner.post(path, data=invite | extra, headers=HTML, follow_redirects=False)
        assert response.status_code == 403
    assert roster(session) == before


def test_another_issuers_member_cannot_be_removed_here(
    console_client: ConsoleClient, session: Session
) -> None:
    from badgeservice.services import members
    from tests.factories import KEY_STORE, create_issuer

    other = create_issuer(session, slug="other", name="Other")
    theirs = members.invite(
        session, other, kind="email", value="theirs@example.org", role="owner", actor="test",
        key_store=KEY_STORE,
    )  # fmt: skip
    session.commit()
    response = post_form(session, console_client("owner"), f"{MEMBERS}/{theirs.id}/remove", {})
    assert response.status_code == 404
    assert "theirs@example.org" in roster(session)


def test_an_owner_who_removes_themselves_goes_back_to_the_console_home(
    console_client: ConsoleClient, session: Session
) -> None:
    console_client("owner", handle="stays")
    leaving = console_client("owner", handle="leaves")
    ident = member_id(session, "leaves@example.org")
    response = post_form(session, leaving, f"{MEMBERS}/{ident}/remove", {})
    assert response.status_code == 303
    assert response.headers["location"] == "/console"
    assert leaving.get(CONSOLE, headers=HTML).status_code == 404
    assert roster(session) == {"stays@example.org": "owner"}
