"""The building blocks of our model of the 1EdTech OB 3.0 JSON Schema.

A *rule* looks at one JSON value at a path and yields a :class:`SchemaIssue` for each thing
wrong with it. The blocks follow JSON Schema Draft 2019-09 as python-jsonschema applies it, so
that our verdict equals the published schema's:

* JSON types: a boolean is not a number; arrays are lists, objects are mappings.
* ``pattern`` is a *search* (unanchored unless the pattern says ``^``/``$``, and ``$`` also
  matches before a final newline), as python-jsonschema does.
* ``format`` (``date-time``, ``date``) is an annotation in 2019-09, not an assertion: dates are
  only required to be strings here (the ``valid_from``/``valid_until`` checks parse them).

See: https://json-schema.org/draft/2019-09/json-schema-validation
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ArrayOf",
    "Model",
    "Ref",
    "Rule",
    "SchemaIssue",
    "TypeSet",
    "UriOr",
    "array_of",
    "boolean",
    "choice",
    "exactly",
    "expanded",
    "json_kind",
    "matching",
    "member_path",
    "number",
    "text",
    "type_set",
    "unwrapped",
]


@dataclass(frozen=True)
class SchemaIssue:
    """One violation: where (``credentialSubject.identifier[0].hashed``; ``""`` is the whole
    document) and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(document)'}: {self.message}"


Rule = Callable[[Any, str], Iterator[SchemaIssue]]


def member_path(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def json_kind(value: Any) -> str:
    """The JSON name of a value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def text(value: Any, path: str) -> Iterator[SchemaIssue]:
    if not isinstance(value, str):
        yield SchemaIssue(path, f"must be a string, not {json_kind(value)}")


def number(value: Any, path: str) -> Iterator[SchemaIssue]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        yield SchemaIssue(path, f"must be a number, not {json_kind(value)}")


def boolean(value: Any, path: str) -> Iterator[SchemaIssue]:
    if not isinstance(value, bool):
        yield SchemaIssue(path, f"must be true or false, not {json_kind(value)}")


def matching(pattern: str, what: str) -> Rule:
    """A string in which ``pattern`` is found (python-jsonschema's ``re.search``)."""
    compiled = re.compile(pattern)

    def rule(value: Any, path: str) -> Iterator[SchemaIssue]:
        if not isinstance(value, str):
            yield SchemaIssue(path, f"must be {what} (a string), not {json_kind(value)}")
        elif compiled.search(value) is None:
            yield SchemaIssue(path, f"must be {what}, not {value!r}")

    return rule


def exactly(word: str) -> Rule:
    """The single string ``word`` (``Image.type``, ``IdentityObject.type``: not an array)."""

    def rule(value: Any, path: str) -> Iterator[SchemaIssue]:
        if not (isinstance(value, str) and value == word):
            yield SchemaIssue(path, f"must be the string {word!r}, not {_show(value)}")

    return rule


# An extensible enumeration also takes "ext:" values. The schema's regex
# `(ext:)[a-z|A-Z|0-9|.|-|_]+` is unanchored, and its `|-|` is a range from "|" to "|", so the
# hyphen is *not* in the class: what counts is "ext:" followed, anywhere, by one of these.
_EXTENSION = re.compile(r"ext:[a-zA-Z0-9|._]")


def choice(values: Collection[str], what: str, *, extensible: bool = False) -> Rule:
    """One of ``values`` or, when ``extensible``, an ``ext:`` extension value."""

    def rule(value: Any, path: str) -> Iterator[SchemaIssue]:
        if not isinstance(value, str):
            yield SchemaIssue(path, f"must be {what} (a string), not {json_kind(value)}")
        elif value not in values and not (extensible and _EXTENSION.search(value)):
            extension = " or an ext: extension value" if extensible else ""
            yield SchemaIssue(path, f"{value!r} is not {what}{extension}")

    return rule


@dataclass(frozen=True)
class TypeSet:
    """A ``type`` array of strings holding each wanted name (a tuple: one of its names)."""

    wanted: tuple[str | tuple[str, ...], ...]

    def __call__(self, value: Any, path: str) -> Iterator[SchemaIssue]:
        if not isinstance(value, list):
            yield SchemaIssue(path, f"must be an array of type names, not {_show(value)}")
            return
        for index, item in enumerate(value):
            yield from text(item, f"{path}[{index}]")
        for names in self.wanted:
            options = (names,) if isinstance(names, str) else names
            if not any(name in value for name in options):
                yield SchemaIssue(path, f"must contain {' or '.join(map(repr, options))}")


def type_set(*wanted: str | tuple[str, ...]) -> Rule:
    return TypeSet(wanted)


@dataclass(frozen=True)
class ArrayOf:
    """A JSON array (a single value is not enough: the strict schema wants arrays)."""

    each: Rule

    def __call__(self, value: Any, path: str) -> Iterator[SchemaIssue]:
        if not isinstance(value, list):
            yield SchemaIssue(path, f"must be an array, not {json_kind(value)}")
            return
        for index, item in enumerate(value):
            yield from self.each(item, f"{path}[{index}]")


def array_of(each: Rule) -> Rule:
    return ArrayOf(each)


@dataclass(frozen=True)
class Ref:
    """The class ``name`` of ``models``, looked up when used (the model is recursive:
    Profile → endorsement → EndorsementCredential → issuer → Profile)."""

    name: str
    models: Mapping[str, Model]

    def __call__(self, value: Any, path: str) -> Iterator[SchemaIssue]:
        return self.models[self.name](value, path)


@dataclass(frozen=True)
class UriOr:
    """A URI string or an object of class ``model`` (``issuer``: a ProfileRef)."""

    model: Rule
    what: str

    def __call__(self, value: Any, path: str) -> Iterator[SchemaIssue]:
        if isinstance(value, str):
            return iter(())
        if not isinstance(value, Mapping):
            return iter((SchemaIssue(path, f"must be {self.what}, not {json_kind(value)}"),))
        return self.model(value, path)


@dataclass(frozen=True)
class Model:
    """A class of the OB data model: an object with ``required`` members, a rule per known
    member, and (``closed``) no other members (``additionalProperties: false``)."""

    name: str
    members: Mapping[str, Rule]
    required: tuple[str, ...] = ()
    closed: bool = False

    def __call__(self, value: Any, path: str) -> Iterator[SchemaIssue]:
        if not isinstance(value, Mapping):
            yield SchemaIssue(path, f"must be an object ({self.name}), not {json_kind(value)}")
            return
        for name in self.required:
            if name not in value:
                yield SchemaIssue(member_path(path, name), f"is required in {self.name}")
        for name, member in value.items():
            rule = self.members.get(name)
            if rule is not None:
                yield from rule(member, member_path(path, name))
            elif self.closed:
                yield SchemaIssue(
                    member_path(path, name),
                    f"is not allowed: {self.name} has only {', '.join(self.members)}",
                )


def _show(value: Any) -> str:
    shown = repr(value) if isinstance(value, str) else json_kind(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def expanded(rule: Rule, value: Any, path: str, wrapped: list[str]) -> Any:
    """``value`` as the strict schema wants it, when JSON-LD reads both the same: a single
    value where ``rule`` wants an array (``type: "Profile"``, one ``identifier`` object, one
    proof object) becomes a one-item array. Appends each wrapped path to ``wrapped``; changes
    nothing else (a wrong type or a missing member is left for the strict rules to find).

    See: https://www.w3.org/TR/json-ld11/#lists-and-sets
    """
    while isinstance(rule, Ref | UriOr):
        if isinstance(rule, UriOr) and not isinstance(value, Mapping):
            return value
        rule = rule.model if isinstance(rule, UriOr) else rule.models[rule.name]
    if isinstance(rule, Model) and isinstance(value, Mapping):
        return {
            name: expanded(rule.members[name], member, member_path(path, name), wrapped)
            if name in rule.members
            else member
            for name, member in value.items()
        }
    if not isinstance(rule, ArrayOf | TypeSet) or value is None:
        return value
    if not isinstance(value, list):
        wrapped.append(path)
        value = [value]
    if isinstance(rule, TypeSet):
        return value
    return [
        expanded(rule.each, item, f"{path}[{index}]", wrapped) for index, item in enumerate(value)
    ]


def unwrapped(issue: SchemaIssue, wrapped: list[str]) -> SchemaIssue:
    """The issue's path in the document as it was (``identifier[0].salt`` → ``identifier.salt``
    when ``identifier`` was a single object)."""
    for path in sorted(wrapped, key=len, reverse=True):
        item = f"{path}[0]"
        if issue.path == item or issue.path.startswith((f"{item}.", f"{item}[")):
            issue = SchemaIssue(path + issue.path[len(item) :], issue.message)
    return issue
