"""Services never commit (DESIGN.md §5): the request layer, the worker or the CLI owns the
transaction. A lint over the source of every module of ``services/``: no ``commit()`` call
and no ``begin()`` (a transaction block commits when it ends); savepoints
(``begin_nested``) are the service's own business."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import badgeservice.services

SERVICES = Path(badgeservice.services.__file__).parent
FORBIDDEN = frozenset({"commit", "begin"})


def transaction_calls(source: str) -> list[tuple[int, str]]:
    """``(line, name)`` of every ``<anything>.commit(...)`` or ``.begin(...)`` call."""
    return [
        (node.lineno, node.func.attr)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in FORBIDDEN
    ]


@pytest.mark.parametrize(
    "module", sorted(SERVICES.rglob("*.py")), ids=lambda path: path.name.removesuffix(".py")
)
def test_services_never_commit(module: Path) -> None:
    found = transaction_calls(module.read_text(encoding="utf-8"))
    assert found == [], f"{module.name}: the caller owns the transaction; found {found}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("session.commit()", [(1, "commit")]),
        ("def f(s):\n    with s.begin():\n        pass", [(2, "begin")]),
        ("self._session.connection().commit()", [(1, "commit")]),
        ("with session.begin_nested():\n    pass", []),
        ("session.flush()\nsession.rollback()", []),
    ],
)
def test_the_lint_finds_transaction_calls(source: str, expected: list[tuple[int, str]]) -> None:
    assert transaction_calls(source) == expected
