"""The shared run's history for screens that arrive late: whole recent windows, trimmed old ones,
sent in batches, and a rewind that forgets exactly the windows sent again."""

from __future__ import annotations

import json

import pytest

from patterns.player.playback import Playback
from patterns.sessions import stream as session_stream
from patterns.sim import BUILTIN_SCENARIOS

pytestmark = pytest.mark.unit


def _view(lang: str = "en", windows: int = 70) -> tuple[session_stream._View, list[dict]]:
    view = session_stream._View(
        Playback(dict(BUILTIN_SCENARIOS["steady"]), "elb", 1, lang=lang, topology_hook=None)
    )
    frames = []
    for _ in range(windows):
        for frame in view.playback.step():
            frames.append(frame)
            view.add(frame)
    return view, frames


def _history(view: session_stream._View) -> list[dict]:
    return [f for text in view.batches() for f in json.loads(text)["frames"]]


def test_windows_older_than_a_minute_lose_their_dots_and_keep_the_rest() -> None:
    view, frames = _view(windows=70)

    history = _history(view)

    # 70 windows sent; the newest is seq 69; seqs 0-8 are more than 60 windows older.
    assert [f["seq"] for f in history] == list(range(70))
    trimmed = [f["seq"] for f in history if f["sample"].get("trimmed")]
    assert trimmed == list(range(9))
    for old, whole in zip(history[:9], frames[:9], strict=True):
        assert old["dots"] == [] and whole["dots"] != []
        assert {k: v for k, v in old.items() if k not in ("dots", "sample")} == {
            k: v for k, v in whole.items() if k not in ("dots", "sample", "type")
        } | {"type": "sim.frame"}
        assert old["sample"]["every"] == whole["sample"]["every"]
    assert history[9:] == [{**f, "type": "sim.frame"} for f in frames[9:]]


def test_history_goes_in_batches_of_fifty_frames() -> None:
    view, _frames = _view(windows=70)

    batches = [json.loads(text) for text in view.batches()]

    assert [(b["type"], len(b["frames"])) for b in batches] == [
        ("sim.history", 50),
        ("sim.history", 20),
    ]


def test_trimmed_label_is_in_the_page_language() -> None:
    view, _frames = _view(lang="ja", windows=62)

    (old,) = [f for f in _history(view) if f["sample"].get("trimmed")]

    assert old["seq"] == 0
    assert old["sample"]["label"] == session_stream.TRIMMED_LABELS["ja"]


def test_rewind_forgets_the_windows_from_its_seq_on() -> None:
    view, frames = _view(windows=70)

    view.rewind(65)
    view.add(frames[65])

    history = _history(view)
    assert [f["seq"] for f in history] == list(range(66))
    # Windows trimmed before the rewind stay trimmed; the rest are whole.
    assert sorted(view.recent) == list(range(9, 66))
