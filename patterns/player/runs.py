"""One incoming run, parsed once: what the playground socket, the instant-run endpoint and a study
session's scenario command all receive.

A run is asked for in one of three ways:

- ``{"scenario": {...}}``: a scenario object (a hello's normalized scenario may be sent back, so
  its output-only ``assumptions`` and ``what_if`` are dropped);
- ``{"scenario": "kill-task"}``: the name of a built-in scenario;
- ``{"permalink": token}``: a permalink, which carries the scenario, seed, pattern and log itself.

beside ``pattern`` (default: the scenario's own, else ``"elb"``), ``seed`` (default: the scenario's
own, else 1), ``log`` (the live actions to replay, default none) and ``lang``. Refusals are
:class:`~patterns.player.playback.PlaybackError` (or the permalink's ``PermalinkError``), both
field errors naming the part that is wrong. The engine checks the scenario itself when the run is
built (:meth:`RunRequest.playback`), so a request is cheap to parse.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from patterns.player import permalink as permalinks
from patterns.player.playback import (
    LIVE_LIMITS,
    Limits,
    Playback,
    PlaybackError,
    TopologyHook,
    check_lang,
    check_pattern,
    check_seed,
    diagram_topology,
)
from patterns.sim import BUILTIN_SCENARIOS

#: Keys of a scenario that the server adds to its output and never reads back.
OUTPUT_ONLY_KEYS = frozenset({"assumptions", "what_if"})


@dataclass(frozen=True)
class RunRequest:
    """A run as asked for; ``name`` is the built-in scenario's name, ``token`` the permalink."""

    scenario: dict[str, Any]
    pattern: str
    seed: int
    log: list[dict[str, Any]]
    lang: str = "en"
    name: str | None = None
    token: str | None = None

    @classmethod
    def parse(
        cls,
        data: Mapping[str, Any],
        *,
        lang: str = "en",
        log: bool = True,
        permalink: bool = True,
    ) -> RunRequest:
        """Parse ``data``; ``lang`` is the language when ``data`` names none.

        ``log=False`` ignores a ``log`` in ``data`` (a fresh start replays nothing);
        ``permalink=False`` ignores a ``permalink`` (a source that only takes scenarios).
        """
        token = data.get("permalink") if permalink else None
        if permalink and "permalink" in data:
            link = permalinks.decode(token)
            return cls(
                scenario=link.scenario,
                pattern=link.pattern,
                seed=link.seed,
                log=link.log,
                lang=check_lang(data.get("lang", lang)),
                token=token,
            )
        scenario, name = scenario_of(data.get("scenario"))
        actions = parse_log(data.get("log")) if log else []
        language = check_lang(data.get("lang", lang))
        return cls(
            scenario=scenario,
            pattern=check_pattern(data.get("pattern", scenario.get("pattern", "elb"))),
            seed=check_seed(data.get("seed", scenario.get("seed", 1))),
            log=actions,
            lang=language,
            name=name,
        )

    def playback(
        self,
        *,
        run: str = "",
        branch: int = 0,
        limits: Limits = LIVE_LIMITS,
        topology_hook: TopologyHook | None = diagram_topology,
    ) -> Playback:
        """The run itself; the engine validates the scenario and the log here."""
        return Playback(
            self.scenario,
            self.pattern,
            self.seed,
            lang=self.lang,
            run=run,
            branch=branch,
            log=self.log,
            limits=limits,
            topology_hook=topology_hook,
        )


def scenario_of(value: Any) -> tuple[dict[str, Any], str | None]:
    """A scenario object or a built-in scenario's name -> (the raw scenario, the name or None)."""
    if isinstance(value, str):
        if value not in BUILTIN_SCENARIOS:
            raise PlaybackError("scenario", f"unknown built-in scenario {value[:40]!r}")
        return dict(BUILTIN_SCENARIOS[value]), value
    if not isinstance(value, Mapping):
        raise PlaybackError("scenario", "must be an object or the name of a built-in scenario")
    return {k: v for k, v in value.items() if k not in OUTPUT_ONLY_KEYS}, None


def parse_log(value: Any) -> list[dict[str, Any]]:
    """A live action log: a list of at most ``MAX_LOG_ACTIONS`` action objects (none if absent)."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(a, dict) for a in value):
        raise PlaybackError("log", "must be a list of action objects")
    if len(value) > permalinks.MAX_LOG_ACTIONS:
        raise PlaybackError("log", f"more than {permalinks.MAX_LOG_ACTIONS} actions")
    # Replay sorts the log by time before the engine sees it, so the time is checked here; the
    # engine checks the rest of each action (and the time against the run's length).
    for i, action in enumerate(value):
        at = action.get("at_s")
        if isinstance(at, bool) or not isinstance(at, (int, float)) or not math.isfinite(at):
            raise PlaybackError(f"log[{i}].at_s", "missing or not a number of seconds")
        if at < 0:
            raise PlaybackError(f"log[{i}].at_s", "must be zero or more")
    return value
