"""The shared run's frames as a view keeps them (review D14): the last minute as sent, older ones
compressed but whole, a snapshot base that leaves each diagram element as the frames before it
do, older windows on request with a field error for a bad range, and a rewind that forgets
exactly the windows sent again."""

from __future__ import annotations

import json
from typing import Any

import pytest

from patterns.errors import FieldError
from patterns.player.playback import Playback
from patterns.sessions import stream as session_stream
from patterns.sim import BUILTIN_SCENARIOS

pytestmark = pytest.mark.unit


def _view(
    windows: int = 70, scenario: str = "steady", pattern: str = "elb"
) -> tuple[session_stream._View, list[dict]]:
    view = session_stream._View(
        Playback(dict(BUILTIN_SCENARIOS[scenario]), pattern, 1, lang="en", topology_hook=None)
    )
    frames = []
    for _ in range(windows):
        for frame in view.playback.step():
            frames.append(frame)
            view.add(frame)
    return view, frames


def _sent(frames: list[dict]) -> list[dict]:
    return [{**f, "type": "sim.frame"} for f in frames]


def test_frames_older_than_a_minute_are_compressed_and_come_back_as_sent() -> None:
    view, frames = _view(windows=70)

    # 70 windows sent, one frame each; the first 10 are more than 60 windows older than the head.
    assert view.packed == 10
    assert [type(x).__name__ for x in view.history] == ["bytes"] * 10 + ["str"] * 60
    assert [json.loads(view.text(seq)) for seq in range(70)] == _sent(frames)


def test_history_goes_in_batches_of_fifty_frames() -> None:
    view, frames = _view(windows=70)

    batches = [json.loads(text) for text in view.batches()]

    assert [(b["type"], len(b["frames"])) for b in batches] == [
        ("sim.history", 50),
        ("sim.history", 20),
    ]
    assert [f for b in batches for f in b["frames"]] == _sent(frames)


def _classes(changes: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Each element's class names after ``changes`` (from none), as a diagram applies them."""
    shown: dict[str, set[str]] = {}
    for change in sorted(changes, key=lambda c: c["t"]):
        names = shown.setdefault(change["el"], set())
        names.difference_update(change.get("remove") or [])
        names.update(change.get("add") or [])
    return shown


@pytest.mark.parametrize("start", [0, 30, 50])
def test_a_snapshot_base_leaves_every_element_as_the_frames_before_it_do(start: int) -> None:
    # kill-task under all four patterns: tasks stop and start, four streams of frames.
    view, frames = _view(windows=110, scenario="kill-task", pattern="all")
    seq = start * 4

    message = json.loads(view.snapshot(seq))

    assert message["type"] == "sim.snapshot"
    assert message["from"] == {"seq": seq, "t": float(start), "window": start}
    assert message["most"] == session_stream.OLDER_MAX_FRAMES // 4
    for pattern in ("elb", "app-mesh", "service-discovery", "service-connect"):
        before = [f for f in frames[:seq] if f["pattern"] == pattern]
        real = [c for f in before for c in f["states"]]
        base = message["base"].get(pattern, {"states": [], "svg": None, "deployments": None})
        assert _classes(base["states"]) == _classes(real)
        # Applied after any prefix of the real changes, the base gives the same classes.
        assert _classes(real[: len(real) // 2] + base["states"]) == _classes(real)
        urls = [(f["t0"], f["svg_url"]) for f in before if f.get("svg_url")]
        assert base["svg"] == ({"t": urls[-1][0], "url": urls[-1][1]} if urls else None)
    assert any(message["base"][p]["states"] for p in message["base"]) == (start > 0)


def test_the_snapshot_starts_five_seconds_before_the_shared_clock() -> None:
    view, _frames = _view(windows=70)

    assert view.snapshot_start(62.4) == 57
    assert view.snapshot_start(3.0) == 0
    assert view.snapshot_start(500.0) == 70  # never past the frames sent


def test_older_windows_come_as_sent_and_a_bad_range_names_its_field() -> None:
    view, frames = _view(windows=70)

    older = json.loads(view.older(5, 65))

    assert (older["type"], older["from"], older["to"]) == ("sim.older", 5, 65)
    assert older["frames"] == _sent(frames[5:65])
    most = session_stream.OLDER_MAX_FRAMES
    for first, last, field in [
        (-1, 3, "from"),
        (70, 71, "from"),
        ("0", 3, "from"),
        (True, 3, "from"),
        (None, 3, "from"),
        (1.0, 3, "from"),
        (3, 3, "to"),
        (3, 2, "to"),
        (0, 71, "to"),
        (0, most + 1, "to"),
        (0, "9", "to"),
        (0, None, "to"),
    ]:
        with pytest.raises(FieldError) as refused:
            view.older(first, last)
        assert refused.value.field == field, (first, last)
    with pytest.raises(FieldError) as refused:
        view.older(0, most + 1)
    assert refused.value.reason == f"expected a whole number from 1 to {most}"


def test_rewind_forgets_the_windows_from_its_seq_on() -> None:
    view, frames = _view(windows=70)

    view.rewind(65)
    view.add(frames[65])

    assert [json.loads(view.text(seq)) for seq in range(66)] == _sent(frames[:66])
    assert view.packed == 10


def test_a_rewind_into_the_compressed_frames_folds_the_base_again() -> None:
    view, frames = _view(windows=110, scenario="kill-task")
    kept = json.loads(view.snapshot(20))

    view.rewind(20)
    for frame in frames[20:110]:
        view.add(frame)

    assert view.packed == 50
    assert json.loads(view.snapshot(20)) == kept
    assert [json.loads(view.text(seq)) for seq in range(110)] == _sent(frames)
