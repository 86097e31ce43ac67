from __future__ import annotations

import pytest

from badgeservice.domain.achievement import AchievementDefinition, build_achievement
from badgeservice.domain.languages import LanguageTagError, normalize_language, pick_text
from badgeservice.domain.merge_patch import merge_patch

URL = "https://badges.example.org/achievements/1"


def definition(**overrides: object) -> AchievementDefinition:
    fields: dict[str, object] = {
        "url": URL,
        "default_language": "en",
        "name": {"en": "Editing basics", "de": "Grundlagen", "ar": "أساسيات التحرير"},
        "description": {"en": "Edited an article.", "de": "Einen Artikel bearbeitet."},
        "criteria_narrative": {"en": "Attend the workshop."},
        "alignments": [
            {"targetName": "edit wikis", "targetUrl": "http://data.europa.eu/esco/skill/x"}
        ],
    }
    return AchievementDefinition(**(fields | overrides))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("language", "name", "description", "in_language"),
    [
        (None, "Editing basics", "Edited an article.", "en"),
        ("de", "Grundlagen", "Einen Artikel bearbeitet.", "de"),
        ("de-CH", "Grundlagen", "Einen Artikel bearbeitet.", "de"),
        ("ar", "أساسيات التحرير", "Edited an article.", "ar"),
        ("ja", "Editing basics", "Edited an article.", "en"),
    ],
)
def test_achievement_renders_in_language_with_fallback(
    language: str | None, name: str, description: str, in_language: str
) -> None:
    document = build_achievement(definition(), language)
    assert document["name"] == name
    assert document["description"] == description
    assert document["inLanguage"] == in_language
    assert document["criteria"] == {"narrative": "Attend the workshop."}
    related = {r["inLanguage"]: r["id"] for r in document["related"]}
    assert in_language not in related
    assert related.keys() == {"en", "de", "ar"} - {in_language}
    assert all(r["type"] == ["Related"] for r in document["related"])


def test_achievement_has_ob_shapes() -> None:
    document = build_achievement(
        definition(image_url="https://x.org/i.png", tags=["wiki"], achievement_type="Badge")
    )
    assert document["type"] == ["Achievement"]
    assert document["image"] == {
        "id": "https://x.org/i.png",
        "type": "Image",
        "caption": "Editing basics",
    }
    assert document["alignment"][0]["type"] == ["Alignment"]
    assert document["tag"] == ["wiki"]
    assert document["achievementType"] == "Badge"


@pytest.mark.parametrize(
    ("tag", "expected"), [("en", "en"), ("en_us", "en-US"), ("zh-hant-tw", "zh-Hant-TW")]
)
def test_language_tags_are_normalized(tag: str, expected: str) -> None:
    assert normalize_language(tag) == expected


@pytest.mark.parametrize("tag", ["", "klingon", "en-US-US-US", "12"])
def test_bad_language_tags_are_refused(tag: str) -> None:
    with pytest.raises(LanguageTagError):
        normalize_language(tag)


def test_pick_text_prefers_exact_then_base_then_default() -> None:
    texts = {"en": "a", "pt-BR": "b"}
    assert pick_text(texts, "pt-BR", "en") == ("pt-BR", "b")
    assert pick_text(texts, "pt", "en") == ("pt-BR", "b")
    assert pick_text(texts, "fr", "en") == ("en", "a")


@pytest.mark.parametrize(
    ("target", "patch", "result"),
    [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
        ({"a": [1]}, {"a": [2]}, {"a": [2]}),
        ({"a": "b"}, ["c"], ["c"]),
    ],
)
def test_merge_patch_follows_rfc7396(target: object, patch: object, result: object) -> None:
    assert merge_patch(target, patch) == result
