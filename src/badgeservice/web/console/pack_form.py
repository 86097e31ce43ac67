"""The learning pack editor's form ⇄ the API's pack body (``http/pack_bodies.PackIn``).

The form names its fields after the API's members, texts per language in brackets, rows by
number: ``slug``, ``audience``, ``defaultLanguage``, ``name[de]``, ``description[de]``,
``achievementId``, ``groups[0][key]``, ``groups[0][required]``, ``steps[0][kind]``,
``steps[0][achievementId]``, ``steps[0][packSlug]``, ``steps[0][url]``,
``steps[0][title][de]``, ``steps[0][required]`` (``yes``/``no``), ``steps[0][group]``,
``steps[0][resources][0][url]``, ``steps[0][resources][0][title][de]``, and ``languages``
(the editor's languages, space-separated). Rows left blank are dropped and the others
numbered again, so the pointers of the API's errors (``/body/steps/1/packSlug``) name the
rows as the page shows them next (``steps-1-packSlug``). A step keeps only the target its
kind names (``TARGET_OF_KIND``): a choice left over from another kind is not an error."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from badgeservice.errors import FieldError
from badgeservice.http.bodies import validate_body
from badgeservice.http.pack_bodies import TARGET_OF_KIND, PackIn

_NAME = re.compile(r"^([A-Za-z]+)((?:\[[^\[\]]*\])*)$")
_KEYS = re.compile(r"\[([^\[\]]*)\]")
# What the form sets; a pack's other members (``shared``) stay as they are.
FORM_MEMBERS = (
    "slug",
    "defaultLanguage",
    "audience",
    "name",
    "description",
    "achievementId",
    "groups",
    "steps",
)
STEP_TARGETS = tuple(TARGET_OF_KIND.values())
# The pack select names another issuer's shared pack as ``{issuer}/{pack}`` (a slug has no /).
OTHER_PACK = "/"


@dataclass(frozen=True)
class PackForm:
    """The editor's state: the API body as typed (not yet validated) and its languages, the
    default first."""

    body: dict[str, Any]
    languages: list[str]

    @property
    def default_language(self) -> str:
        return str(self.body.get("defaultLanguage") or self.languages[0])

    def with_language(self, tag: str) -> PackForm:
        """The form with inputs for ``tag`` (unchanged when it has them)."""
        if not tag or tag in self.languages:
            return self
        return PackForm(self.body, [*self.languages, tag])


def _tags(body: Mapping[str, Any]) -> list[str]:
    """The languages of every text of a pack body."""
    tags = [*(body.get("name") or {}), *(body.get("description") or {})]
    for step in body.get("steps") or []:
        tags += [*(step.get("title") or {})]
        for resource in step.get("resources") or []:
            tags += [*(resource.get("title") or {})]
    return tags


def form_of_body(body: Mapping[str, Any], languages: list[str] | None = None) -> PackForm:
    """The editor's state for an API body (``packs.body`` of a pack, or a new one's
    ``{"defaultLanguage": "en"}``)."""
    default = str(body.get("defaultLanguage") or "en")
    ordered = [default, *(languages or []), *_tags(body)]
    shown = dict(body)
    if body.get("steps"):
        shown["steps"] = [_selected(step) for step in body["steps"]]
    return PackForm(shown, list(dict.fromkeys(ordered)))


def _split(step: Mapping[str, Any]) -> dict[str, Any]:
    """A step as the API takes it: ``issuer/pack`` as ``packIssuer`` and ``packSlug``."""
    out = dict(step)
    if step.get("kind") == "pack" and OTHER_PACK in str(step.get("packSlug") or ""):
        out["packIssuer"], _, out["packSlug"] = str(step["packSlug"]).partition(OTHER_PACK)
    return out


def _selected(step: Mapping[str, Any]) -> dict[str, Any]:
    """A step as the pack select shows it: another issuer's pack as ``issuer/pack``."""
    out = {k: v for k, v in step.items() if k != "packIssuer"}
    if step.get("packIssuer"):
        out["packSlug"] = f"{step['packIssuer']}{OTHER_PACK}{step.get('packSlug')}"
    return out


def _nested(fields: Mapping[str, str]) -> dict[str, Any]:
    """``steps[0][title][de]=…`` as ``{"steps": {"0": {"title": {"de": …}}}}`` (blank values
    and names that are not of this shape left out)."""
    tree: dict[str, Any] = {}
    for key, value in fields.items():
        match = _NAME.match(key)
        if match is None or not value.strip():
            continue
        node = tree
        path = [match[1], *_KEYS.findall(match[2])]
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                break
            node = child
        else:
            node.setdefault(path[-1], value.strip())
    return tree


def _rows(value: Any) -> list[dict[str, Any]]:
    """Numbered rows in their order (anything not numbered or not a row left out)."""
    if not isinstance(value, dict):
        return []
    numbered = [(int(k), v) for k, v in value.items() if k.isdigit() and isinstance(v, dict)]
    return [row for _number, row in sorted(numbered)]


def _texts(value: Any) -> dict[str, str]:
    return {k: v for k, v in value.items() if isinstance(v, str)} if isinstance(value, dict) else {}


def _resource(row: dict[str, Any]) -> dict[str, Any] | None:
    resource = {"url": row.get("url"), "title": _texts(row.get("title"))}
    return resource if resource["url"] or resource["title"] else None


def _step(row: dict[str, Any]) -> dict[str, Any] | None:
    """A step row as the API's step, or ``None`` when nothing of it was filled in (its kind
    and its required choice always are)."""
    resources = [r for r in map(_resource, _rows(row.get("resources"))) if r]
    title = _texts(row.get("title"))
    filled = [row.get(target) for target in STEP_TARGETS] + [row.get("group"), title, resources]
    if not any(filled):
        return None
    kind = row.get("kind", "")
    step: dict[str, Any] = {"kind": kind, "title": title or None, "resources": resources}
    target = TARGET_OF_KIND.get(kind)
    if target and row.get(target):
        step[target] = row[target]
    required = {"yes": True, "no": False}.get(row.get("required", ""))
    if required is not None:
        step["required"] = required
    if row.get("group"):
        step["group"] = row["group"]
    return step


def parse_form(fields: Mapping[str, str]) -> PackForm:
    """The editor's state from the posted form's text fields."""
    tree = _nested(fields)
    groups = [
        {"key": row.get("key"), "required": row.get("required")}
        for row in _rows(tree.get("groups"))
        if row.get("key")
    ]
    body: dict[str, Any] = {
        "slug": fields.get("slug", "").strip(),
        "defaultLanguage": fields.get("defaultLanguage", "").strip() or None,
        "audience": fields.get("audience", "").strip() or None,
        "name": _texts(tree.get("name")),
        "description": _texts(tree.get("description")) or None,
        "achievementId": fields.get("achievementId", "").strip() or None,
        "groups": groups,
        "steps": [s for s in map(_step, _rows(tree.get("steps"))) if s],
    }
    return form_of_body(body, fields.get("languages", "").split())


def pack_fields(form: PackForm, current: dict[str, Any] | None) -> dict[str, Any]:
    """The service's fields for the form, merged onto the pack's ``current`` body (as the
    API's PATCH merges, ``steps`` and ``groups`` whole) and validated by the API's model: a
    ``ValidationFailedError`` with the API's field errors."""
    typed = {member: form.body.get(member) for member in FORM_MEMBERS}
    typed["steps"] = [_split(step) for step in typed.get("steps") or []]
    merged = (current or {}) | typed
    merged = {member: value for member, value in merged.items() if value is not None}
    body = validate_body(PackIn, merged)
    return body.model_dump(mode="json", by_alias=True, exclude_none=True)


def field_id(error: FieldError, default_language: str) -> str:
    """The id of the form field an API error's pointer names: ``/body/steps/1/title/de`` is
    ``steps-1-title-de``; an error of a whole step belongs to its kind, of a whole group to
    its key, of a whole text map or the body (the name in the default language) to the
    default language's input."""
    parts = error.pointer.split("/")[2:]
    if not parts:
        return f"name-{default_language}"
    if parts[0] in ("name", "description"):
        return f"{parts[0]}-{parts[1] if len(parts) > 1 else default_language}"
    if parts[0] in ("groups", "steps") and len(parts) > 1 and parts[1].isdigit():
        return "-".join(_row_parts(parts, default_language))
    return parts[0]


def _row_parts(parts: list[str], default_language: str) -> list[str]:
    first = {"groups": "key", "steps": "kind"}[parts[0]]
    if len(parts) == 2:
        return [*parts, first]
    if parts[2] == "title":
        return [*parts[:3], parts[3] if len(parts) > 3 else default_language]
    if parts[2] == "resources":
        resource = parts[3:4] or ["0"]
        rest = parts[4:] or ["url"]
        if rest[0] == "title":
            rest = ["title", rest[1] if len(rest) > 1 else default_language]
        return [*parts[:3], *resource, *rest]
    return parts[:3]
