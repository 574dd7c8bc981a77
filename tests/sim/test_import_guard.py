"""patterns.sim stays pure: importing it loads no Django, Channels or graphviz module."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

_PROBE = """
import json, sys
import patterns.sim
import patterns.sim.elb, patterns.sim.faults, patterns.sim.causes
for name in ("appmesh", "service_discovery", "service_connect"):
    try:
        __import__("patterns.sim." + name)
    except ImportError:
        pass
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in ("django", "channels", "graphviz"))))
"""


def test_import_patterns_sim_loads_no_framework_module() -> None:
    completed = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, cwd="."
    )

    loaded = json.loads(completed.stdout.strip().splitlines()[-1])

    assert loaded == []
