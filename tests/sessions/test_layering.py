"""The sessions package keeps the app's layering: views reach the room through broadcast, never
through the consumer, and nothing here imports another package's private names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import patterns.sessions

pytestmark = pytest.mark.unit

PACKAGE = Path(patterns.sessions.__file__).parent


def _imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) for every `from module import name` in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.module or "", alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    ]


def test_the_views_never_import_the_consumers() -> None:
    imported = {f"{module}.{name}" for module, name in _imports(PACKAGE / "views.py")}

    assert not {i for i in imported if "consumers" in i}


def test_no_private_name_is_imported_from_another_package() -> None:
    private = [
        (path.name, module, name)
        for path in sorted(PACKAGE.glob("*.py"))
        for module, name in _imports(path)
        if name.startswith("_")
        and not module.startswith("patterns.sessions")
        and module != "__future__"
    ]

    assert private == []
