"""RDF Dataset Canonicalization (RDFC-1.0) over quads of canonical N-Quads terms.

A quad is a tuple ``(subject, predicate, object, graph)`` of terms already written in canonical
N-Quads form (``<iri>``, ``_:label`` or a literal ``"..."``), ``graph`` is ``""`` for the default
graph. Working on serialised terms keeps hashing and the final output to string joins.

The algorithm has a work bound: every call of Hash N-Degree Quads is counted and the run is
refused with :class:`CanonicalizationError` once the budget is spent (poison graphs). Each
quad and each hashing step also spends a unit of the current work meter (``_work``), which
checks the verification's deadline.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from badgeservice.vc import _work
from badgeservice.vc.errors import CanonicalizationError

Quad = tuple[str, str, str, str]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# Work units (calls of Hash N-Degree Quads plus permutations tried) allowed per blank node
# that needs N-degree hashing, capped in total. rdf-canonize bounds similar work
# (maxWorkFactor). The W3C "computable" poison graphs (test044-046) use ~600 units per node;
# the 10-node clique (test074) needs millions and is refused in a few milliseconds.
MAX_WORK = 1024
MAX_TOTAL_WORK = 100_000

_ESCAPES = {0x5C: "\\\\", 0x22: '\\"', 0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f"}
_ESCAPES[0x0D] = "\\r"
_ESCAPE_TABLE: dict[int, str] = {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]}
_ESCAPE_TABLE.update(_ESCAPES)


def escape_literal(value: str) -> str:
    """Escape a literal's lexical form as canonical N-Quads require.

    See: https://www.w3.org/TR/rdf-canon/#canonical-quads
    """
    return value.translate(_ESCAPE_TABLE)


def literal_term(value: str, datatype: str, language: str | None = None) -> str:
    """Write a literal in canonical N-Quads form."""
    text = '"' + value.translate(_ESCAPE_TABLE) + '"'
    if datatype == RDF_LANGSTRING and language:
        return text + "@" + language
    if datatype == XSD_STRING:
        return text
    return text + "^^<" + datatype + ">"


def serialize_quad(quad: Quad) -> str:
    """One canonical N-Quads line (with its final ``\\n``)."""
    s, p, o, g = quad
    if g:
        return f"{s} {p} {o} {g} .\n"
    return f"{s} {p} {o} .\n"


class _Issuer:
    """Identifier issuer (RDFC-1.0 §4.5): issues ``prefix + counter`` in order."""

    __slots__ = ("issued", "prefix")

    def __init__(self, prefix: str, issued: dict[str, str] | None = None) -> None:
        self.prefix = prefix
        self.issued: dict[str, str] = {} if issued is None else issued

    def issue(self, existing: str) -> str:
        found = self.issued.get(existing)
        if found is None:
            found = self.issued[existing] = f"{self.prefix}{len(self.issued)}"
        return found

    def copy(self) -> _Issuer:
        return _Issuer(self.prefix, dict(self.issued))


@dataclass
class _State:
    quads: list[Quad]
    hasher: Callable[[bytes], str]
    by_node: dict[str, list[Quad]] = field(default_factory=dict)
    first_hashes: dict[str, str] = field(default_factory=dict)
    canonical: _Issuer = field(default_factory=lambda: _Issuer("_:c14n"))
    budget: int = 0


def _hasher(algorithm: str) -> Callable[[bytes], str]:
    name = {"sha256": "sha256", "sha384": "sha384"}.get(algorithm.lower().replace("-", ""))
    if name is None:
        raise CanonicalizationError(f"unsupported hash algorithm {algorithm!r}")
    return lambda data: hashlib.new(name, data).hexdigest()


def canonical_labels(quads: Iterable[Quad], *, hash_algorithm: str = "sha256") -> dict[str, str]:
    """Issue canonical blank node identifiers: ``{"_:b0": "_:c14n0", ...}``.

    See: https://www.w3.org/TR/rdf-canon/#canon-algorithm
    """
    state = _State(quads=list(dict.fromkeys(quads)), hasher=_hasher(hash_algorithm))
    for quad in state.quads:
        _work.spend()
        for term in (quad[0], quad[2], quad[3]):
            if term.startswith("_:"):
                bucket = state.by_node.setdefault(term, [])
                if not bucket or bucket[-1] is not quad:
                    bucket.append(quad)
    by_hash: dict[str, list[str]] = {}
    for node in state.by_node:
        _work.spend()
        by_hash.setdefault(_hash_first_degree(state, node), []).append(node)
    shared: list[list[str]] = []
    for hash_value in sorted(by_hash):
        nodes = by_hash[hash_value]
        if len(nodes) == 1:
            state.canonical.issue(nodes[0])
        else:
            shared.append(nodes)
    state.budget = min(MAX_TOTAL_WORK, MAX_WORK * max(1, sum(len(n) for n in shared)))
    try:
        _issue_shared(state, shared)
    except RecursionError:
        raise CanonicalizationError(
            "canonicalization needs too much work (blank node chain too deep)"
        ) from None
    return state.canonical.issued


def _issue_shared(state: _State, shared: list[list[str]]) -> None:
    """Steps 5-6 of RDFC-1.0 §4.4.3 for blank nodes whose first-degree hash is shared."""
    for nodes in shared:
        results: list[tuple[str, _Issuer]] = []
        for node in nodes:
            if node in state.canonical.issued:
                continue
            temporary = _Issuer("_:b")
            temporary.issue(node)
            results.append(_hash_n_degree(state, node, temporary))
        for _hash, issuer in sorted(results, key=lambda r: r[0]):
            for existing in issuer.issued:
                state.canonical.issue(existing)


def canonicalize_quads(quads: Iterable[Quad], *, hash_algorithm: str = "sha256") -> str:
    """Canonical N-Quads of a dataset: relabelled, one quad per line, sorted, deduplicated.

    See: https://www.w3.org/TR/rdf-canon/#canon-algo-algo
    """
    quads = list(dict.fromkeys(quads))
    labels = canonical_labels(quads, hash_algorithm=hash_algorithm)
    lines = {serialize_quad(tuple(labels.get(t, t) for t in q)) for q in quads}  # type: ignore[arg-type]
    return "".join(sorted(lines))


def _hash_first_degree(state: _State, node: str) -> str:
    """Hash First Degree Quads (RDFC-1.0 §4.6)."""
    cached = state.first_hashes.get(node)
    if cached is not None:
        return cached
    lines = []
    for quad in state.by_node[node]:
        terms = [
            t if i == 1 or not t.startswith("_:") else ("_:a" if t == node else "_:z")
            for i, t in enumerate(quad)
        ]
        lines.append(serialize_quad((terms[0], terms[1], terms[2], terms[3])))
    lines.sort()
    result = state.first_hashes[node] = state.hasher("".join(lines).encode("utf-8"))
    return result


def _hash_related(state: _State, related: str, quad: Quad, issuer: _Issuer, pos: str) -> str:
    """Hash Related Blank Node (RDFC-1.0 §4.7)."""
    identifier = state.canonical.issued.get(related) or issuer.issued.get(related)
    if identifier is None:
        identifier = _hash_first_degree(state, related)
    data = pos + (quad[1] if pos != "g" else "") + identifier
    return state.hasher(data.encode("utf-8"))


def _related_by_hash(state: _State, node: str, issuer: _Issuer) -> dict[str, list[str]]:
    related: dict[str, list[str]] = {}
    for quad in state.by_node[node]:
        for term, pos in ((quad[0], "s"), (quad[2], "o"), (quad[3], "g")):
            if term != node and term.startswith("_:"):
                hash_value = _hash_related(state, term, quad, issuer, pos)
                related.setdefault(hash_value, []).append(term)
    return related


def _hash_n_degree(state: _State, node: str, issuer: _Issuer) -> tuple[str, _Issuer]:
    """Hash N-Degree Quads (RDFC-1.0 §4.8), counted against the work budget."""
    _spend(state)
    data = []
    for hash_value, nodes in sorted(_related_by_hash(state, node, issuer).items()):
        data.append(hash_value)
        chosen_path, chosen_issuer = "", issuer
        for permutation in itertools.permutations(nodes):
            found = _try_permutation(state, permutation, issuer, chosen_path)
            if found is not None and (not chosen_path or found[0] < chosen_path):
                chosen_path, chosen_issuer = found
        data.append(chosen_path)
        issuer = chosen_issuer
    return state.hasher("".join(data).encode("utf-8")), issuer


def _spend(state: _State) -> None:
    _work.spend()
    state.budget -= 1
    if state.budget < 0:
        raise CanonicalizationError(
            "canonicalization needs too much work (blank node poison graph?)"
        )


def _try_permutation(
    state: _State, permutation: tuple[str, ...], issuer: _Issuer, chosen: str
) -> tuple[str, _Issuer] | None:
    """One permutation of §4.8 step 5.4; ``None`` when it cannot beat ``chosen``."""
    _spend(state)
    copy = issuer.copy()
    path = ""
    recursion = []
    for related in permutation:
        canonical = state.canonical.issued.get(related)
        if canonical is not None:
            path += canonical
        else:
            if related not in copy.issued:
                recursion.append(related)
            path += copy.issue(related)
        if chosen and len(path) >= len(chosen) and path > chosen:
            return None
    for related in recursion:
        result_hash, copy = _hash_n_degree(state, related, copy)
        path += copy.issue(related) + "<" + result_hash + ">"
        if chosen and len(path) >= len(chosen) and path > chosen:
            return None
    return path, copy


# N-Quads reading, used for RDFC-1.0 test inputs (https://www.w3.org/TR/n-quads/#sec-grammar).
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})|\\([tbnrf\"'\\])")
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_TERM = re.compile(
    r'\s*(?:<(?P<iri>[^>]*)>|(?P<bnode>_:[^\s<"]+)'
    r'|"(?P<lit>(?:[^"\\]|\\.)*)"(?:\^\^<(?P<dt>[^>]*)>|@(?P<lang>[A-Za-z]+(?:-[A-Za-z0-9]+)*))?)'
)


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(3):
            return _ECHAR[match.group(3)]
        return chr(int(match.group(1) or match.group(2), 16))

    return _UCHAR.sub(replace, text)


def _read_term(match: re.Match[str]) -> str:
    if match.group("iri") is not None:
        return "<" + _unescape(match.group("iri")) + ">"
    if match.group("bnode") is not None:
        return str(match.group("bnode"))
    value = _unescape(match.group("lit"))
    if match.group("lang"):
        return literal_term(value, RDF_LANGSTRING, match.group("lang"))
    return literal_term(value, _unescape(match.group("dt") or XSD_STRING))


def parse_nquads(text: str) -> list[Quad]:
    """Read N-Quads into quads of canonical terms (lines split on ``\\n`` only)."""
    quads: list[Quad] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip(" \t\r")
        if not line or line.startswith("#"):
            continue
        terms: list[str] = []
        pos = 0
        while (match := _TERM.match(line, pos)) is not None and len(terms) < 4:
            terms.append(_read_term(match))
            pos = match.end()
        if line[pos:].strip() != "." or len(terms) not in (3, 4):
            raise CanonicalizationError(f"invalid N-Quads at line {number}")
        quads.append((terms[0], terms[1], terms[2], terms[3] if len(terms) == 4 else ""))
    return quads
