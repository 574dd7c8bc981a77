"""The diagram of a run as it is at one moment, for the SVG, PNG and DOT exports.

A run (its permalink) is played up to ``at`` with the frames the player gets, and the state
changes they carry are folded exactly as the browser applies them (``diagram.js`` applyStates):
so an exported file shows what the player shows at the same playhead, drawn by graphviz with
the state written into the DOT (:mod:`patterns.diagrams.stated`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from patterns import diagrams
from patterns.diagrams.stated import stated_dot
from patterns.player.playback import INSTANT_LIMITS, PlaybackError
from patterns.player.runs import RunRequest
from patterns.player.states import badge_for


@dataclass(frozen=True)
class Moment:
    """One pattern's diagram state at ``at``: its topology token and each element's classes."""

    at: float
    token: str
    classes: dict[str, set[str]]


def check_at(value: Any, duration: float) -> float:
    """``at`` from a query string: seconds between 0 and the run's duration."""
    try:
        at = float(value)
    except (TypeError, ValueError):
        raise PlaybackError("at", "must be a number of seconds") from None
    if not math.isfinite(at) or not 0 <= at <= duration:
        raise PlaybackError("at", f"must be between 0 and {duration:g} seconds")
    return at


def moment(request: RunRequest, pattern: str, at: Any) -> Moment:
    """Play ``request`` under ``pattern`` up to ``at`` and fold the states it sent by then."""
    playback = RunRequest(
        scenario=request.scenario,
        pattern=pattern,
        seed=request.seed,
        log=request.log,
        lang=request.lang,
    ).playback(run="export", limits=INSTANT_LIMITS)
    hello = playback.hello()
    when = check_at(at, float(hello["duration_s"]))
    token = str(hello["topology_token"])
    classes: dict[str, set[str]] = {}
    while not playback.ended and playback.t <= when:
        for frame in playback.step():
            if frame["t0"] > when:
                continue
            if frame.get("topology_token"):
                token = str(frame["topology_token"])
            for change in frame.get("states", []):
                if change["t"] > when:
                    continue
                names = classes.setdefault(change["el"], set())
                names.difference_update(change.get("remove", []))
                names.update(change.get("add", []))
    return Moment(at=when, token=token, classes=classes)


def moment_dot(shown: Moment, pattern: str, caption: str = "") -> str:
    """The DOT of ``pattern``'s diagram with the moment's states drawn in."""
    dot = diagrams.build_dot(diagrams.topology_from_token(shown.token), pattern)
    badges: Mapping[str, str] = {
        element: badge_for(names) for element, names in shown.classes.items()
    }
    return stated_dot(dot, shown.classes, badges, caption)
