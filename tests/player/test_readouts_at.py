"""Instant runs carry readouts through the run, not only at its end and not only after a fault,
so a player at any playhead shows the engine's numbers as of the latest reading at or before it."""

from __future__ import annotations

import pytest

from patterns.player.playback import (
    READOUT_EVERY_WINDOWS,
    instant_frames,
    instant_readout_windows,
)
from patterns.sim import BUILTIN_SCENARIOS, Simulation
from tests.scenarios import TINY

pytestmark = pytest.mark.unit

KILL = {"at_s": 2.0, "do": "kill_task", "task": "back-1"}


def test_instant_readouts_start_with_the_first_window_and_keep_the_live_cadence() -> None:
    long_tiny = {**TINY, "duration_s": 12}

    readouts = instant_frames(long_tiny, "elb", 1, log=[KILL])["readouts"]

    # Windows of 1 s: the first window, then every READOUT_EVERY_WINDOWS (5), then the end.
    assert READOUT_EVERY_WINDOWS == 5
    assert [r["values"]["t"] for r in readouts] == [1.0, 5.0, 10.0, 12.0]


def test_instant_readouts_grow_with_time() -> None:
    long_tiny = {**TINY, "duration_s": 12}

    readouts = instant_frames(long_tiny, "elb", 1, log=[KILL])["readouts"]

    requests = [r["values"]["requests"] for r in readouts]
    assert requests == sorted(requests)
    assert requests[0] < requests[-1]


def test_a_run_without_actions_has_readouts_before_its_end_too() -> None:
    # TINY: 4 requests a second with uniform arrivals for 5 s: 4 by the first window's end, 20
    # at the run's end (5 s, read once: the last window is the end).
    readouts = instant_frames(TINY, "elb", 1)["readouts"]

    assert [(r["values"]["t"], r["values"]["requests"]) for r in readouts] == [
        (1.0, 4),
        (5.0, 20),
    ]


def test_the_kill_task_lesson_has_readouts_before_the_kill_at_the_exact_engine_count() -> None:
    # The case: at 40 s of an instant kill-task run there were no readouts at all (the
    # first came 20 s after the kill at 60 s). Now the latest at or before 40 s is the 40 s one.
    scenario = dict(BUILTIN_SCENARIOS["kill-task"])

    readouts = instant_frames(scenario, "elb", 1)["readouts"]

    times = [r["values"]["t"] for r in readouts]
    assert times == [1.0, 5.0, 10.0, 15.0, 20.0, *range(40, 240, 20), 240.0]
    at_40 = readouts[times.index(40.0)]["values"]
    assert (at_40["requests"], at_40["failed_requests"], at_40["faults"]) == (1182, 0, [])
    # The same number as the engine reports when it is simply run to 40 s.
    engine = Simulation("kill-task", pattern="elb", seed=1)
    engine.advance(40.0)
    assert engine.brief_result()["summary"]["requests"] == 1182


@pytest.mark.parametrize(
    ("duration_s", "windows"),
    [
        (1, []),
        (5, [1]),
        (12, [1, 5, 10]),
        (120, [1, 5, *range(10, 120, 10)]),
        (240, [1, 5, 10, 15, *range(20, 240, 20)]),
        (600, [1, *range(5, 50, 5), *range(50, 600, 50)]),
    ],
)
def test_instant_readout_windows(duration_s: int, windows: list[int]) -> None:
    assert sorted(instant_readout_windows(duration_s)) == windows
