"""Links into the playground: what a lesson's "Explore from here", a lab's "Open this run in the
playground", a shared permalink or the language switch put in the page's query, and the run it
opens.

A link names its run in one of two ways:

- ``?run=<token>``: a permalink (scenario, seed, pattern and live log in one token);
- ``?scenario=<built-in>`` or ``?scenario_json=<scenario object>``, with ``pattern`` and ``seed``:
  a readable link, which the lessons and labs write.

Either may add ``t``, the playhead in seconds: the playground then opens the run paused there.
Whatever the link says is checked as the run itself will be (the engine validates the scenario
under the pattern and seed), so a link that cannot be opened is refused with the part it gets
wrong and why, and the page says so instead of quietly showing its defaults.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from patterns.errors import FieldError
from patterns.player import permalink
from patterns.player.playback import LIVE_LIMITS, PlaybackError, prepare_scenario
from patterns.player.runs import RunRequest
from patterns.sim import load_scenario

#: The query keys a readable link may carry (anything else is left for other uses of the page).
READABLE_KEYS = ("scenario", "scenario_json", "pattern", "seed")


class LinkError(FieldError):
    """A link the playground cannot open: ``field`` is the query key (or the scenario's path)."""


@dataclass(frozen=True)
class OpenedRun:
    scenario: dict[str, Any]
    pattern: str
    seed: int
    log: list[dict[str, Any]]
    token: str
    t: float | None
    name: str | None = None

    def as_json(self) -> dict[str, Any]:
        """What the page's script receives (``json_script``)."""
        return {
            "scenario": self.scenario,
            "pattern": self.pattern,
            "seed": self.seed,
            "log": self.log,
            "token": self.token,
            "t": self.t,
            "name": self.name,
        }


def asks_for_run(query: Mapping[str, str]) -> bool:
    return "run" in query or any(key in query for key in READABLE_KEYS) or "t" in query


def open_link(query: Mapping[str, str]) -> OpenedRun:
    """The run a playground query names; raises :class:`LinkError` saying what is wrong."""
    if "run" in query:
        try:
            link = permalink.decode(query["run"])
        except permalink.PermalinkError as error:
            raise LinkError(f"run.{error.field}", error.reason) from None
        request = RunRequest(link.scenario, link.pattern, link.seed, link.log)
        token = str(query["run"])
    else:
        request = _readable(query)
        try:
            permalink.validate_run(request.scenario, request.seed, request.pattern, [])
        except permalink.PermalinkError as error:
            raise LinkError(error.field, error.reason) from None
        token = permalink.encode(request.scenario, request.seed, request.pattern, [])
    try:  # the playground's own caps (a shared server), as the run will meet them
        prepare_scenario(request.scenario, request.pattern, request.seed, LIVE_LIMITS)
    except PlaybackError as error:
        raise LinkError(error.field, error.reason) from None
    duration = load_scenario(request.scenario).duration_s
    return OpenedRun(
        scenario=request.scenario,
        pattern=request.pattern,
        seed=request.seed,
        log=request.log,
        token=token,
        t=playhead(query.get("t"), duration),
        name=request.name,
    )


def _readable(query: Mapping[str, str]) -> RunRequest:
    if "scenario" in query and "scenario_json" in query:
        raise LinkError("scenario", _("give scenario or scenario_json, not both"))
    data: dict[str, Any] = {}
    if "scenario_json" in query:
        try:
            data["scenario"] = json.loads(query["scenario_json"])
        except ValueError:
            raise LinkError("scenario_json", _("not valid JSON")) from None
    elif "scenario" in query:
        data["scenario"] = query["scenario"]
    else:
        raise LinkError("scenario", _("the link names no scenario"))
    if "pattern" in query:
        data["pattern"] = query["pattern"]
    if "seed" in query:
        try:
            data["seed"] = int(query["seed"])
        except ValueError:
            raise LinkError("seed", _("must be a whole number, 0 or more")) from None
    try:
        return RunRequest.parse(data, log=False, permalink=False)
    except PlaybackError as error:
        raise LinkError(error.field, error.reason) from None


def playhead(raw: str | None, duration: float) -> float | None:
    """``t`` as seconds within the run (None when the link gives none)."""
    if raw is None:
        return None
    try:
        t = float(raw)
    except ValueError:
        raise LinkError("t", _("must be a number of seconds")) from None
    if not math.isfinite(t) or not 0 <= t <= duration:
        raise LinkError(
            "t", _("must be between 0 and %(end)s s, the run's length") % {"end": f"{duration:g}"}
        )
    return t
