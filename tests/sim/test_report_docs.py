"""The README's scenario documentation keeps up with the engine's schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from patterns.sim import BUILTIN_SCENARIOS, PATTERNS
from patterns.sim.scenario import ACTION_FIELDS, SETTINGS

pytestmark = pytest.mark.unit

README = Path(__file__).resolve().parents[2] / "README.md"


def _simulate_docs() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- BEGIN simulate-docs")
    return text[start : text.index("<!-- END simulate-docs -->")]


def test_readme_documents_every_setting() -> None:
    docs = _simulate_docs()

    missing = [
        f"{component}.{key}"
        for component, keys in SETTINGS.items()
        for key in keys
        if f"`{component}.{key}`" not in docs
    ]

    assert missing == []


def test_readme_documents_every_action_builtin_and_pattern() -> None:
    docs = _simulate_docs()

    names = [*ACTION_FIELDS, *BUILTIN_SCENARIOS, *PATTERNS]

    assert [name for name in names if f"`{name}`" not in docs] == []
