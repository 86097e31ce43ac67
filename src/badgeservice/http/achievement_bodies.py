"""The achievement bodies the API and the console share: multilingual texts as maps of BCP 47
tag → text (a console form is validated as the API validates the body it stands for)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import Field, StringConstraints, field_validator, model_validator

from badgeservice.domain.achievement import (
    ACHIEVEMENT_TYPES,
    ALIGNMENT_TARGET_TYPES,
    EXTENSION_PATTERN,
    RESULT_TYPES,
)
from badgeservice.domain.catalogue import sharing_problem
from badgeservice.domain.languages import LanguageTagError, normalize_language
from badgeservice.http.bodies import ApiModel, Email, HttpUrl

Text = Annotated[str, StringConstraints(min_length=1, max_length=10_000, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500, strip_whitespace=True)]
Texts = Annotated[dict[str, Text], Field(min_length=1, max_length=100)]
ShortTexts = Annotated[dict[str, ShortText], Field(min_length=1, max_length=100)]


def _normalize_texts(texts: dict[str, str] | None) -> dict[str, str] | None:
    if texts is None:
        return None
    normalized: dict[str, str] = {}
    for tag, text in texts.items():
        try:
            normalized[normalize_language(tag)] = text
        except LanguageTagError as exc:
            raise ValueError(str(exc)) from exc
    return normalized


def _check_vocabulary(value: str | None, known: list[str], what: str) -> str | None:
    if value is None or value in known or value.startswith("ext:"):
        return value
    raise ValueError(f"unknown {what} '{value}'; use one of {', '.join(known)} or 'ext:Name'")


class CriteriaIn(ApiModel):
    narrative: Texts | None = Field(default=None, description="Markdown, per language.")
    url: HttpUrl | None = Field(default=None, description="A page describing the criteria.")

    _languages = field_validator("narrative")(_normalize_texts)

    @model_validator(mode="after")
    def _something(self) -> CriteriaIn:
        if self.narrative is None and self.url is None:
            raise ValueError("criteria needs a narrative, a url, or both")
        return self


class AlignmentIn(ApiModel):
    """A skill or competency the achievement aligns to, e.g. an ESCO skill."""

    target_name: ShortText = Field(examples=["edit wikis"])
    target_url: HttpUrl = Field(examples=["http://data.europa.eu/esco/skill/example"])
    target_framework: ShortText | None = Field(default=None, examples=["ESCO"])
    target_code: ShortText | None = None
    target_description: Text | None = None
    target_type: str | None = Field(default=None, examples=["ceasn:Competency"])

    @field_validator("target_type")
    @classmethod
    def _target_type(cls, value: str | None) -> str | None:
        return _check_vocabulary(value, ALIGNMENT_TARGET_TYPES, "targetType")


class ResultDescriptionIn(ApiModel):
    id: str | None = Field(default=None, description="Kept across edits; assigned when absent.")
    name: ShortText
    result_type: str = Field(examples=["Percent"])
    allowed_value: list[ShortText] | None = None
    required_value: ShortText | None = None
    value_min: ShortText | None = None
    value_max: ShortText | None = None

    @field_validator("result_type")
    @classmethod
    def _result_type(cls, value: str) -> str:
        return str(_check_vocabulary(value, RESULT_TYPES, "resultType"))


class CreatorIn(ApiModel):
    id: HttpUrl
    name: ShortText
    url: HttpUrl | None = None
    email: Email | None = None


class ImageRefIn(ApiModel):
    url: HttpUrl


class AchievementIn(ApiModel):
    default_language: str = Field(default="en", examples=["de"])
    name: ShortTexts = Field(examples=[{"en": "Wikipedia editing basics", "de": "Grundlagen"}])
    description: Texts = Field(examples=[{"en": "Completed the editing workshop."}])
    criteria: CriteriaIn
    image: ImageRefIn | None = None
    achievement_type: str | None = Field(default=None, examples=["Badge"])
    tags: list[ShortText] = Field(default_factory=list, max_length=50)
    alignments: list[AlignmentIn] = Field(default_factory=list, max_length=100)
    result_descriptions: list[ResultDescriptionIn] = Field(default_factory=list, max_length=50)
    creator: CreatorIn | None = None
    shared: bool = Field(
        default=False,
        description="In the shared catalogue: other issuers may issue it with their own "
        "signature. Needs `achievementType: Competency`; its `creator` becomes this issuer.",
    )

    _languages = field_validator("name", "description")(_normalize_texts)

    @field_validator("default_language")
    @classmethod
    def _default_language(cls, value: str) -> str:
        try:
            return normalize_language(value)
        except LanguageTagError as exc:
            raise ValueError(str(exc)) from exc

    @field_validator("achievement_type")
    @classmethod
    def _achievement_type(cls, value: str | None) -> str | None:
        if (
            value is not None
            and value.startswith("ext:")
            and not re.match(EXTENSION_PATTERN, value)
        ):
            raise ValueError("extension types look like 'ext:Name'")
        return _check_vocabulary(value, ACHIEVEMENT_TYPES, "achievementType")

    @model_validator(mode="after")
    def _shared_is_a_competency(self) -> AchievementIn:
        problem = sharing_problem(self.shared, self.achievement_type, self.creator is not None)
        if problem is not None:
            raise ValueError(problem)
        return self

    @model_validator(mode="after")
    def _default_language_everywhere(self) -> AchievementIn:
        lang = self.default_language
        for label, texts in (
            ("name", self.name),
            ("description", self.description),
            ("criteria.narrative", self.criteria.narrative),
        ):
            if texts is not None and lang not in texts:
                raise ValueError(f"{label} has no text in the default language '{lang}'")
        return self
