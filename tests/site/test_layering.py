"""The house's one direction: each package of ``patterns/`` imports only the packages that
ARCHITECTURE.md lets it (the engine nothing, progress no feature, lessons no lab or playground,
no feature the sessions)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

PATTERNS = Path(__file__).resolve().parents[2] / "patterns"


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


# What each package may import of the app, as ARCHITECTURE.md's table says. Site-wide modules
# (``catalog``, ``errors``, ``live``, ``untrusted``, ``aws_docs``) count as packages here.
ALLOWED: dict[str, set[str]] = {
    "sim": set(),
    "diagrams": {"sim", "errors", "untrusted"},
    "player": {"sim", "diagrams", "errors", "untrusted"},
    "progress": set(),
    "lessons": {"sim", "player", "diagrams", "progress", "catalog", "errors", "aws_docs"},
    "labs": {
        "sim",
        "player",
        "diagrams",
        "lessons",
        "progress",
        "catalog",
        "errors",
        "guide",
        "inaws",
    },
    "playground": {"sim", "player", "diagrams", "catalog", "errors", "live", "untrusted"},
    "sessions": {"sim", "player", "diagrams", "lessons", "catalog", "errors", "live"},
    "inaws": {"sim", "errors", "untrusted", "aws_docs"},
    "guide": {"sim", "player", "lessons", "catalog", "errors", "aws_docs"},
}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_a_package_imports_only_what_the_architecture_allows(package: str) -> None:
    reached = {m.split(".")[1] for m in _imported(package)} - {package}

    assert reached - ALLOWED[package] == set()


def test_every_package_is_in_the_table() -> None:
    packages = {p.parent.name for p in PATTERNS.glob("*/__init__.py")}

    assert packages - {"management", "migrations", "templatetags", "content"} == set(ALLOWED)


def test_nothing_but_the_site_urls_and_the_pattern_lab_imports_the_guide() -> None:
    # The pattern-choice lab grades with the guide's own rules, so the two never disagree; it
    # reads the pure decision table and the guide's words, never its views.
    importers = {
        p: {".".join(m.split(".")[:3]) for m in _imported(p) if m.startswith("patterns.guide")}
        for p in ALLOWED
        if p != "guide"
    }

    assert {p: m for p, m in importers.items() if m} == {
        "labs": {"patterns.guide.decide", "patterns.guide.texts"}
    }
