"""JSON-LD -> RDF -> RDFC-1.0 canonical N-Quads, as Data Integrity cryptosuites need.

pyld 3.3.0 (pinned) expands and converts to RDF with ``base=None`` and
``rdfDirection="i18n-datatype"``; contexts come only from the static loader; processed contexts
are memoised per loader. Canonicalisation and N-Quads writing are ours (``_jsonld_rdfc``):
RDFC-1.0 escaping, a work bound for poison graphs, lines split on ``"\\n"`` only.

Hostile input is refused before pyld sees it: nesting deeper than ``MAX_DEPTH``, more than
``MAX_NODES`` JSON values or ``MAX_TEXT_CHARS`` characters of text raise
:class:`CanonicalizationError` (never a RecursionError). The work of each run is metered
(``_work``): units in proportion to the input's JSON values, and the verification's deadline;
over either, :class:`WorkLimitError` (the caller reports "could not check").
"""

from __future__ import annotations

from typing import Any

from cachetools import LRUCache
from pyld.context_resolver import ContextResolver
from pyld.jsonld import JsonLdError

from badgeservice.vc import _jsonld_rdfc, _work
from badgeservice.vc._jsonld_processor import Processor, json_paths
from badgeservice.vc._jsonld_rdfc import MAX_TOTAL_WORK, MAX_WORK, Quad, literal_term
from badgeservice.vc.errors import CanonicalizationError, VcError
from badgeservice.vc.loader import DEFAULT_LOADER, StaticLoader

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_TEXT_CHARS",
    "MAX_TOTAL_WORK",
    "MAX_WORK",
    "canonicalize",
    "canonicalize_nquads",
    "compact",
    "expand",
    "to_quads",
]

MAX_DEPTH = 64
MAX_NODES = 200_000
# Total characters of all strings; leaves room for images embedded as data: URLs.
MAX_TEXT_CHARS = 8_000_000


def canonicalize(
    document: dict[str, Any],
    *,
    loader: StaticLoader | None = None,
    safe: bool = False,
    memoize: bool = True,
    hash_algorithm: str = "sha256",
) -> str:
    """Canonical N-Quads (RDFC-1.0) of a JSON-LD document, each line ending in ``\\n``.

    ``safe=True`` also applies the safe-mode checks in the same pass (see ``safemode``).
    ``memoize=False`` uses plain pyld context processing (for tests and benchmarks).

    See: https://www.w3.org/TR/rdf-canon/#canon-algorithm
    """
    processor, options, values = _prepare(document, loader, safe=safe, memoize=memoize)
    with _work.metered(values):
        quads = _quads(processor, document, options)
        return _jsonld_rdfc.canonicalize_quads(quads, hash_algorithm=hash_algorithm)


def canonicalize_nquads(text: str, *, hash_algorithm: str = "sha256") -> str:
    """Canonical form of a dataset given as N-Quads text.

    See: https://www.w3.org/TR/rdf-canon/#canon-algorithm
    """
    quads = _jsonld_rdfc.parse_nquads(text)
    return _jsonld_rdfc.canonicalize_quads(quads, hash_algorithm=hash_algorithm)


def expand(
    document: dict[str, Any],
    *,
    loader: StaticLoader | None = None,
    safe: bool = False,
    memoize: bool = True,
) -> list[Any]:
    """JSON-LD expansion with the static loader and ``base=None``.

    See: https://www.w3.org/TR/json-ld11-api/#expansion-algorithm
    """
    processor, options, values = _prepare(document, loader, safe=safe, memoize=memoize)
    with _work.metered(values):
        expanded: list[Any] = _run(lambda: processor.expand(document, options))
    return expanded


def compact(
    expanded: list[Any], context: Any, *, loader: StaticLoader | None = None
) -> dict[str, Any]:
    """JSON-LD compaction of an already expanded document with the static loader.

    See: https://www.w3.org/TR/json-ld11-api/#compaction-algorithm
    """
    values = check_limits({"@graph": expanded})
    processor, options, _ = _prepare({}, loader, safe=False, memoize=True)
    options["skipExpansion"] = True
    with _work.metered(values):
        compacted: dict[str, Any] = _run(lambda: processor.compact(expanded, context, options))
    return compacted


def to_quads(
    document: dict[str, Any],
    *,
    loader: StaticLoader | None = None,
    safe: bool = False,
    memoize: bool = True,
) -> list[Quad]:
    """Deserialize JSON-LD to an RDF dataset, as quads of canonical N-Quads terms.

    See: https://www.w3.org/TR/json-ld11-api/#deserialize-json-ld-to-rdf-algorithm
    """
    processor, options, values = _prepare(document, loader, safe=safe, memoize=memoize)
    with _work.metered(values):
        return _quads(processor, document, options)


def _quads(processor: Processor, document: dict[str, Any], options: dict[str, Any]) -> list[Quad]:
    dataset = _run(lambda: processor.to_rdf(document, options))
    quads: list[Quad] = []
    for graph_name, triples in dataset.items():
        graph = "" if graph_name == "@default" else _node_term(graph_name)
        for triple in triples:
            subject = _term(triple["subject"])
            predicate = "<" + triple["predicate"]["value"] + ">"
            quads.append((subject, predicate, _term(triple["object"]), graph))
    return quads


def _prepare(
    document: Any, loader: StaticLoader | None, *, safe: bool, memoize: bool
) -> tuple[Processor, dict[str, Any], int]:
    values = check_limits(document)
    loader = loader or DEFAULT_LOADER
    memo = loader.cache.setdefault("memo", {}) if memoize else None
    shared = loader.cache.setdefault("resolved", LRUCache(maxsize=256))
    processor = Processor(memo=memo, paths=json_paths(document) if safe else None)
    options = {
        "base": None,
        "documentLoader": loader,
        "contextResolver": ContextResolver(shared, loader),
        "processingMode": "json-ld-1.1",
        "produceGeneralizedRdf": False,
        "rdfDirection": "i18n-datatype",
    }
    return processor, options, values


def _run(step: Any) -> Any:
    """Run a pyld step; surface our own errors, turn pyld's into CanonicalizationError."""
    try:
        return step()
    except JsonLdError as error:
        cause: BaseException | None = error
        while cause is not None:
            if isinstance(cause, VcError):
                raise cause from None
            cause = cause.__cause__
        raise CanonicalizationError(f"JSON-LD processing failed: {_describe(error)}") from error
    except RecursionError:
        raise CanonicalizationError("JSON-LD document is nested too deeply") from None


def _describe(error: JsonLdError) -> str:
    parts = []
    cause: BaseException | None = error
    while cause is not None:
        code = getattr(cause, "code", None)
        parts.append(f"{cause}" + (f" ({code})" if code else ""))
        cause = cause.__cause__
    return "; ".join(parts)


def check_limits(document: Any) -> int:
    """Refuse documents too deep, with too many values or too much text (before pyld runs);
    return the number of JSON values (the work budget grows with it)."""
    if not isinstance(document, dict):
        raise CanonicalizationError("a JSON-LD document must be a JSON object")
    todo: list[tuple[Any, int]] = [(document, 1)]
    count = chars = 0
    while todo:
        value, depth = todo.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise CanonicalizationError(f"JSON-LD document is nested deeper than {MAX_DEPTH}")
        if isinstance(value, dict):
            chars += sum(len(k) for k in value)
            todo.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            todo.extend((v, depth + 1) for v in value)
        elif isinstance(value, str):
            chars += len(value)
        if count > MAX_NODES or chars > MAX_TEXT_CHARS:
            raise CanonicalizationError(
                f"JSON-LD document is too large (limits: {MAX_NODES} values, "
                f"{MAX_TEXT_CHARS} characters)"
            )
    return count


def _node_term(value: str) -> str:
    return value if value.startswith("_:") else "<" + value + ">"


def _term(node: dict[str, Any]) -> str:
    kind = node["type"]
    if kind == "IRI":
        return "<" + str(node["value"]) + ">"
    if kind == "blank node":
        return str(node["value"])
    return literal_term(node["value"], node["datatype"], node.get("language"))
