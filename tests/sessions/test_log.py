"""The command log: the shared clock and the state folded from the log."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from patterns.sessions import log
from patterns.sessions import shared_run as session_sim
from patterns.sessions.models import SessionCommand

pytestmark = pytest.mark.unit


def test_virtual_time_worked_example() -> None:
    sim = {"playing": True, "speed": 2.0, "vt": 4.0, "since": 100.0, "actions": 0}

    assert session_sim.virtual_time(sim, 101.5) == 7.0
    assert session_sim.virtual_time({**sim, "playing": False}, 101.5) == 4.0


def _command(seq: int, at: float, command: str, **payload: object) -> SessionCommand:
    return SessionCommand(
        seq=seq, at=datetime.fromtimestamp(at, tz=timezone.utc), kind=command, payload=payload
    )


def test_fold_replays_slides_simulation_and_polls() -> None:
    commands = [
        _command(1, 100.0, "slide", slide=3, step=1),
        _command(2, 101.0, "play"),
        _command(3, 103.0, "speed", value=2.0),
        _command(4, 104.0, "action", action={"kind": "kill_task", "task": "inventory-2"}),
        _command(5, 105.0, "pause"),
        _command(6, 106.0, "highlight", el="task-inventory-2"),
        _command(
            7,
            107.0,
            "poll.open",
            id=9,
            number=1,
            kind="choice",
            prompt="Which?",
            choices=["a", "b"],
            unit="",
            scored=True,
            tolerance=0.0,
            correct=1,
        ),
        _command(8, 108.0, "poll.reveal", id=9, correct=1),
    ]

    state = log.fold(commands)

    assert state == {
        "slide": 3,
        "step": 1,
        "highlight": "task-inventory-2",
        # played 101->103 at 1x (2 s), then 103->105 at 2x (4 s): 6 s of virtual time
        "sim": {"playing": False, "speed": 2.0, "vt": 6.0, "since": 105.0, "actions": 1},
        "poll": {
            "id": 9,
            "number": 1,
            "kind": "choice",
            "prompt": "Which?",
            "choices": ["a", "b"],
            "unit": "",
            "scored": True,
            "state": "revealed",
            "correct": 1,
            "seconds": None,
            "closes_at_ms": None,
            "texts": {},
        },
        "started": True,
        "ended": False,
    }


def test_fold_hides_the_right_answer_until_the_reveal() -> None:
    commands = [
        _command(
            1,
            100.0,
            "poll.open",
            id=9,
            number=1,
            kind="numeric",
            prompt="How long?",
            choices=[],
            unit="s",
            scored=False,
            tolerance=1.0,
            correct=30.0,
        )
    ]

    assert log.fold(commands)["poll"]["correct"] is None


def test_the_class_starts_with_a_slide_a_run_or_a_poll_not_a_highlight() -> None:
    highlighted = log.fold([_command(1, 100.0, "highlight", el="task-inventory-1")])
    moved = log.fold([_command(1, 100.0, "slide", slide=2, step=0)])

    assert (log.initial_state()["started"], highlighted["started"], moved["started"]) == (
        False,
        False,
        True,
    )


def test_a_timed_poll_in_the_state_closes_at_its_open_time_plus_its_seconds() -> None:
    opened = _command(
        1,
        100.25,
        "poll.open",
        id=3,
        number=1,
        kind="choice",
        prompt="Which?",
        choices=["a", "b"],
        unit="",
        scored=False,
        tolerance=0.0,
        correct=None,
        seconds=20,
        texts={},
    )

    poll = log.fold([opened])["poll"]

    assert (poll["seconds"], poll["closes_at_ms"]) == (20, 120250)
