"""Instant runs carry readouts through the run, not only at its end, so a player scrubbed back
shows the engine's numbers as of its playhead."""

from __future__ import annotations

import pytest

from patterns.player.playback import READOUT_EVERY_WINDOWS, instant_frames
from tests.scenarios import TINY

pytestmark = pytest.mark.unit

KILL = {"at_s": 2.0, "do": "kill_task", "task": "back-1"}


def test_instant_readouts_follow_the_live_cadence_once_an_action_happened() -> None:
    long_tiny = {**TINY, "duration_s": 12}

    readouts = instant_frames(long_tiny, "elb", 1, log=[KILL])["readouts"]

    # Windows of 1 s, every READOUT_EVERY_WINDOWS (5) once the kill at 2 s is behind: 5 and 10 s,
    # then the end.
    assert READOUT_EVERY_WINDOWS == 5
    assert [r["values"]["t"] for r in readouts] == [5.0, 10.0, 12.0]


def test_instant_readouts_grow_with_time() -> None:
    long_tiny = {**TINY, "duration_s": 12}

    readouts = instant_frames(long_tiny, "elb", 1, log=[KILL])["readouts"]

    requests = [r["values"]["requests"] for r in readouts]
    assert requests == sorted(requests)
    assert requests[0] < requests[-1]


def test_a_run_without_actions_has_its_readouts_at_the_end_only() -> None:
    readouts = instant_frames(TINY, "elb", 1)["readouts"]

    assert [r["values"]["t"] for r in readouts] == [float(TINY["duration_s"])]
