"""One engine snapshot -> the state classes of diagram elements (patterns.player.states)."""

from __future__ import annotations

from typing import Any

import pytest

from patterns.player.states import element_classes
from patterns.sim import Simulation

pytestmark = pytest.mark.unit

TINY: dict[str, Any] = {
    "name": "tiny",
    "duration_s": 12,
    "arrivals": "uniform",
    "services": [{"name": "front", "tasks": 1}, {"name": "back", "tasks": 3}],
    "traffic": [{"from": "front", "to": "back", "rps": 2}],
}


def test_element_classes_mark_behaviour_and_ejection() -> None:
    sim = Simulation(TINY, pattern="service-connect", seed=1)
    sim.apply({"do": "fail_task", "task": "back-1", "status": 503})
    sim.apply({"do": "slow_task", "task": "back-3", "delay_ms": 100})
    sim.advance(6)

    classes = element_classes(sim.snapshot(), "service-connect")

    assert classes["task-back-1"] == ("state-ejected", "state-failing", "state-healthy")
    assert classes["task-back-3"] == ("state-healthy", "state-slow")
