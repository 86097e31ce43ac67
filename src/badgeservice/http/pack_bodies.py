"""The learning pack body (``POST``/``PATCH …/packs``): its shape here; the rules across steps
and groups (N-of-M, activities count for nothing, no cycles) in ``domain/pack.py``."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from badgeservice.domain.issuer import SLUG_PATTERN
from badgeservice.domain.languages import LanguageTagError, normalize_language
from badgeservice.domain.pack import Audience
from badgeservice.http.achievement_bodies import ShortTexts, Texts, _normalize_texts
from badgeservice.http.bodies import ApiModel, HttpUrl

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,49}$")]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=100)]


# What a step of each kind names: its target member (and none of the others).
TARGET_OF_KIND = {"achievement": "achievementId", "pack": "packSlug", "activity": "url"}


class ResourceIn(ApiModel):
    url: HttpUrl
    title: ShortTexts

    _languages = field_validator("title")(_normalize_texts)


class GroupIn(ApiModel):
    """N of the steps naming this group are needed."""

    key: Key
    required: int = Field(ge=1, le=100)


class StepIn(ApiModel):
    kind: Literal["achievement", "pack", "activity"]
    achievement_id: uuid.UUID | None = Field(default=None, description="kind achievement")
    pack_slug: Slug | None = Field(
        default=None, description="kind pack: a pack of the issuer, or of `packIssuer`"
    )
    pack_issuer: Slug | None = Field(
        default=None, description="kind pack: another issuer whose shared pack this is"
    )
    url: HttpUrl | None = Field(default=None, description="kind activity: where to do it")
    title: ShortTexts | None = None
    required: bool | None = Field(default=None, description="default: true, false for activity")
    group: Key | None = None
    resources: list[ResourceIn] = Field(default_factory=list, max_length=20)

    _languages = field_validator("title")(_normalize_texts)

    @model_validator(mode="after")
    def _target(self) -> StepIn:
        wanted = TARGET_OF_KIND[self.kind]
        given = {
            "achievementId": self.achievement_id,
            "packSlug": self.pack_slug,
            "url": self.url,
        }
        if given[wanted] is None:
            raise ValueError(f"a step of kind {self.kind} needs {wanted}")
        if self.pack_issuer is not None and self.kind != "pack":
            given["packIssuer"] = self.pack_issuer
        others = [k for k, v in given.items() if v is not None and k != wanted]
        if others:
            raise ValueError(f"a step of kind {self.kind} has no {', '.join(others)}")
        if self.kind == "activity" and self.title is None:
            raise ValueError("an activity step needs a title")
        return self


class PackIn(ApiModel):
    slug: Slug
    default_language: Annotated[str, StringConstraints(min_length=2, max_length=35)] = "en"
    name: ShortTexts
    description: Texts | None = None
    audience: Audience = "newcomer"
    shared: bool = False
    achievement_id: uuid.UUID | None = Field(
        default=None, description="The achievement awarded, once, when the pack is complete."
    )
    groups: list[GroupIn] = Field(default_factory=list, max_length=50)
    steps: list[StepIn] = Field(min_length=1, max_length=100)

    _languages = field_validator("name", "description")(_normalize_texts)

    @field_validator("default_language")
    @classmethod
    def _tag(cls, value: str) -> str:
        try:
            return normalize_language(value)
        except LanguageTagError as exc:
            raise ValueError(str(exc)) from exc

    @model_validator(mode="after")
    def _default_named(self) -> PackIn:
        if self.default_language not in self.name:
            raise ValueError(f"name needs a text in the default language {self.default_language}")
        return self
