"""Selective-disclosure primitives over our JSON-LD code: skolemize, select by JSON Pointer,
relabel blank nodes, canonicalize with a label map.

Quads are tuples of canonical N-Quads terms (``vc._jsonld_rdfc.Quad``), so relabelling works on
blank-node terms only and never touches a literal that merely looks like a label.

See: https://www.w3.org/TR/vc-di-ecdsa/#selective-disclosure-functions
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from badgeservice.vc import canon
from badgeservice.vc._jsonld_rdfc import Quad, canonical_labels, serialize_quad
from badgeservice.vc.errors import ProofError
from badgeservice.vc.loader import StaticLoader

__all__ = [
    "MAX_POINTERS",
    "canonical_with_labels",
    "relabel",
    "select_canonical_quads",
    "skolemize_compact",
]

MAX_POINTERS = 1000
MAX_POINTER_CHARS = 2000
SKOLEM_PREFIX = "urn:bnid:"

LabelFactory = Callable[[dict[str, str]], dict[str, str]]


def canonical_with_labels(
    quads: Sequence[Quad], factory: LabelFactory
) -> tuple[list[str], dict[str, str]]:
    """Canonical N-Quads lines with each canonical label replaced through ``factory``.

    ``factory`` gets ``{input label: canonical label}`` (without ``_:``) and returns
    ``{input label: new label}``; the lines are relabelled, deduplicated and sorted.
    Returns the lines and the ``input label -> new label`` map.

    See: https://www.w3.org/TR/vc-di-ecdsa/#labelreplacementcanonicalizenquads
    """
    unique = list(dict.fromkeys(quads))
    canonical = {k[2:]: v[2:] for k, v in canonical_labels(unique).items()}
    label_map = factory(canonical)
    lines = {serialize_quad(relabel(quad, label_map)) for quad in unique}
    return sorted(lines), label_map


def relabel(quad: Quad, label_map: Mapping[str, str]) -> Quad:
    """Replace each blank node label (without ``_:``) through ``label_map``.

    See: https://www.w3.org/TR/vc-di-ecdsa/#relabelblanknodes
    """

    def term(value: str) -> str:
        if not value.startswith("_:"):
            return value
        new = label_map.get(value[2:])
        if new is None:
            raise ProofError(
                f"blank node {value} has no label in the proof", code="proof_value_malformed"
            )
        return "_:" + new

    s, p, o, g = quad
    return (term(s), p, term(o), term(g) if g else g)


def deskolemize(quads: Sequence[Quad]) -> list[Quad]:
    """``<urn:bnid:X>`` terms back to blank nodes ``_:X``.

    See: https://www.w3.org/TR/vc-di-ecdsa/#deskolemizenquads
    """
    marker = "<" + SKOLEM_PREFIX

    def term(value: str) -> str:
        return "_:" + value[len(marker) : -1] if value.startswith(marker) else value

    return [(term(s), p, term(o), term(g)) for s, p, o, g in quads]


def _skolemize_expanded(expanded: list[Any], random: str, count: list[int]) -> list[Any]:
    """Give every node object an ``@id``: existing blank nodes keep their label.

    See: https://www.w3.org/TR/vc-di-ecdsa/#skolemizeexpandedjsonld
    """
    result: list[Any] = []
    for element in expanded:
        if not isinstance(element, dict) or "@value" in element:
            result.append(copy.deepcopy(element))
            continue
        node: dict[str, Any] = {}
        for name, value in element.items():
            if isinstance(value, list):
                node[name] = _skolemize_expanded(value, random, count)
            else:
                node[name] = _skolemize_expanded([value], random, count)[0]
        node_id = node.get("@id")
        if "@list" in node or "@set" in node:
            pass  # a list object is not a node: it takes no identifier
        elif node_id is None:
            node["@id"] = f"{SKOLEM_PREFIX}_{random}_{count[0]}"
            count[0] += 1
        elif isinstance(node_id, str) and node_id.startswith("_:"):
            node["@id"] = SKOLEM_PREFIX + node_id[2:]
        result.append(node)
    return result


def skolemize_compact(
    document: dict[str, Any], loader: StaticLoader | None, *, safe: bool = True
) -> tuple[dict[str, Any], list[Quad]]:
    """The skolemized compact document and the deskolemized quads of the whole document.

    See: https://www.w3.org/TR/vc-di-ecdsa/#skolemizecompactjsonld
    """
    expanded = canon.expand(document, loader=loader, safe=safe)
    skolemized = _skolemize_expanded(expanded, secrets.token_hex(8), [0])
    compact = canon.compact(skolemized, document["@context"], loader=loader)
    return compact, deskolemize(canon.to_quads(compact, loader=loader))


def select_canonical_quads(
    pointers: Sequence[str],
    skolemized: dict[str, Any],
    label_map: Mapping[str, str],
    loader: StaticLoader | None,
) -> set[str]:
    """The N-Quads lines (relabelled) that ``pointers`` select from the skolemized document.

    See: https://www.w3.org/TR/vc-di-ecdsa/#selectcanonicalnquads
    """
    selection = select_json_ld(pointers, skolemized)
    if selection is None:
        return set()
    quads = deskolemize(canon.to_quads(selection, loader=loader))
    return {serialize_quad(relabel(quad, label_map)) for quad in quads}


class _Sparse(dict[int, Any]):
    """A selected array under construction: indexes kept, made dense at the end."""


def select_json_ld(pointers: Sequence[str], document: dict[str, Any]) -> dict[str, Any] | None:
    """The part of a compact JSON-LD document that ``pointers`` reach, with ids and types
    along the way; ``None`` for no pointers.

    See: https://www.w3.org/TR/vc-di-ecdsa/#selectjsonld
    """
    if not pointers:
        return None
    if len(pointers) > MAX_POINTERS:
        raise ProofError(f"more than {MAX_POINTERS} JSON pointers", code="proof_value_malformed")
    selection = _initial_selection(document)
    selection["@context"] = copy.deepcopy(document["@context"])
    for pointer in pointers:
        paths = pointer_to_paths(pointer)
        if not paths:
            return copy.deepcopy(document)
        _select_paths(pointer, paths, document, selection)
    dense: dict[str, Any] = _dense(selection)
    return dense


def pointer_to_paths(pointer: Any) -> list[str | int]:
    """A JSON Pointer (RFC 6901) as a list of keys; digit-only segments become indexes.

    See: https://www.w3.org/TR/vc-di-ecdsa/#jsonpointertopaths
    """
    if not isinstance(pointer, str) or len(pointer) > MAX_POINTER_CHARS:
        raise ProofError("a mandatory pointer is not a short string", code="proof_value_malformed")
    if pointer and not pointer.startswith("/"):
        raise ProofError(f"{pointer!r} is not a JSON pointer", code="proof_value_malformed")
    paths: list[str | int] = []
    for segment in pointer.split("/")[1:]:
        if "~" in segment:
            if any(
                segment[i + 1 : i + 2] not in ("0", "1") for i, c in enumerate(segment) if c == "~"
            ):
                raise ProofError(
                    f"invalid escape in JSON pointer {pointer!r}", code="proof_value_malformed"
                )
            paths.append(segment.replace("~1", "/").replace("~0", "~"))
        elif segment.isascii() and segment.isdigit():
            paths.append(int(segment))
        else:
            paths.append(segment)
    return paths


def _initial_selection(source: Mapping[str, Any]) -> dict[str, Any]:
    """Non-blank ``id`` and ``type`` of a selected object.

    See: https://www.w3.org/TR/vc-di-ecdsa/#createinitialselection
    """
    selection: dict[str, Any] = {}
    node_id = source.get("id")
    if isinstance(node_id, str) and node_id and not node_id.startswith("_:"):
        selection["id"] = node_id
    if source.get("type"):
        selection["type"] = source["type"]
    return selection


def _child(parent: Any, path: str | int) -> Any:
    if isinstance(parent, dict):
        return parent.get(str(path))
    if isinstance(parent, list) and isinstance(path, int) and path < len(parent):
        return parent[path]
    return None


def _select_paths(
    pointer: str, paths: list[str | int], document: dict[str, Any], selection: dict[str, Any]
) -> None:
    """Walk one pointer through ``document``, building the selection on the way.

    See: https://www.w3.org/TR/vc-di-ecdsa/#selectpaths
    """
    value: Any = document
    selected_parent: Any = selection
    selected: Any = selection
    for path in paths:
        selected_parent = selected
        value = _child(value, path)
        if value is None:
            raise ProofError(
                f"JSON pointer {pointer!r} does not match the document",
                code="proof_value_malformed",
            )
        key = path if isinstance(selected_parent, list | _Sparse) else str(path)
        selected = _child_selected(selected_parent, key)
        if selected is None:
            selected = (
                _Sparse()
                if isinstance(value, list)
                else (_initial_selection(value) if isinstance(value, dict) else {})
            )
            _set(selected_parent, key, selected)
    if isinstance(value, list):
        selected = copy.deepcopy(value)
    elif isinstance(value, dict):
        selected = (
            {**selected, **copy.deepcopy(value)}
            if isinstance(selected, dict)
            else copy.deepcopy(value)
        )
    else:
        selected = value
    _set(selected_parent, key, selected)


def _child_selected(parent: Any, key: str | int) -> Any:
    if isinstance(parent, dict):
        return parent.get(key)
    if isinstance(parent, list) and isinstance(key, int) and key < len(parent):
        return parent[key]
    return None


def _set(parent: Any, key: str | int, value: Any) -> None:
    if isinstance(parent, list):
        if not isinstance(key, int) or key >= len(parent):
            raise ProofError(
                "a JSON pointer does not fit the selection", code="proof_value_malformed"
            )
        parent[key] = value
    else:
        parent[key] = value


def _dense(value: Any) -> Any:
    if isinstance(value, _Sparse):
        return [_dense(value[index]) for index in sorted(value)]
    if isinstance(value, dict):
        return {k: _dense(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dense(v) for v in value]
    return value
