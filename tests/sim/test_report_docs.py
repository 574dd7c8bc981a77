"""The README's scenario documentation keeps up with the engine's schema."""

from __future__ import annotations

from pathlib import Path

import pytest

from patterns.sim import BUILTIN_SCENARIOS, PATTERNS
from patterns.sim.scenario import ACTION_FIELDS, CLIENT, FIXED, IN_AWS, MODEL, SETTABLE, SETTINGS

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


def test_readme_settings_table_says_who_sets_each_setting_in_aws() -> None:
    rows = {
        line.split("`")[1]: line
        for line in _simulate_docs().splitlines()
        if line.startswith("| `") and line.count("|") == 6
    }

    wrong = []
    for path, entries in IN_AWS.items():
        last = rows.get(path, "").rsplit("|", 2)[-2]
        for entry in entries:
            expected = {
                SETTABLE: f"`{entry.api.split('; ')[0]}`",
                FIXED: "**fixed by AWS**",
                CLIENT: "your code",
                MODEL: "model",
            }[entry.kind]
            if expected not in last:
                wrong.append(f"{path}: {expected}")

    assert wrong == [], "README settings table, column 'Settable in AWS'"
