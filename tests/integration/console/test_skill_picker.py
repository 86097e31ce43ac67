"""The achievement editor's skill picker: with a framework imported, staff find a skill by a
word of its name in any language and add it as an alignment row, filled in as the API would;
the saved achievement carries it."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from badgeservice.services import frameworks
from tests.integration.console.conftest import ConsoleClient
from tests.integration.console.test_achievements import FORM, NEW, post, stored

CAPACITIES = [
    {"id": 1, "skill_wikidata_item": "Q1", "labels": {"en": "Community", "de": "Gemeinschaft"}},
    {"id": 7, "skill_wikidata_item": "Q7", "skill_type": [1],
     "labels": {"en": "Organising events", "de": "Veranstaltungen organisieren"}},
]  # fmt: skip


def test_without_frameworks_the_picker_is_not_shown(
    console_client: ConsoleClient, session: Session
) -> None:
    page = console_client("editor").get(NEW, headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert 'id="skill-picker"' not in page.text


def test_staff_find_a_skill_in_any_language_and_add_it_once(
    console_client: ConsoleClient, session: Session
) -> None:
    now = datetime(2026, 12, 1, tzinfo=UTC)
    frameworks.import_framework(
        session, "capx", json.dumps(CAPACITIES).encode(), now=now, actor="t"
    )
    session.commit()
    editor = console_client("editor")
    assert 'id="skill-picker"' in editor.get(NEW, headers={"Accept": "text/html"}).text
    found = post(editor, NEW, FORM | {"action": "find-skills", "skillQuery": "veranstaltungen"})
    assert found.status_code == 200, found.text
    assert 'value="pick-skill:capx:Q7"' in found.text
    assert "Add “Organising events”" in found.text  # named in the page's language
    none = post(editor, NEW, FORM | {"action": "find-skills", "skillQuery": "astronomy"})
    assert "No skill matches “astronomy”." in none.text
    added = post(editor, NEW, FORM | {"action": "pick-skill:capx:Q7", "skillQuery": "event"})
    assert 'value="http://www.wikidata.org/entity/Q7"' in added.text
    assert 'value="ext:WikidataItem"' in added.text
    assert re.search(
        r'name="alignments\[1\]\[targetName\]"[^>]*value="Organising events"', added.text
    )
    fields = FORM | {
        "alignments[1][targetName]": "Organising events",
        "alignments[1][targetUrl]": "http://www.wikidata.org/entity/Q7",
        "alignments[1][targetCode]": "Q7",
        "alignments[1][targetFramework]": "Wikimedia Capacity Exchange",
        "alignments[1][targetType]": "ext:WikidataItem",
    }
    again = post(editor, NEW, fields | {"action": "pick-skill:capx:Q7"})
    assert "alignments[2][targetName]" not in again.text  # the same skill is not added twice
    saved = post(editor, NEW, fields | {"action": "save"})
    assert saved.status_code == 303, saved.text
    [achievement] = stored(session)
    assert [a["targetCode"] for a in achievement.alignments if "targetCode" in a] == ["Q7"]
    unknown = post(editor, NEW, FORM | {"action": "pick-skill:capx:Q999"})
    assert unknown.status_code == 200
    assert "Q999" not in unknown.text
