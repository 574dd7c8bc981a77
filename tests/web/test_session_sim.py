"""The shared simulation of a study session as a pure function of its log (no Django)."""

from __future__ import annotations

import pytest

from patterns import session_sim

pytestmark = pytest.mark.unit

KILL = {"do": "kill_task", "task": "inventory-2"}


def _started(seed: int = 1) -> dict:
    sim = {"playing": True, "speed": 1.0, "vt": 0.0, "since": 100.0, "actions": 0}
    payload = {**session_sim.validate_start({"scenario": "steady", "seed": seed}), "run": "s1"}
    session_sim.reduce_sim(sim, "scenario", payload, 100.0)
    return sim


def test_action_time_worked_examples() -> None:
    assert session_sim.action_time(12.3, 1.0) == 13.0
    assert session_sim.action_time(12.0, 1.0) == 13.0
    assert session_sim.action_time(12.3, 2.0) == 14.0


def test_window_due_counts_complete_windows_only() -> None:
    sim = {"playing": True, "speed": 2.0, "vt": 4.0, "since": 100.0}

    assert session_sim.window_due(sim, 104.15, 120.0, 1.0) == 12
    assert session_sim.window_due(sim, 1000.0, 120.0, 1.0) == 120


def test_scenario_start_resets_the_clock_and_names_the_run() -> None:
    sim = _started(seed=7)

    assert sim == {
        "playing": False,
        "speed": 1.0,
        "vt": 0.0,
        "since": 100.0,
        "actions": 0,
        "run": "s1",
        "scenario": "steady",
        "pattern": "elb",
        "seed": 7,
        "log": [],
    }


def test_start_with_an_unknown_scenario_is_refused() -> None:
    with pytest.raises(session_sim.SimCommandError) as caught:
        session_sim.validate_start({"scenario": "no-such-thing"})

    assert caught.value.field == "scenario"


def test_action_for_an_unknown_task_is_refused_by_the_engine() -> None:
    sim = _started()

    with pytest.raises(session_sim.SimCommandError) as caught:
        session_sim.prepare_action(sim, {"do": "kill_task", "task": "nope-9"}, 3.0)

    assert caught.value.field == "action.task"


def test_action_without_a_running_scenario_is_refused() -> None:
    sim = {"playing": False, "speed": 1.0, "vt": 0.0, "since": 0.0, "actions": 0}

    with pytest.raises(session_sim.SimCommandError) as caught:
        session_sim.prepare_action(sim, KILL, 0.0)

    assert (caught.value.field, caught.value.reason) == ("action", "start a scenario first")


def test_rebuild_from_the_folded_log_gives_identical_frames() -> None:
    sim = _started()
    session_sim.reduce_sim(sim, "action", session_sim.prepare_action(sim, KILL, 3.2), 103.2)
    live = session_sim.build(sim)
    frames = [f for _ in range(8) for f in live.step()]

    rebuilt = session_sim.build(dict(sim))
    rebuilt.skip_to_window(5)
    again = rebuilt.step()

    assert again == [frames[5]]
    assert [e["t"] for e in frames[4]["events"] if e["cause"] == "action_applied"] == [4.0]


def test_action_is_stored_in_the_engines_normalized_form() -> None:
    sim = _started()

    payload = session_sim.prepare_action(
        sim, {"do": "slow_task", "task": "inventory-2", "delay_ms": 2000}, 3.0
    )

    assert payload == {
        "action": {
            "at_s": 4.0,
            "do": "slow_task",
            "task": "inventory-2",
            "delay_ms": 2000.0,
            "health_check": False,
        }
    }
