"""Console access: who gets in, with which role, and what each role may do."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from badgeservice.db.models import AuditEvent
from badgeservice.services import issuers, members
from badgeservice.services.members import LastOwnerError
from tests.factories import KEY_STORE, create_issuer
from tests.integration.console.conftest import CONSOLE, HTML, ConsoleClient, add_member

pytestmark = pytest.mark.database_independent


def test_a_visitor_is_asked_to_sign_in_and_comes_back(client: TestClient) -> None:
    response = client.get(CONSOLE, headers=HTML)
    assert response.status_code == 401
    assert 'next=%2Fconsole%2Fwmde"' in response.text
    assert response.headers["Cache-Control"] == "private, no-store"


def test_someone_who_is_not_staff_sees_no_such_issuer(console_client: ConsoleClient) -> None:
    stranger = console_client(None)
    assert stranger.get(CONSOLE, headers=HTML).status_code == 404
    assert stranger.get("/console/nowhere", headers=HTML).status_code == 404
    home = stranger.get("/console", headers=HTML)
    assert home.status_code == 200
    assert "not a member of any issuer" in home.text


def test_another_issuers_staff_cannot_see_this_one(
    console_client: ConsoleClient, session: Session
) -> None:
    create_issuer(session, slug="other", name="Other chapter")
    owner = console_client("owner")
    assert owner.get("/console/other", headers=HTML).status_code == 404


@pytest.mark.parametrize("role", ["owner", "editor", "viewer"])
def test_a_member_sees_the_overview_with_the_sections_of_their_role(
    console_client: ConsoleClient, role: str
) -> None:
    page = console_client(role).get(CONSOLE, headers=HTML)
    assert page.status_code == 200
    assert "Wikimedia Deutschland" in page.text
    assert ("/console/wmde/issue" in page.text) == (role != "viewer")
    assert "/console/wmde/audit" in page.text


def test_the_console_home_goes_straight_to_the_only_issuer(
    console_client: ConsoleClient,
) -> None:
    response = console_client("viewer").get("/console", headers=HTML, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == CONSOLE


def test_the_console_home_lists_every_issuer_of_a_member(
    console_client: ConsoleClient, session: Session
) -> None:
    create_issuer(session, slug="other", name="Other chapter")
    client = console_client("viewer", handle="both")
    add_member(session, "both@example.org", "editor", slug="other")
    page = client.get("/console", headers=HTML)
    assert page.status_code == 200
    assert "/console/other" in page.text
    assert "/console/wmde" in page.text


def test_a_member_invited_twice_holds_the_stronger_role(
    console_client: ConsoleClient, session: Session
) -> None:
    issuer = issuers.get_issuer(session, "wmde")
    members.invite(
        session, issuer, kind="wikimedia", value="ada_lovelace", role="owner", actor="test",
        key_store=KEY_STORE,
    )  # fmt: skip
    session.commit()
    names = [m.label for m in members.list_members(session, issuer)]
    assert names == ["Ada lovelace"]


def test_the_last_owner_cannot_be_removed_or_demoted(session: Session, headers: object) -> None:
    issuer = issuers.get_issuer(session, "wmde")
    owner = members.invite(
        session, issuer, kind="email", value="Boss@Example.org", role="owner", actor="cli",
        key_store=KEY_STORE,
    )  # fmt: skip
    assert owner.label == "boss@example.org"
    with pytest.raises(LastOwnerError):
        members.remove(session, issuer, owner.id, actor="cli")
    with pytest.raises(LastOwnerError):
        members.change_role(session, issuer, owner.id, "viewer", actor="cli")
    second = members.invite(
        session, issuer, kind="email", value="two@example.org", role="owner", actor="cli",
        key_store=KEY_STORE,
    )  # fmt: skip
    members.change_role(session, issuer, owner.id, "viewer", actor="cli")
    members.remove(session, issuer, owner.id, actor="cli")
    session.commit()
    assert [m.id for m in members.list_members(session, issuer)] == [second.id]
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "member"))
    assert sorted(actions) == [
        "member.added", "member.added", "member.removed", "member.role_changed",
    ]  # fmt: skip


def test_the_backpack_links_to_the_console_for_staff_only(
    console_client: ConsoleClient,
) -> None:
    assert 'href="/console"' in console_client("viewer").get("/me", headers=HTML).text
    assert 'href="/console"' not in console_client(None).get("/me", headers=HTML).text
