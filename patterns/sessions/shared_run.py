"""The shared simulation of a study session, as a pure function of its command log.

A session's simulation is fully described by the ``sim`` part of the room state, which is itself
a fold of the timed command log (``services.reduce_state``):

- ``scenario`` / ``pattern`` / ``seed``: set by the instructor's ``scenario`` command, whose
  sequence number names the run (``run`` = ``"s<seq>"``);
- ``log``: the engine actions applied so far, each with the virtual time ``at_s`` it applies at;
- ``playing`` / ``speed`` / ``vt`` / ``since``: the clock anchor, so the virtual time at any wall
  time is ``services.virtual_time(sim, now)`` in every process.

So any server process (or the same one after a restart) builds the same
:class:`patterns.player.playback.Playback` from the state and gets byte-identical frames for the same
window. No Django here: the consumer and the tests share it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from patterns.errors import FieldError
from patterns.player import permalink
from patterns.player.playback import PlaybackError, TopologyHook, diagram_topology
from patterns.player.runs import RunRequest

#: Wall seconds between an instructor's action (while the run plays) and the moment it applies.
#: Every process sends a window's frames ahead of the shared clock (AHEAD_WALL_S), so an action
#: nearly always lands in a window already sent; each process then rewinds to that window and
#: sends it again with the action in it. The lead is there so that the new frames reach every
#: screen before the shared clock gets to the action: everyone sees it at the same moment.
LEAD_WALL_S = 0.1
#: Frames go out this many wall seconds ahead of the shared clock (at least the current window),
#: so a following player always holds the moment it shows and animates smoothly; at high speed at
#: most AHEAD_MAX_WINDOWS windows, which bounds what an action makes every process send again.
AHEAD_WALL_S = 1.0
AHEAD_MAX_WINDOWS = 5
#: Action times are rounded up to this step (virtual seconds), so narrated times stay readable.
ACTION_STEP_S = 0.01


class SimCommandError(FieldError):
    """A refused simulation command; ``field`` names the frame field."""


def empty_sim() -> dict[str, Any]:
    """The simulation fields a room starts with (merged into ``services.initial_state``)."""
    return {"run": None, "scenario": None, "pattern": None, "seed": None, "log": []}


def _request(sim: Mapping[str, Any], lang: str = "en") -> RunRequest:
    """A scenario command's run: a built-in scenario's name or an object, its pattern and seed,
    and (once running) the live log. A session takes no permalink; the log comes from the room."""
    fields = {k: sim[k] for k in ("scenario", "pattern", "seed", "log") if k in sim}
    return RunRequest.parse(fields, lang=lang, permalink=False)


def build(sim: Mapping[str, Any], lang: str = "en", topology_hook: TopologyHook | None = None):
    """The session's Playback at virtual time 0, with the action log replayed."""
    return _request(sim, lang).playback(run=str(sim["run"]), topology_hook=topology_hook)


def validate_start(frame: Mapping[str, Any]) -> dict[str, Any]:
    """The instructor's ``scenario`` frame -> the payload stored in the log (checked by the engine)."""
    try:
        request = _request({k: frame[k] for k in ("scenario", "pattern", "seed") if k in frame})
        request.playback(topology_hook=None)
    except PlaybackError as error:
        raise SimCommandError(error.field, error.reason) from None
    # The scenario is stored as sent: a built-in scenario stays a name in the log.
    return {"scenario": frame.get("scenario"), "pattern": request.pattern, "seed": request.seed}


def action_time(sim: Mapping[str, Any], vt: float) -> float:
    """The virtual time an action sent at shared time ``vt`` applies at.

    Paused, it applies at the moment every screen shows (rounded down to the millisecond, so it
    is never after it). Playing, LEAD_WALL_S later on the shared clock, rounded up to
    ACTION_STEP_S. Examples: paused at 12.3456 -> 12.345; playing at 1x at 12.3 -> 12.4; at 2x
    at 12.301 -> 12.501 + rounding -> 12.51.
    """
    if not sim["playing"]:
        return math.floor(round(vt * 1000, 6)) / 1000
    ahead = vt + LEAD_WALL_S * float(sim["speed"])
    steps = math.ceil(round(ahead / ACTION_STEP_S, 6))
    return round(steps * ACTION_STEP_S, 6)


def prepare_action(sim: Mapping[str, Any], action: Any, vt: float) -> dict[str, Any]:
    """Validate an engine action against the running scenario; the payload gets its ``at_s``."""
    if sim.get("run") is None:
        raise SimCommandError("action", "start a scenario first")
    if not isinstance(action, Mapping) or not isinstance(action.get("do"), str):
        raise SimCommandError("action", "expected an engine action such as {do: kill_task, ...}")
    if "at_s" in action:
        raise SimCommandError("action.at_s", "is set by the server")
    log = list(sim.get("log", []))
    if len(log) >= permalink.MAX_LOG_ACTIONS:
        raise SimCommandError("action", f"at most {permalink.MAX_LOG_ACTIONS} actions a run")
    at_s = action_time(sim, vt)
    stamped = {**dict(action), "at_s": at_s}
    try:
        playback = build({**sim, "log": [*log, stamped]})
    except PlaybackError as error:
        field = error.field
        if field.startswith("log.actions["):
            field = "action" + field.split("]", 1)[1]
        raise SimCommandError(field, error.reason) from None
    if at_s >= playback.duration_s:
        raise SimCommandError("action", "the run has ended")
    # The engine's normalized form (defaults filled in) is what every process replays.
    normalized = next(
        (
            a
            for a in playback.streams[0].sim.replay_actions()
            if a["at_s"] == at_s and _same(a, action)
        ),
        stamped,
    )
    return {"action": normalized}


def _same(normalized: Mapping[str, Any], given: Mapping[str, Any]) -> bool:
    return all(normalized.get(k) == v for k, v in given.items())


def reduce_sim(sim: dict[str, Any], kind: str, payload: Mapping[str, Any], at_s: float) -> None:
    """The simulation part of ``services.reduce_state`` for ``scenario`` and ``action``."""
    if kind == "scenario":
        sim.update(
            {
                "run": payload["run"],
                "scenario": payload["scenario"],
                "pattern": payload["pattern"],
                "seed": payload["seed"],
                "log": [],
                "playing": False,
                "vt": 0.0,
                "since": at_s,
                "actions": 0,
            }
        )
    elif kind == "action":
        sim["log"] = [*sim.get("log", []), dict(payload["action"])]


def virtual_time(sim: Mapping[str, Any], now_s: float) -> float:
    """The shared clock at wall time ``now_s``; the same formula as ``services.virtual_time``.

    Example: vt 4.0 anchored at 100.0 s, speed 2, read at 101.5 s -> 4.0 + 1.5 * 2 = 7.0.
    """
    if not sim["playing"]:
        return float(sim["vt"])
    return float(sim["vt"]) + max(0.0, now_s - float(sim["since"])) * float(sim["speed"])


def _ahead_s(sim: Mapping[str, Any], window_s: float) -> float:
    """Virtual seconds the frames run ahead of the shared clock (AHEAD_WALL_S, capped)."""
    return min(AHEAD_WALL_S * float(sim["speed"]), AHEAD_MAX_WINDOWS * window_s)


def windows_to_send(
    sim: Mapping[str, Any], now_s: float, duration_s: float, window_s: float
) -> int:
    """How many windows are sent by wall time ``now_s``: every window that starts within
    AHEAD_WALL_S (in wall seconds, at the current speed) of the shared clock.

    Example: vt 12.3 at 1x -> windows starting at or before 13.3 -> 14 windows ([0, 1) ... [13,
    14)); at 10x, windows starting at or before 12.3 + 5 (the cap) -> 18; the run's last window
    is the last one.
    """
    vt = min(virtual_time(sim, now_s), duration_s)
    ahead = vt + _ahead_s(sim, window_s)
    return min(math.ceil(duration_s / window_s), int(math.floor(ahead / window_s + 1e-9)) + 1)


def next_window_in(sim: Mapping[str, Any], now_s: float, window: int, window_s: float) -> float:
    """Wall seconds until window ``window`` is due (0 if it is; an hour while paused)."""
    if not sim["playing"]:
        return 3600.0
    start = window * window_s - _ahead_s(sim, window_s)
    return max(0.0, (start - virtual_time(sim, now_s)) / float(sim["speed"]))


__all__ = [
    "ACTION_STEP_S",
    "AHEAD_MAX_WINDOWS",
    "AHEAD_WALL_S",
    "LEAD_WALL_S",
    "SimCommandError",
    "action_time",
    "build",
    "diagram_topology",
    "empty_sim",
    "prepare_action",
    "reduce_sim",
    "validate_start",
    "virtual_time",
    "next_window_in",
    "windows_to_send",
]
