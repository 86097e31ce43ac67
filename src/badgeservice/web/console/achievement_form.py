"""The achievement editor's form ⇄ the API's achievement body (``AchievementIn``).

The form names its fields after the API's members, texts per language in brackets:
``name[de]``, ``description[de]``, ``narrative[de]`` (the criteria's), ``criteriaUrl``,
``imageUrl``, ``achievementType``, ``defaultLanguage``, ``tags`` (one a line),
``alignments[0][targetName]``, ``resultDescriptions[0][allowedValue]`` (one a line),
``creator[id]``, and ``languages`` (the editor's columns, space-separated). The posted form
becomes the API's body and is validated by the API's own model, so its errors are the API's;
an error's pointer (``/body/name/de``) names the field it belongs to (``name-de``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from badgeservice.domain.achievement import missing_texts
from badgeservice.domain.json_input import nul_pointer
from badgeservice.errors import FieldError, ValidationFailedError
from badgeservice.http.achievement_bodies import AchievementIn
from badgeservice.http.bodies import validate_body
from badgeservice.http.middleware import NUL_DETAIL

# Form field → where the API body keeps its texts by language.
TEXTS = {"name": ("name",), "description": ("description",), "narrative": ("criteria", "narrative")}
ALIGNMENT_FIELDS = (
    "targetName",
    "targetUrl",
    "targetCode",
    "targetFramework",
    "targetType",
    "targetDescription",
)
RESULT_FIELDS = ("name", "resultType", "allowedValue", "requiredValue", "valueMin", "valueMax")
CREATOR_FIELDS = ("id", "name", "url", "email")
ROWS = {"alignments": ALIGNMENT_FIELDS, "resultDescriptions": (*RESULT_FIELDS, "id")}
# Members whose errors belong to the first field of the member (a whole row, the criteria).
_FIRST_FIELD = {
    "alignments": "targetName",
    "resultDescriptions": "name",
    "creator": "id",
}
_NAME = re.compile(r"^([A-Za-z]+)((?:\[[^\[\]]*\])*)$")


@dataclass(frozen=True)
class AchievementForm:
    """The editor's state: the API body as typed (not yet validated) and the editor's
    languages, the default first."""

    body: dict[str, Any]
    languages: list[str]

    @property
    def default_language(self) -> str:
        return str(self.body.get("defaultLanguage") or self.languages[0])

    def text(self, name: str, language: str) -> str:
        return str(_texts(self.body, name).get(language, ""))

    def missing(self) -> dict[str, list[str]]:
        """What each language lacks of its texts (``domain.achievement.missing_texts``)."""
        texts = {name: _texts(self.body, name) for name in TEXTS}
        return missing_texts(texts, self.languages)

    def with_language(self, tag: str) -> AchievementForm:
        """The form with an empty column for ``tag`` (unchanged when it has one)."""
        if not tag or tag in self.languages:
            return self
        return AchievementForm(self.body, [*self.languages, tag])

    def with_row(self, member: str) -> AchievementForm:
        """The form with an empty row at the end of ``alignments`` or ``resultDescriptions``."""
        rows = [*self.body.get(member, []), {}]
        return AchievementForm(self.body | {member: rows}, self.languages)

    def without_row(self, member: str, index: int) -> AchievementForm:
        rows = [r for i, r in enumerate(self.body.get(member, [])) if i != index]
        return AchievementForm(self.body | {member: rows}, self.languages)


def _texts(body: Mapping[str, Any], name: str) -> dict[str, str]:
    texts: Any = body
    for member in TEXTS[name]:
        texts = texts.get(member) or {}
    return dict(texts)


def form_of_body(body: Mapping[str, Any], languages: list[str] | None = None) -> AchievementForm:
    """The editor's state for an API body (an achievement's ``wire_fields``, or a new one's
    ``{"defaultLanguage": "en"}``); its languages are those of its texts, default first."""
    default = str(body.get("defaultLanguage") or "en")
    seen = [tag for name in TEXTS for tag in _texts(body, name)]
    ordered = [default, *(languages or []), *seen]
    return AchievementForm(dict(body), list(dict.fromkeys(ordered)))


def parse_form(fields: Mapping[str, str]) -> AchievementForm:
    """The editor's state from the posted form's text fields. Blank fields are left out of
    the body; so are rows with nothing filled in."""
    default = fields.get("defaultLanguage", "").strip()
    texts: dict[str, dict[str, str]] = {name: {} for name in TEXTS}
    rows: dict[str, dict[int, dict[str, Any]]] = {member: {} for member in ROWS}
    creator: dict[str, str] = {}
    for key, value in fields.items():
        match = _NAME.match(key)
        if match is None or not value.strip():
            continue
        member, keys = match[1], re.findall(r"\[([^\[\]]*)\]", match[2])
        if member in TEXTS and len(keys) == 1:
            texts[member][keys[0]] = value
        elif member in ROWS and len(keys) == 2 and keys[0].isdigit() and keys[1] in ROWS[member]:
            rows[member].setdefault(int(keys[0]), {})[keys[1]] = _row_value(keys[1], value)
        elif member == "creator" and len(keys) == 1 and keys[0] in CREATOR_FIELDS:
            creator[keys[0]] = value.strip()
    body: dict[str, Any] = {
        "defaultLanguage": default or None,
        "name": texts["name"],
        "description": texts["description"],
        "criteria": _criteria(texts["narrative"], fields.get("criteriaUrl", "")),
        "tags": _lines(fields.get("tags", "")),
        **{member: [found[i] for i in sorted(found)] for member, found in rows.items()},
    }
    optional = {
        "achievementType": fields.get("achievementType", "").strip(),
        "image": {"url": fields["imageUrl"].strip()}
        if fields.get("imageUrl", "").strip()
        else None,
        "creator": creator,
        "shared": fields.get("shared") == "1",
    }
    body |= {member: value for member, value in optional.items() if value}
    languages = fields.get("languages", "").split()
    return form_of_body(body, languages)


def _row_value(name: str, value: str) -> Any:
    return _lines(value) if name == "allowedValue" else value.strip()


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _criteria(narratives: dict[str, str], url: str) -> dict[str, Any]:
    criteria: dict[str, Any] = {"narrative": narratives} if narratives else {}
    return criteria | ({"url": url.strip()} if url.strip() else {})


def achievement_in(form: AchievementForm) -> AchievementIn:
    """The API's body of the form, validated as the API validates it: a
    ``ValidationFailedError`` with the API's field errors (pointers under ``/body``)."""
    body = {key: value for key, value in form.body.items() if value is not None}
    for member in ROWS:
        body[member] = [row for row in body.get(member, []) if any(row.values())]
    nul = nul_pointer(body)
    if nul is not None:  # as the API refuses one in a JSON body (PostgreSQL cannot keep it)
        raise ValidationFailedError(errors=[FieldError(f"/body{nul}", NUL_DETAIL, "nul_character")])
    return validate_body(AchievementIn, body)


def error_field(error: FieldError, default_language: str) -> str:
    """The id of the form field an API field error belongs to: the image's errors to the
    file input, the others as ``field_id`` says."""
    return "image" if error.code == "image" else field_id(error.pointer, default_language)


def field_id(pointer: str, default_language: str) -> str:
    """The id of the form field an API error's pointer (``/body/alignments/0/targetUrl``)
    names: ``alignments-0-targetUrl``. An error of the whole body (a text missing in the
    default language) belongs to ``defaultLanguage``."""
    parts = pointer.split("/")[2:]
    if not parts:
        return "defaultLanguage"
    member = parts[0]
    if member == "criteria":
        if parts[1:2] == ["narrative"]:
            return f"narrative-{parts[2] if len(parts) > 2 else default_language}"
        return "criteriaUrl"
    if member in ("name", "description"):
        return f"{member}-{parts[1] if len(parts) > 1 else default_language}"
    if member == "image":
        return "imageUrl"
    if member in ROWS and len(parts) > 1:
        return "-".join([member, parts[1], parts[2] if len(parts) > 2 else _FIRST_FIELD[member]])
    if member == "creator":
        return f"creator-{parts[1] if len(parts) > 1 else 'id'}"
    return member
