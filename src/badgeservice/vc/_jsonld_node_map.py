"""Node Map Generation in linear time, for ``Processor._create_node_map``.

pyld 3.3.0 keeps a node's values free of duplicates by comparing each new value with every
value the property already has (``JsonLdProcessor.has_value``): n values cost n²/2
comparisons, and a credential with 30,000 ``tag`` strings took minutes. Here each
(node, property) keeps a set of value keys beside its list, so the same duplicates are
dropped by one look-up. The keys encode pyld's ``compare_values``: strings and numbers by
strict equality (``True`` is not ``1``), value objects by ``@value``, ``@type``, ``@language``
and ``@index``, node references by ``@id``; lists never equal anything. Every step spends a
unit of the work meter (``_work``).

See: https://www.w3.org/TR/json-ld11-api/#node-map-generation
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Any

from pyld.jsonld import JsonLdError, _is_bnode, _is_keyword, _is_list, _is_value

from badgeservice.vc import _work


def value_key(value: Any) -> Hashable | None:
    """What ``compare_values`` compares, as a hashable key; None for a value equal to
    nothing (a list object, an object without ``@id``)."""
    if not isinstance(value, dict):
        return ("primitive", _strict(value))
    if _is_value(value):
        qualifiers = (value.get("@type"), value.get("@language"), value.get("@index"))
        return ("value", _strict(value["@value"]), *qualifiers)
    identifier = value.get("@id")
    return None if identifier is None else ("node", identifier)


def _strict(value: Any) -> Hashable:
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, dict | list):  # an @json literal
        return ("json", json.dumps(value, sort_keys=True))
    return value  # type: ignore[no-any-return]


class NodeMapBuilder:
    """Builds pyld's node map (``{graph: {id: node}}``) from expanded JSON-LD."""

    def __init__(self, issuer: Any) -> None:
        self.issuer = issuer  # pyld's IdentifierIssuer: relabels blank nodes
        self._seen: dict[tuple[int, str], set[Hashable]] = {}

    def add(self, node: dict[str, Any], prop: str, value: Any, *, unique: bool = True) -> None:
        """Append ``value`` to ``node[prop]`` (always a list); ``unique`` drops a duplicate."""
        _work.spend()
        values = node.setdefault(prop, [])
        key = value_key(value) if unique else None
        if key is not None:
            seen = self._seen.setdefault((id(node), prop), set())
            if key in seen:
                return
            seen.add(key)
        values.append(value)

    def build(
        self,
        element: Any,
        graphs: dict[str, dict[str, Any]],
        graph: str,
        subject: Any = None,
        prop: str | None = None,
        list_: dict[str, list[Any]] | None = None,
    ) -> None:
        """Add ``element`` (expanded) to ``graphs[graph]``: ``subject``/``prop`` name where it
        sits (``subject`` is a dict for a reverse property), ``list_`` the list it is in."""
        _work.spend()
        if isinstance(element, list):
            for item in element:
                self.build(item, graphs, graph, subject, prop, list_)
            return
        nodes = graphs.setdefault(graph, {})
        parent = nodes.get(subject) if isinstance(subject, str) else None
        for type_ in element.get("@type", []) if not _is_value(element) else []:
            if type_.startswith("_:"):
                self.issuer.get_id(type_)  # @type labels are issued first (spec step 2)
        if _is_value(element):
            self._add_value(element, parent, prop, list_)
        elif _is_list(element):
            inner: dict[str, list[Any]] = {"@list": []}
            self.build(element["@list"], graphs, graph, subject, prop, inner)
            self._place(inner, parent, prop, list_, unique=False)
        else:
            self._add_node(element, graphs, graph, subject, parent, prop, list_)

    def _add_value(self, element: dict[str, Any], parent: Any, prop: Any, list_: Any) -> None:
        type_ = element.get("@type")
        if isinstance(type_, str) and type_.startswith("_:"):
            element["@type"] = self.issuer.get_id(type_)
        self._place(element, parent, prop, list_, unique=True)

    def _place(self, value: Any, parent: Any, prop: Any, list_: Any, *, unique: bool) -> None:
        if list_:
            list_["@list"].append(value)
        elif parent:
            self.add(parent, prop, value, unique=unique)

    def _add_node(
        self,
        element: dict[str, Any],
        graphs: dict[str, dict[str, Any]],
        graph: str,
        subject: Any,
        parent: Any,
        prop: Any,
        list_: Any,
    ) -> None:
        identifier: str = element.get("@id")  # type: ignore[assignment]
        if _is_bnode(element):
            identifier = self.issuer.get_id(identifier)
        node = graphs.setdefault(graph, {}).setdefault(identifier, {"@id": identifier})
        if isinstance(subject, dict):  # reached through a reverse property
            self.add(node, prop, subject)
        elif prop:
            self._place({"@id": identifier}, parent, prop, list_, unique=True)
        for key, objects in sorted(element.items()):
            self._add_member(node, identifier, key, objects, element, graphs, graph)

    def _add_member(
        self,
        node: dict[str, Any],
        identifier: str,
        key: str,
        objects: Any,
        element: dict[str, Any],
        graphs: dict[str, dict[str, Any]],
        graph: str,
    ) -> None:
        if key == "@id":
            return
        if key == "@reverse":
            referenced = {"@id": identifier}
            for reverse_prop, items in objects.items():
                for item in items:
                    self.build(item, graphs, graph, referenced, reverse_prop)
        elif key == "@graph":
            graphs.setdefault(identifier, {})
            self.build(objects, graphs, graph if graph == "@merged" else identifier)
        elif key == "@included":
            self.build(objects, graphs, graph)
        elif key != "@type" and _is_keyword(key):
            if key == "@index" and "@index" in node and element["@index"] != node["@index"]:
                raise JsonLdError(
                    "Invalid JSON-LD syntax; conflicting @index property detected.",
                    "jsonld.SyntaxError",
                    {"node": node},
                    code="conflicting indexes",
                )
            node[key] = objects
        else:
            self._add_objects(node, identifier, key, objects, graphs, graph)

    def _add_objects(
        self,
        node: dict[str, Any],
        identifier: str,
        key: str,
        objects: Any,
        graphs: dict[str, dict[str, Any]],
        graph: str,
    ) -> None:
        if key.startswith("_:"):
            key = self.issuer.get_id(key)
        if not objects:
            node.setdefault(key, [])  # an empty array still names the property
            return
        for item in objects:
            if key == "@type":
                self.add(node, key, self.issuer.get_id(item) if item.startswith("_:") else item)
            else:
                self.build(item, graphs, graph, identifier, key)
