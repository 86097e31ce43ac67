"""The backpack's skills-map choice: the form's POST (the session's CSRF token) that sets
``users.skills_map_excluded``; unticked rejoins."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.integration.test_backpack import HTML, csrf_of, signed_in


def test_a_learner_leaves_and_rejoins_the_skills_map(client: TestClient, session: Session) -> None:
    user = signed_in(client, session, "ada@example.org")
    csrf = csrf_of(client)
    refused = client.post("/me/skills-map", data={"excluded": "1"}, headers=HTML)
    assert refused.status_code == 403
    done = client.post(
        "/me/skills-map", data={"csrf": csrf, "excluded": "1"}, headers=HTML,
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303
    session.commit()  # ends the read snapshot (SQLite)
    session.refresh(user)
    assert user.skills_map_excluded is True
    back = client.post("/me/skills-map", data={"csrf": csrf}, headers=HTML, follow_redirects=False)
    assert back.status_code == 303, back.text
    session.commit()  # ends the read snapshot (SQLite)
    session.refresh(user)
    assert user.skills_map_excluded is False
