"""``domain.languages``: which text of a per-language map a reader gets."""

from __future__ import annotations

import pytest

from badgeservice.domain.languages import label_in, match_language

LABELS = {"de": "Bearbeiten", "en": "Editing", "pt-BR": "Edição"}


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Bearbeiten"),
        ("de-CH", "Bearbeiten"),  # the base language
        ("pt", "Edição"),  # another tag of the base language
        ("ja", "Editing"),  # none: English
    ],
)
def test_a_label_in_the_readers_language_else_english(language: str, expected: str) -> None:
    assert label_in(LABELS, language, "Q1") == expected


def test_without_english_the_first_label_and_without_any_the_fallback() -> None:
    assert label_in({"fr": "Édition", "de": "Bearbeiten"}, "ja", "Q1") == "Édition"
    assert label_in({}, "en", "Q1") == "Q1"
    assert label_in({"en": "", "de": 3}, "en", "Q1") == "Q1"  # empty or not text: none


def test_match_language_prefers_the_exact_tag() -> None:
    assert match_language(["de", "de-CH"], "de-CH") == "de-CH"
    assert match_language(["en"], "ar") is None
