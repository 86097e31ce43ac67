"""The preview of an achievement not saved yet: the credential page's view in a chosen
language, built without signing or storing anything."""

from __future__ import annotations

import uuid

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from badgeservice.db.models import Achievement
from badgeservice.http.achievement_bodies import AchievementIn
from badgeservice.services import achievements, previews
from badgeservice.web.credential_page import preview_context
from tests.factories import ACHIEVEMENT, BASE_URL, create_issuer, make_png
from tests.integration.conftest import FIXED_MOMENT
from tests.integration.test_reads_do_not_write import snapshot


def fields(**changes: object) -> dict[str, object]:
    body = AchievementIn.model_validate(ACHIEVEMENT | changes)
    return body.model_dump(mode="json", by_alias=True, exclude_none=True)


def test_preview_of_a_new_achievement_writes_nothing(session: Session, test_engine: Engine) -> None:
    issuer = create_issuer(session)
    before = snapshot(test_engine)
    definition = achievements.draft_definition(fields(), BASE_URL)
    document = previews.preview_credential(
        issuer, definition, "de", "Ada", base_url=BASE_URL, now=FIXED_MOMENT
    )
    context = preview_context(document, issuer.slug, "Ada", "en", BASE_URL, FIXED_MOMENT)
    session.flush()
    assert not session.new
    assert not session.dirty
    assert snapshot(test_engine) == before
    assert "proof" not in document
    assert context["preview"] is True
    assert context["achievement"]["name"] == "Grundlagen der Wikipedia-Bearbeitung"
    assert context["content_lang"] == "de"
    assert context["recipient_name"] == "Ada"
    assert str(uuid.UUID(int=0)) in context["achievement"]["id"]


def test_preview_of_an_edit_keeps_the_uploaded_image_and_changes_nothing(
    session: Session, test_engine: Engine
) -> None:
    issuer = create_issuer(session)
    achievement = achievements.create_achievement(session, issuer, fields(), actor="test")
    achievements.set_achievement_image(session, achievement, make_png(), actor="test")
    session.commit()
    before = snapshot(test_engine)
    changed = fields(name={"en": "Renamed"})
    definition = achievements.draft_definition(changed, BASE_URL, achievement)
    document = previews.preview_credential(
        issuer, definition, "en", "Ada", base_url=BASE_URL, now=FIXED_MOMENT
    )
    assert document["credentialSubject"]["achievement"]["name"] == "Renamed"
    assert str(achievement.image_id) in document["credentialSubject"]["achievement"]["image"]["id"]
    stored = session.get(Achievement, achievement.id)
    assert stored is not None
    assert stored.name == ACHIEVEMENT["name"]
    assert not session.dirty
    assert snapshot(test_engine) == before
