"""A pyld ``JsonLdProcessor`` with memoised context processing and safe-mode hooks.

Memoisation (see shared spec/PERFORMANCE.md): pyld re-processes every type-scoped context
(OB 3.0.3 has one per class) against a fresh copy of the active context on each expansion.
Here the result of ``_process_context`` is kept per (active context identity, local context,
flags) and returned frozen, so the same active context objects recur and later look-ups hit.
Only frozen active contexts (the initial one and our own results) are memoised; a context
being built (term definitions) is never a key. Relies on pyld 3.3.0 internals (pinned);
``tests/unit/vc/test_canon.py`` compares memoised and plain output.

Work: every expanded element and member, every context processed and every node-map step
spends a unit of the current work meter (``_work``), and node-map generation is ours
(``_jsonld_node_map``: linear where pyld's duplicate check is quadratic).

Safe mode mirrors jsonld.js ``safe: true``: a property that expansion would drop, an
``@id`` or ``@type`` that is not an absolute IRI (or blank node) raises SafeModeError with
the JSON path of the offending member.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from frozendict import frozendict
from pyld.jsonld import JsonLdProcessor, _is_absolute_iri, _is_keyword

from badgeservice.vc import _work
from badgeservice.vc._jsonld_node_map import NodeMapBuilder
from badgeservice.vc.errors import SafeModeError

MEMO_MAX_ENTRIES = 2048

Memo = dict[Any, Any]


def _local_key(local_ctx: Any, stable: dict[int, Any]) -> Any:
    """A hashable key for a local context; identity for contexts we know never change."""
    if isinstance(local_ctx, str):
        return local_ctx
    if isinstance(local_ctx, list) and all(isinstance(c, str) for c in local_ctx):
        return tuple(local_ctx)
    if stable.get(id(local_ctx)) is local_ctx:
        return ("id", id(local_ctx))
    return json.dumps(local_ctx, sort_keys=True, default=dict)


def _remember_scoped(result: Any, stable: dict[int, Any]) -> None:
    """Scoped contexts inside a frozen active context are fixed: key them by identity."""
    for definition in result["mappings"].values():
        scoped = definition.get("@context") if definition else None
        if isinstance(scoped, dict | frozendict):
            stable[id(scoped)] = scoped


class Processor(JsonLdProcessor):  # type: ignore[misc]
    """pyld processor; ``memo`` enables memoised context processing, ``paths`` safe mode."""

    def __init__(self, memo: Memo | None = None, paths: dict[int, str] | None = None) -> None:
        super().__init__(on_property_dropped=self._on_dropped)
        self._memo = memo
        self._paths = paths
        self._stack: list[tuple[Any, Any]] = []

    def expand(self, input_: Any, options: dict[str, Any]) -> list[Any]:
        """Expansion of an in-memory document (pyld's ``expand`` without its deep copy).

        Expansion only reads the input; skipping the copy saves time and keeps object
        identities, which safe mode uses to name JSON paths.
        """
        options = {"isFrame": False, "keepFreeFloatingNodes": False, **options}
        active_ctx = self._get_initial_context(options)
        expanded = self._expand(active_ctx, None, input_, options, inside_list=False)
        if isinstance(expanded, dict) and "@graph" in expanded and len(expanded) == 1:
            expanded = expanded["@graph"]
        elif expanded is None:
            expanded = []
        return expanded if isinstance(expanded, list) else [expanded]

    def _expand(self, active_ctx: Any, prop: Any, element: Any, *args: Any, **kw: Any) -> Any:
        _work.spend()
        return super()._expand(active_ctx, prop, element, *args, **kw)

    def _create_node_map(
        self,
        input_: Any,
        graph_map: Any,
        active_graph: Any,
        issuer: Any,
        active_subject: Any = None,
        active_property: Any = None,
        list_: Any = None,
    ) -> None:
        """Node Map Generation without pyld's quadratic duplicate check (one map per call:
        ``to_rdf`` builds its map in one call)."""
        builder = NodeMapBuilder(issuer)
        builder.build(input_, graph_map, active_graph, active_subject, active_property, list_)

    # --- memoised context processing -------------------------------------------------
    def _process_context(
        self,
        active_ctx: Any,
        local_ctx: Any,
        options: dict[str, Any],
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        _work.spend(1 + (len(local_ctx) if isinstance(local_ctx, dict | list) else 0))
        memo = self._memo
        flags = (override_protected, propagate, validate_scoped)
        if memo is None or not isinstance(active_ctx, frozendict):
            return super()._process_context(active_ctx, local_ctx, options, *flags, cycles)
        stable = memo.setdefault("stable", {})
        key = (id(active_ctx), _local_key(local_ctx, stable), *flags)
        entry = memo.get(key)
        if entry is not None and entry[0] is active_ctx:
            return entry[1]
        result = super()._process_context(active_ctx, local_ctx, options, *flags, cycles)
        if not isinstance(result, frozendict):
            if "_uuid" not in result:
                result["_uuid"] = str(uuid.uuid1())
            result = frozendict(result)
        if len(memo) > MEMO_MAX_ENTRIES:
            memo.clear()
            stable = memo.setdefault("stable", {})
        _remember_scoped(result, stable)
        memo[key] = (active_ctx, result)
        return result

    # --- safe mode ---------------------------------------------------------------------
    def _expand_object(
        self,
        active_ctx: Any,
        active_property: Any,
        expanded_active_property: Any,
        element: Any,
        expanded_parent: Any,
        options: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        _work.spend(len(element) if isinstance(element, dict) else 1)
        if self._paths is None:
            return super()._expand_object(
                active_ctx,
                active_property,
                expanded_active_property,
                element,
                expanded_parent,
                options,
                *args,
                **kwargs,
            )
        self._stack.append((element, active_ctx))
        try:
            super()._expand_object(
                active_ctx,
                active_property,
                expanded_active_property,
                element,
                expanded_parent,
                options,
                *args,
                **kwargs,
            )
        finally:
            self._stack.pop()
        self._check_node(element, active_ctx, expanded_parent)
        return None

    def _expand_value(self, active_ctx: Any, active_property: Any, value: Any, options: Any) -> Any:
        result = super()._expand_value(active_ctx, active_property, value, options)
        if (
            self._paths is not None
            and isinstance(result, dict)
            and "@id" in result
            and not _is_absolute_iri(result["@id"])
        ):
            path = self._path_of(active_property)
            raise SafeModeError(f"{path}: {value!r} is not an absolute IRI", path=path)
        return result

    def _on_dropped(self, expanded_property: Any) -> None:
        if self._paths is None:
            return
        element, active_ctx = self._stack[-1] if self._stack else ({}, None)
        name = str(expanded_property)
        for key in sorted(element):
            if key == "@context":
                continue
            expanded = self._expand_iri(active_ctx, key, vocab=True)
            if expanded is None or not (_is_absolute_iri(expanded) or _is_keyword(expanded)):
                name = key
                break
        path = self._path_of(name)
        raise SafeModeError(f"{path}: {name!r} is not defined by the @context", path=path)

    def _check_node(self, element: Any, active_ctx: Any, expanded: Any) -> None:
        for keyword in ("@id", "@type"):
            values = expanded.get(keyword)
            for value in values if isinstance(values, list) else [values]:
                if value is None or _is_absolute_iri(value) or value == "@json":
                    continue
                key = self._key_for(element, active_ctx, keyword)
                path = _join(self._paths.get(id(element), "") if self._paths else "", key)
                what = "IRI" if keyword == "@id" else "type (undefined term?)"
                raise SafeModeError(f"{path}: {value!r} is not an absolute {what}", path=path)

    def _key_for(self, element: Any, active_ctx: Any, keyword: str) -> str:
        for key in sorted(element):
            if self._expand_iri(active_ctx, key, vocab=True) == keyword:
                return str(key)
        return keyword

    def _path_of(self, key: Any) -> str:
        parent = self._stack[-1][0] if self._stack else None
        base = self._paths.get(id(parent), "") if self._paths is not None else ""
        return _join(base, str(key))


def _join(base: str, key: str) -> str:
    return f"{base}.{key}" if base else key


def json_paths(document: Any) -> dict[int, str]:
    """Map ``id(object)`` -> JSON path for every object in the document (iteratively)."""
    paths: dict[int, str] = {}
    todo: list[tuple[Any, str]] = [(document, "")]
    while todo:
        value, path = todo.pop()
        if isinstance(value, dict):
            paths[id(value)] = path
            todo.extend((v, _join(path, str(k))) for k, v in value.items())
        elif isinstance(value, list):
            todo.extend((v, f"{path}[{i}]") for i, v in enumerate(value))
    return paths
