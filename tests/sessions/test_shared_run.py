"""The shared simulation of a study session as a pure function of its log (no Django)."""

from __future__ import annotations

import pytest

from patterns.sessions import shared_run as session_sim

pytestmark = pytest.mark.unit

KILL = {"do": "kill_task", "task": "inventory-2"}


def _started(seed: int = 1) -> dict:
    sim = {"playing": True, "speed": 1.0, "vt": 0.0, "since": 100.0, "actions": 0}
    payload = {**session_sim.validate_start({"scenario": "steady", "seed": seed}), "run": "s1"}
    session_sim.reduce_sim(sim, "scenario", payload, 100.0)
    return sim


def test_action_time_worked_examples() -> None:
    playing = {"playing": True, "speed": 1.0}
    paused = {"playing": False, "speed": 1.0}

    assert session_sim.action_time(playing, 12.3) == 12.4
    assert session_sim.action_time(playing, 12.0) == 12.1
    assert session_sim.action_time({"playing": True, "speed": 2.0}, 12.301) == 12.51
    assert session_sim.action_time({"playing": True, "speed": 0.5}, 7.0) == 7.05
    assert session_sim.action_time(paused, 12.3456) == 12.345
    assert session_sim.action_time(paused, 12.0) == 12.0


def test_windows_to_send_runs_one_wall_second_ahead_of_the_shared_clock() -> None:
    sim = {"playing": True, "speed": 2.0, "vt": 4.0, "since": 100.0}

    # vt at 104.15 s is 4 + 4.15 * 2 = 12.3; two virtual seconds ahead is 14.3: windows 0-14.
    assert session_sim.windows_to_send(sim, 104.15, 120.0, 1.0) == 15
    assert session_sim.windows_to_send(sim, 1000.0, 120.0, 1.0) == 120
    assert session_sim.windows_to_send({**sim, "playing": False}, 104.15, 120.0, 1.0) == 7
    # At 10x a wall second is 10 windows; at most 5 go out ahead.
    fast = {"playing": False, "speed": 10.0, "vt": 12.3, "since": 100.0}
    assert session_sim.windows_to_send(fast, 100.0, 120.0, 1.0) == 18


def test_next_window_in_counts_wall_seconds_to_the_window_being_due() -> None:
    sim = {"playing": True, "speed": 2.0, "vt": 4.0, "since": 100.0}

    # Window 15 starts at 15.0 and is due at vt 13.0, i.e. 0.7 virtual s after 12.3 = 0.35 s.
    assert session_sim.next_window_in(sim, 104.15, 15, 1.0) == pytest.approx(0.35)
    assert session_sim.next_window_in(sim, 104.15, 14, 1.0) == 0.0
    assert session_sim.next_window_in({**sim, "playing": False}, 104.15, 15, 1.0) == 3600.0
    # At 10x window 20 is due 5 virtual seconds before it starts: vt 15.0, 0.27 s after 12.3.
    fast = {"playing": True, "speed": 10.0, "vt": 12.3, "since": 100.0}
    assert session_sim.next_window_in(fast, 100.0, 20, 1.0) == pytest.approx(0.27)


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


def test_start_stores_the_scenario_as_sent_with_its_pattern_and_seed() -> None:
    inline = {"name": "mine", "duration_s": 30, "pattern": "service-connect", "seed": 4}

    by_name = session_sim.validate_start({"scenario": "kill-task", "pattern": "all"})
    by_object = session_sim.validate_start({"scenario": inline})

    assert by_name == {"scenario": "kill-task", "pattern": "all", "seed": 1}
    assert by_object == {"scenario": inline, "pattern": "service-connect", "seed": 4}


def test_start_takes_neither_a_permalink_nor_a_log_nor_a_language() -> None:
    frame = {"scenario": "steady", "permalink": "1%%%", "log": "x", "lang": "fr"}

    assert session_sim.validate_start(frame) == {"scenario": "steady", "pattern": "elb", "seed": 1}


@pytest.mark.parametrize(
    ("frame", "field", "reason"),
    [
        ({}, "scenario", "must be an object or the name of a built-in scenario"),
        ({"scenario": 7}, "scenario", "must be an object or the name of a built-in scenario"),
        ({"scenario": "nope"}, "scenario", "unknown built-in scenario 'nope'"),
        (
            {"scenario": "steady", "pattern": "mesh"},
            "pattern",
            "must be one of elb, app-mesh, service-discovery, service-connect, all",
        ),
        ({"scenario": "steady", "seed": -1}, "seed", "must be a whole number from 0 to 2**63 - 1"),
        (
            {"scenario": {"duration_s": 7200}},
            "scenario.duration_s",
            "at most 3600 s in the playground",
        ),
    ],
)
def test_start_refusals_name_the_field(frame: dict, field: str, reason: str) -> None:
    with pytest.raises(session_sim.SimCommandError) as caught:
        session_sim.validate_start(frame)

    assert (caught.value.field, caught.value.reason) == (field, reason)


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
    sim = {**_started(), "playing": True}
    session_sim.reduce_sim(sim, "action", session_sim.prepare_action(sim, KILL, 3.2), 103.2)
    live = session_sim.build(sim)
    frames = [f for _ in range(8) for f in live.step()]

    rebuilt = session_sim.build(dict(sim))
    rebuilt.skip_to_window(5)
    again = rebuilt.step()

    assert again == [frames[5]]
    # Playing: 0.1 wall s after the click, in the window [3, 4).
    assert [e["t"] for e in frames[3]["events"] if e["cause"] == "action_applied"] == [3.3]


def test_action_is_stored_in_the_engines_normalized_form() -> None:
    sim = _started()

    payload = session_sim.prepare_action(
        sim, {"do": "slow_task", "task": "inventory-2", "delay_ms": 2000}, 3.25
    )

    # Paused: at the moment every screen shows.
    assert payload == {
        "action": {
            "at_s": 3.25,
            "do": "slow_task",
            "task": "inventory-2",
            "delay_ms": 2000.0,
            "health_check": False,
        }
    }
