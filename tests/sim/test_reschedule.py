"""Simulation.reschedule: a run takes a new action list for its future without replaying the past."""

from __future__ import annotations

import pytest

from patterns.sim import ScenarioError, Simulation

pytestmark = pytest.mark.unit

SCENARIO = {
    "name": "reschedule",
    "duration_s": 30,
    "services": [{"name": "front", "tasks": 1}, {"name": "back", "tasks": 3}],
    "traffic": [{"from": "front", "to": "back", "rps": 20}],
    "actions": [{"at_s": 5.0, "do": "kill_task", "task": "back-1"}],
}
LATER = {"at_s": 12.0, "do": "slow_task", "task": "back-2", "delay_ms": 400}


def test_rescheduled_run_equals_a_run_built_with_the_actions() -> None:
    built = Simulation({**SCENARIO, "actions": [*SCENARIO["actions"], LATER]})
    live = Simulation(SCENARIO)
    early = live.advance(10.0)

    live.reschedule([*SCENARIO["actions"], LATER])

    assert early + live.advance(30.0) == built.advance(30.0)
    assert live.result()["summary"] == built.result()["summary"]
    assert live.replay_actions() == built.replay_actions()


def test_reschedule_refuses_to_change_what_already_happened() -> None:
    live = Simulation(SCENARIO)
    live.advance(10.0)

    with pytest.raises(ScenarioError) as caught:
        live.reschedule([LATER])

    assert (caught.value.path, caught.value.reason) == (
        "actions",
        "the actions before the current time cannot change",
    )
