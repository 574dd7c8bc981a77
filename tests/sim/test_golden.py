"""Golden summaries: every built-in scenario under every pattern, pinned.

A change to a golden file is a reviewed change. To regenerate deliberately after a model change::

    KUMOBEN_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/sim/test_golden.py -q
    git diff tests/sim/golden/     # read what moved, and say why in the commit message
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from patterns.sim import BUILTIN_SCENARIOS, PATTERNS, run

pytestmark = pytest.mark.unit

GOLDEN = Path(__file__).parent / "golden"
CASES = [(scenario, pattern) for scenario in BUILTIN_SCENARIOS for pattern in PATTERNS]


@pytest.mark.parametrize(("scenario", "pattern"), CASES)
def test_golden_summary_is_unchanged(scenario: str, pattern: str) -> None:
    path = GOLDEN / f"{scenario}.{pattern}.json"

    summary = json.loads(json.dumps(run(scenario, pattern=pattern)["summary"]))

    if os.environ.get("KUMOBEN_UPDATE_GOLDEN") == "1":
        path.write_text(json.dumps(summary, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert summary == json.loads(path.read_text(encoding="utf-8"))
