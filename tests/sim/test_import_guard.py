"""patterns.sim stays pure: importing every module of it loads no Django, Channels or graphviz
module and nothing of the rest of the app."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SIM = ROOT / "patterns" / "sim"

# Any ImportError fails the probe (and so the test): every engine module must import on its own.
_PROBE = """
import importlib, json, pkgutil, sys
import patterns.sim
names = sorted(m.name for m in pkgutil.walk_packages(patterns.sim.__path__, "patterns.sim."))
for name in names:
    importlib.import_module(name)
foreign = sorted(
    m for m in sys.modules
    if m.split(".")[0] in ("django", "channels", "graphviz")
    or (m.startswith("patterns.") and not m.startswith("patterns.sim"))
)
print(json.dumps({"imported": names, "foreign": foreign}))
"""


def _probe() -> dict[str, list[str]]:
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert completed.returncode == 0, completed.stderr
    result: dict[str, list[str]] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def test_import_every_sim_module_loads_no_framework_or_app_module() -> None:
    result = _probe()

    assert result["foreign"] == []


def test_import_guard_covers_every_module_of_the_engine() -> None:
    modules = sorted(
        f"patterns.sim.{path.stem}" for path in SIM.glob("*.py") if path.stem != "__init__"
    )

    result = _probe()

    assert result["imported"] == modules
