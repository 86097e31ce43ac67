"""Reading skill framework files: the Capacity Exchange's capacities, ESCO's CSV download and a
CASE ``CFPackage``. Pure: bytes in, a :class:`ParsedFramework` out, or a ValidationFailedError
that says what is wrong with the file.

- **capx**: a JSON export shaped like the Capacity Exchange's skills list (a list, or an object
  with ``results``, of ``{"id", "skill_wikidata_item": "Q…", "skill_type": parent id(s),
  "skill_name"/"labels", "skill_description"/"descriptions"}``), or a Wikidata SPARQL JSON
  result (``results.bindings`` with ``item``, ``itemLabel`` and ``itemDescription`` in any
  number of languages, and ``broader``). An item is its QID.
- **esco**: ``skills_{lang}.csv`` (one per language, merged) and, for the hierarchy,
  ``broaderRelationsSkillPillar_{lang}.csv``; an item is the UUID of its ``conceptUri``.
- **case**: one ``CFPackage`` (``CFDocument``, ``CFItems``, ``CFAssociations``); the hierarchy
  is its ``isChildOf`` associations; an item is its ``identifier``.

See: https://esco.ec.europa.eu/en/use-esco/download
See: https://www.imsglobal.org/spec/case/v1p1
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from badgeservice.domain.languages import normalize_language
from badgeservice.errors import ValidationFailedError

__all__ = [
    "KINDS",
    "MAX_ITEMS",
    "ParsedFramework",
    "ParsedItem",
    "parse_capx",
    "parse_case",
    "parse_esco",
]

KINDS = ("capx", "esco", "case")
MAX_ITEMS = 50_000
MAX_TEXT = 2_000
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"
QID = re.compile(r"^Q[1-9][0-9]{0,11}$")
ESCO_FILE = re.compile(
    r"(?:^|/)(skills|broaderRelationsSkillPillar)_([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\.csv$"
)


@dataclass
class ParsedItem:
    code: str
    url: str
    parent_code: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    other_labels: list[str] = field(default_factory=list)
    item_type: str | None = None
    human_code: str | None = None


@dataclass
class ParsedFramework:
    name: str
    title: dict[str, str]
    items: list[ParsedItem]
    url: str | None = None
    version: str | None = None
    identifier: str | None = None


def _text(value: Any, what: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationFailedError(f"{what} must be text.")
    return value.strip()[:MAX_TEXT] or None


def _json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValidationFailedError(f"The {what} file is not JSON: {exc}.") from None


def _language(tag: Any) -> str:
    try:
        return normalize_language(tag) if isinstance(tag, str) and tag else "en"
    except ValueError:
        return "en"


def _checked(items: list[ParsedItem], what: str) -> list[ParsedItem]:
    if not items:
        raise ValidationFailedError(f"The {what} file holds no items.")
    if len(items) > MAX_ITEMS:
        raise ValidationFailedError(f"The {what} file holds more than {MAX_ITEMS} items.")
    codes = {item.code for item in items}
    for item in items:
        if item.parent_code not in codes or item.parent_code == item.code:
            item.parent_code = None  # a broader item outside the file (an ESCO skill group)
        if not item.labels:
            item.labels = {"en": item.code}
    return items


# --- the Capacity Exchange ------------------------------------------------------------------


def _qid(value: Any) -> str | None:
    text = value.get("value") if isinstance(value, Mapping) else value
    if not isinstance(text, str):
        return None
    text = text.strip().removeprefix(WIKIDATA_ENTITY).removeprefix("https://www.wikidata.org/wiki/")
    return text if QID.match(text) else None


def _texts(entry: Mapping[str, Any], many: str, one: str) -> dict[str, str]:
    values = entry.get(many)
    if isinstance(values, Mapping):
        return {_language(k): t for k, v in values.items() if (t := _text(v, many))}
    single = _text(entry.get(one), one)
    return {"en": single} if single else {}


def _capx_list(rows: list[Any]) -> list[ParsedItem]:
    qids: dict[Any, str] = {}
    for row in rows:
        if not isinstance(row, Mapping):
            raise ValidationFailedError("Each capacity must be an object.")
        qid = _qid(row.get("skill_wikidata_item") or row.get("wikidata_item"))
        if qid is None:
            raise ValidationFailedError(
                f"Capacity {row.get('id')!r} has no Wikidata item (skill_wikidata_item: Q…)."
            )
        qids[row.get("id", qid)] = qid
    items: dict[str, ParsedItem] = {}
    for row in rows:
        qid = qids[row.get("id", _qid(row.get("skill_wikidata_item")))]
        parents = row.get("skill_type")
        parent = parents[0] if isinstance(parents, list) and parents else parents
        items[qid] = ParsedItem(
            code=qid,
            url=WIKIDATA_ENTITY + qid,
            parent_code=qids.get(parent) if parent is not None else None,
            labels=_texts(row, "labels", "skill_name"),
            descriptions=_texts(row, "descriptions", "skill_description"),
        )
    return list(items.values())


def _capx_sparql(bindings: list[Any]) -> list[ParsedItem]:
    items: dict[str, ParsedItem] = {}
    for row in bindings:
        qid = _qid(row.get("item")) if isinstance(row, Mapping) else None
        if qid is None:
            raise ValidationFailedError("Each SPARQL result needs an item (a Wikidata entity).")
        item = items.setdefault(qid, ParsedItem(code=qid, url=WIKIDATA_ENTITY + qid))
        for name, texts in (("itemLabel", item.labels), ("itemDescription", item.descriptions)):
            value = row.get(name)
            if isinstance(value, Mapping) and (text := _text(value.get("value"), name)):
                texts.setdefault(_language(value.get("xml:lang")), text)
        broader = _qid(row.get("broader"))
        if broader is not None and item.parent_code is None:
            item.parent_code = broader
    return list(items.values())


def parse_capx(data: bytes) -> ParsedFramework:
    document = _json(data, "Capacity Exchange")
    if isinstance(document, Mapping) and isinstance(document.get("results"), Mapping):
        bindings = document["results"].get("bindings")
        if not isinstance(bindings, list):
            raise ValidationFailedError("A SPARQL result needs results.bindings (a list).")
        items = _capx_sparql(bindings)
    else:
        rows = document.get("results") if isinstance(document, Mapping) else document
        if not isinstance(rows, list):
            raise ValidationFailedError(
                'A Capacity Exchange export is a list of capacities (or {"results": [...]}).'
            )
        items = _capx_list(rows)
    return ParsedFramework(
        name="Wikimedia Capacity Exchange",
        title={"en": "Wikimedia Capacity Exchange capacities"},
        url="https://capx.toolforge.org",
        items=_checked(items, "Capacity Exchange"),
    )


# --- ESCO -----------------------------------------------------------------------------------


def _csv_rows(data: bytes, name: str, needed: Iterable[str]) -> list[dict[str, str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailedError(f"{name} is not UTF-8 text.") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [column for column in needed if column not in (reader.fieldnames or [])]
    if missing:
        raise ValidationFailedError(f"{name} lacks the column(s) {', '.join(missing)}.")
    try:
        return list(reader)
    except csv.Error as exc:
        raise ValidationFailedError(f"{name} is not valid CSV: {exc}.") from None


def _esco_code(uri: str) -> str:
    return uri.rstrip("/").rsplit("/", 1)[-1]


def parse_esco(files: Mapping[str, bytes], version: str | None = None) -> ParsedFramework:
    """``files``: file name → content; every ``skills_{lang}.csv`` is read (languages merged),
    and each ``broaderRelationsSkillPillar_{lang}.csv`` for the hierarchy."""
    skills = {
        m[2]: data
        for name, data in files.items()
        if (m := ESCO_FILE.search(name)) and m[1] == "skills"
    }
    broader = [
        data for name, data in files.items() if (m := ESCO_FILE.search(name)) and m[1] != "skills"
    ]
    if not skills:
        raise ValidationFailedError("No skills_{lang}.csv file found (ESCO's CSV download).")
    items: dict[str, ParsedItem] = {}
    for tag, data in sorted(skills.items(), key=lambda pair: pair[0] != "en"):
        language = _language(tag)
        for row in _csv_rows(data, f"skills_{tag}.csv", ("conceptUri", "preferredLabel")):
            uri = (row.get("conceptUri") or "").strip()
            if not uri.startswith("http"):
                continue
            code = _esco_code(uri)
            item = items.setdefault(code, ParsedItem(code=code, url=uri))
            if label := _text(row.get("preferredLabel"), "preferredLabel"):
                item.labels[language] = label
            description = row.get("description") or row.get("definition")
            if text := _text(description, "description"):
                item.descriptions[language] = text
            item.other_labels += [
                line.strip()[:MAX_TEXT]
                for line in (row.get("altLabels") or "").splitlines()
                if line.strip()
            ]
            item.item_type = item.item_type or _text(row.get("skillType"), "skillType")
    for data in broader:
        for row in _csv_rows(data, "broaderRelationsSkillPillar", ("conceptUri", "broaderUri")):
            child = items.get(_esco_code(row["conceptUri"] or ""))
            if child is not None and child.parent_code is None and row["broaderUri"]:
                child.parent_code = _esco_code(row["broaderUri"])
    return ParsedFramework(
        name=f"ESCO {version}" if version else "ESCO",
        title={"en": "ESCO skills"},
        url="http://data.europa.eu/esco",
        version=version,
        items=_checked(list(items.values()), "ESCO"),
    )


# --- CASE -----------------------------------------------------------------------------------


def _node_id(value: Any) -> str | None:
    if isinstance(value, Mapping):
        value = value.get("identifier")
    return value if isinstance(value, str) and value else None


def parse_case(data: bytes) -> ParsedFramework:
    package = _json(data, "CASE")
    if not isinstance(package, Mapping) or not isinstance(package.get("CFDocument"), Mapping):
        raise ValidationFailedError("A CASE file is a CFPackage: an object with a CFDocument.")
    document = package["CFDocument"]
    language = _language(document.get("language"))
    title = _text(document.get("title"), "CFDocument.title")
    if title is None:
        raise ValidationFailedError("The CFDocument needs a title.")
    cf_items = package.get("CFItems") or []
    if not isinstance(cf_items, list):
        raise ValidationFailedError("CFItems must be a list.")
    items: dict[str, ParsedItem] = {}
    for row in cf_items:
        code = _node_id(row)
        uri = row.get("uri") if isinstance(row, Mapping) else None
        statement = _text(row.get("fullStatement"), "fullStatement") if code else None
        if code is None or not isinstance(uri, str) or statement is None:
            raise ValidationFailedError(
                "Each CFItem needs an identifier, a uri and a fullStatement."
            )
        item_language = _language(row.get("language") or document.get("language"))
        items[code] = ParsedItem(
            code=code,
            url=uri,
            labels={item_language: statement},
            descriptions={item_language: n} if (n := _text(row.get("notes"), "notes")) else {},
            item_type=_text(row.get("CFItemType"), "CFItemType"),
            human_code=_text(row.get("humanCodingScheme"), "humanCodingScheme"),
        )
    for association in package.get("CFAssociations") or []:
        if (
            not isinstance(association, Mapping)
            or association.get("associationType") != "isChildOf"
        ):
            continue
        child = items.get(_node_id(association.get("originNodeURI")) or "")
        parent = _node_id(association.get("destinationNodeURI"))
        if child is not None and child.parent_code is None and parent in items:
            child.parent_code = parent
    return ParsedFramework(
        name=title,
        title={language: title},
        url=document.get("uri") if isinstance(document.get("uri"), str) else None,
        version=_text(document.get("version"), "version"),
        identifier=_node_id(document),
        items=_checked(list(items.values()), "CASE"),
    )
