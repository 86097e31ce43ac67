"""Which translated texts of an achievement each of its languages still lacks."""

from __future__ import annotations

import pytest

from badgeservice.domain.achievement import missing_texts

TEXTS = {
    "name": {"en": "Editing basics", "de": "Grundlagen", "ar": "أساسيات"},
    "description": {"en": "Edited an article.", "de": "Einen Artikel bearbeitet.", "ar": " "},
    "narrative": {"en": "Attend the workshop."},
}


def test_missing_texts_names_each_lacking_field_per_language() -> None:
    missing = missing_texts(TEXTS, ["en", "de", "ar", "fr"])
    assert missing == {
        "de": ["narrative"],
        "ar": ["description", "narrative"],
        "fr": ["name", "description", "narrative"],
    }


@pytest.mark.parametrize("narratives", [{}, {"en": "", "de": "  "}])
def test_missing_texts_skips_the_narrative_when_no_language_has_one(
    narratives: dict[str, str],
) -> None:
    texts = TEXTS | {"narrative": narratives}
    assert missing_texts(texts, ["en", "de", "ja"]) == {"ja": ["name", "description"]}


def test_missing_texts_needs_name_and_description_even_when_absent() -> None:
    assert missing_texts({}, ["en"]) == {"en": ["name", "description"]}
