"""``badgeservice.vc`` has one public face: what the rest of the project uses is in ``__all__``."""

from __future__ import annotations

import ast
from pathlib import Path

import badgeservice
from badgeservice import vc

SOURCE = Path(badgeservice.__file__).parent


def _names_taken_from_vc() -> dict[str, str]:
    """Each name a module outside ``vc/`` imports from ``badgeservice.vc`` or one of its
    modules, with the first file that does."""
    taken: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if (SOURCE / "vc") in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "badgeservice.vc"
            ):
                for alias in node.names:
                    taken.setdefault(alias.name, str(path.relative_to(SOURCE)))
    return taken


def test_public_surface_is_exported() -> None:
    assert sorted(vc.__all__) == sorted(set(vc.__all__))
    assert all(hasattr(vc, name) for name in vc.__all__)


def test_everything_used_outside_vc_is_exported() -> None:
    taken = _names_taken_from_vc()
    assert taken, "the scan found no imports from badgeservice.vc"
    missing = {name: where for name, where in taken.items() if name not in vc.__all__}
    assert missing == {}
