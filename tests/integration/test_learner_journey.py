"""A learner's whole journey, end to end against the local Wikimedia OAuth provider
(tests/oauth_provider.py): credentials are issued to a Wikimedia username before its owner
ever signs in; the owner signs in with Wikimedia, finds them in the backpack, hides one, makes
a public profile, and the profile page, its badges.json feed and the ZIP download show exactly
what was chosen. Both databases.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from badgeservice.db.models import Credential
from tests.factories import ACHIEVEMENT, ISSUER_API, bearer, create_issuer, create_token
from tests.oauth_provider import OAuthProvider, sign_in_with_wikimedia

HTML = {"Accept": "text/html"}


def csrf_of(client: TestClient, path: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', client.get(path, headers=HTML).text)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def issue_to_username(client: TestClient, headers: dict[str, str], name: str) -> dict[str, Any]:
    body = ACHIEVEMENT | {"name": {"en": name}, "description": {"en": "A workshop."}}
    achievement = client.post(f"{ISSUER_API}/achievements", json=body, headers=headers).json()
    payload = {
        "achievementId": achievement["id"],
        "recipient": {"wikimediaUsername": "ada_Lovelace"},
    }
    response = client.post(f"{ISSUER_API}/credentials", json=payload, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_learner_signs_in_with_wikimedia_and_owns_what_was_issued_to_the_username(
    sign_in_app: FastAPI,
    sign_in_client: TestClient,
    oauth_provider: OAuthProvider,
    session: Session,
) -> None:
    client = sign_in_client
    headers = bearer(create_token(session, create_issuer(session)))
    shown = issue_to_username(client, headers, "Editing basics")
    hidden = issue_to_username(client, headers, "Citing sources")

    # Signing in binds the username to the account: "ada_Lovelace" is "Ada Lovelace" the
    # MediaWiki way (first letter upper-case, underscores as spaces; the rest is case-sensitive).
    oauth_provider.user = {"sub": "40123", "username": "Ada Lovelace"}
    assert sign_in_with_wikimedia(client, oauth_provider, "/me").status_code == 303
    backpack = client.get("/me", headers=HTML)
    assert backpack.status_code == 200
    assert "Editing basics" in backpack.text
    assert "Citing sources" in backpack.text

    # Hide one: its page says only that it is private, its JSON is gone for strangers.
    form = {"csrf": csrf_of(client, "/me"), "json_public": "1"}
    answer = client.post(f"/me/credentials/{hidden['id']}/visibility", data=form, headers=HTML)
    assert answer.status_code == 303, answer.text
    form = {"csrf": csrf_of(client, "/me")} | dict.fromkeys(
        ("page_public", "json_public", "on_profile"), "1"
    )
    answer = client.post(f"/me/credentials/{shown['id']}/visibility", data=form, headers=HTML)
    assert answer.status_code == 303, answer.text

    # A public profile with a handle.
    form = {
        "csrf": csrf_of(client, "/me/profile"),
        "handle": "ada-lovelace",
        "display_name": "Ada",
        "profile_public": "1",
    }
    assert client.post("/me/profile", data=form, headers=HTML).status_code == 303

    with TestClient(sign_in_app, raise_server_exceptions=False) as stranger:
        private_page = stranger.get(f"/credentials/{hidden['id']}", headers=HTML)
        assert private_page.status_code == 404
        assert "Citing sources" not in private_page.text
        assert stranger.get(f"/credentials/{shown['id']}", headers=HTML).status_code == 200
        profile = stranger.get("/people/ada-lovelace", headers=HTML)
        assert profile.status_code == 200
        assert "Editing basics" in profile.text
        assert "Citing sources" not in profile.text
        feed = stranger.get("/people/ada-lovelace/badges.json")
        assert feed.status_code == 200
        assert feed.headers["access-control-allow-origin"] == "*"
        listed = json.dumps(feed.json())
        assert shown["id"] in listed
        assert hidden["id"] not in listed

    # The ZIP holds both, each signed credential byte for byte as stored.
    download = client.get("/me/download.zip")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    session.rollback()
    for issued in (shown, hidden):
        stored = session.get_one(Credential, uuid.UUID(issued["id"]))
        [name] = [n for n in archive.namelist() if n.endswith(f"{issued['id'][:8]}.json")]
        assert archive.read(name) == stored.document.encode()
