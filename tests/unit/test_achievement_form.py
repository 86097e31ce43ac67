"""The achievement editor's form ⇄ the API's body: validated by the API's model, each error
pointing at its form field."""

from __future__ import annotations

import pytest

from badgeservice.errors import ValidationFailedError
from badgeservice.web.console.achievement_form import (
    achievement_in,
    field_id,
    form_of_body,
    parse_form,
)

FORM = {
    "csrf": "x",
    "languages": "en de",
    "defaultLanguage": "en",
    "name[en]": "Editing basics",
    "name[de]": "Grundlagen",
    "description[en]": "Edited an article.",
    "description[de]": "  ",
    "narrative[en]": "Attend the workshop.",
    "criteriaUrl": "",
    "achievementType": "Badge",
    "tags": "wikipedia\n\n editing \n",
    "alignments[0][targetName]": "edit wikis",
    "alignments[0][targetUrl]": "http://data.europa.eu/esco/skill/x",
    "alignments[1][targetName]": "",
    "resultDescriptions[0][name]": "Score",
    "resultDescriptions[0][resultType]": "Percent",
    "resultDescriptions[0][allowedValue]": "pass\nfail",
    "creator[id]": "",
}


def test_form_becomes_the_api_body() -> None:
    body = achievement_in(parse_form(FORM)).model_dump(
        mode="json", by_alias=True, exclude_none=True
    )
    assert body["name"] == {"en": "Editing basics", "de": "Grundlagen"}
    assert body["description"] == {"en": "Edited an article."}
    assert body["criteria"] == {"narrative": {"en": "Attend the workshop."}}
    assert body["tags"] == ["wikipedia", "editing"]
    assert body["alignments"] == [
        {"targetName": "edit wikis", "targetUrl": "http://data.europa.eu/esco/skill/x"}
    ]
    assert body["resultDescriptions"][0]["allowedValue"] == ["pass", "fail"]
    assert "creator" not in body


def test_form_keeps_its_languages_and_says_what_each_lacks() -> None:
    form = parse_form(FORM | {"languages": "en de fr"})
    assert form.languages == ["en", "de", "fr"]
    assert form.missing() == {
        "de": ["description", "narrative"],
        "fr": ["name", "description", "narrative"],
    }


def test_stored_body_round_trips_through_the_form() -> None:
    body = achievement_in(parse_form(FORM)).model_dump(mode="json", by_alias=True)
    form = form_of_body(body)
    assert form.languages == ["en", "de"]
    assert form.text("narrative", "en") == "Attend the workshop."


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"alignments[0][targetUrl]": "not a url"}, "alignments-0-targetUrl"),
        ({"name[en]": ""}, "defaultLanguage"),
        ({"description[en]": ""}, "description-en"),
        ({"narrative[en]": ""}, "criteriaUrl"),
        ({"creator[name]": "Ada"}, "creator-id"),
        ({"imageUrl": "ftp://x"}, "imageUrl"),
        ({"achievementType": "Nonsense"}, "achievementType"),
        ({"resultDescriptions[0][resultType]": "Nope"}, "resultDescriptions-0-resultType"),
    ],
)
def test_api_errors_point_at_form_fields(changes: dict[str, str], field: str) -> None:
    form = parse_form(FORM | changes)
    with pytest.raises(ValidationFailedError) as caught:
        achievement_in(form)
    ids = {field_id(e.pointer, form.default_language) for e in caught.value.errors}
    assert field in ids


def test_rows_are_added_and_removed() -> None:
    form = parse_form(FORM).with_row("alignments")
    assert form.body["alignments"][-1] == {}
    assert achievement_in(form).alignments[0].target_name == "edit wikis"
    assert form.without_row("alignments", 0).body["alignments"] == [{}]
