"""The data direction between the learner features: labs read lessons, both record progress, and
nothing reads back up (progress imports no feature, lessons import no lab)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PATTERNS = Path(__file__).resolve().parents[2] / "patterns"
FEATURES = ("lessons", "labs", "playground", "sessions", "player", "diagrams")


def _imported(package: str) -> set[str]:
    """Every ``patterns.*`` module the package's files import, at any depth of the code."""
    names: set[str] = set()
    for path in (PATTERNS / package).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                names.update(m for m in modules if m.startswith("patterns."))
            elif isinstance(node, ast.Import):
                names.update(a.name for a in node.names if a.name.startswith("patterns."))
    return names


def _features(modules: set[str], features: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[1] in features)


def test_progress_imports_no_feature() -> None:
    assert _features(_imported("progress"), FEATURES) == []


def test_lessons_import_no_lab_and_no_session() -> None:
    assert _features(_imported("lessons"), ("labs", "sessions")) == []


def test_labs_import_no_session_and_no_playground() -> None:
    assert _features(_imported("labs"), ("sessions", "playground")) == []
