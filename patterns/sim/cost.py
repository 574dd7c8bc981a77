"""What a run costs the engine, estimated from the scenario before any of it is run.

A server that runs scenarios for anonymous visitors must refuse the expensive ones up front
(review D4: one 8 KB frame asked for 52 CPU-s). The cost of a run grows with three things the
scenario states, each measured on this engine (``bench/attack_bench.py --calibrate`` prints the
estimate beside the measured CPU time for a spread of runs):

- every simulated request (arrival, routing, the proxy and the answer): ``PER_REQUEST_S``;
- every *traced* request (1 in ``trace.request_sample_every``), which also records its hops,
  becomes a dot and is listed: ``PER_TRACED_S`` on top;
- every task-second (health checks, task state, the per-task columns of each window's frame):
  ``PER_TASK_SECOND_S``.

Measured on the 2-core development machine (instant runs of 120 s, one pattern; CPU seconds of
the process): 4 tasks at 1 / 30 / 300 / 1,000 requests/s cost 0.02 / 0.27 / 0.72 / 1.35 s;
200 tasks at 30 requests/s 0.79 s; all four patterns at 300 requests/s 2.79 s (4 x one); 200
tasks at 1,000 requests/s for 200 s 4.4 s. The coefficients below fit those within 15 %;
skipping ahead without building frames (``resume``, ``fork``) costs 60-90 % of it (300 s of
that last run: 4.0 s measured, 5.7 s estimated), so one estimate serves both, on the safe side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from patterns.sim.scenario import Scenario

PER_REQUEST_S = 7.5e-6
PER_TRACED_S = 75e-6
PER_TASK_SECOND_S = 22e-6
#: Routing a request and the per-task columns of its window grow with the tasks there are: 200
#: tasks at 1,000 requests/s for 200 s cost 4.4 s where the three terms above give 3.1 s.
PER_REQUEST_TASK_S = 1.7e-8


def work_estimate(scenario: Scenario, until_s: float | None = None, patterns: int = 1) -> float:
    """Estimated engine CPU seconds to run ``scenario`` from 0 to ``until_s`` (its end when
    None) under ``patterns`` patterns at once. Services and traffic that actions add count from
    the action's time on; a scale-out or a deployment counts its extra tasks from its time on."""
    end = scenario.duration_s if until_s is None else max(0.0, min(until_s, scenario.duration_s))
    every = max(1, int(scenario.settings.get("trace", {}).get("request_sample_every", 1)))
    rps = sum(float(t["rps"]) for t in scenario.traffic)
    tasks = {s["name"]: int(s["tasks"]) for s in scenario.services}
    requests = rps * end
    task_seconds = sum(tasks.values()) * end
    for action in _in_time(scenario.actions, end):
        left = end - float(action["at_s"])
        do = action["do"]
        if do == "add_service":
            requests += sum(float(t["rps"]) for t in action["traffic"]) * left
            task_seconds += int(action["service"]["tasks"]) * left
            tasks[action["service"]["name"]] = int(action["service"]["tasks"])
        elif do == "scale":
            grown = int(action["count"]) - tasks.get(action["service"], 0)
            task_seconds += max(0, grown) * left
            tasks[action["service"]] = int(action["count"])
        elif do == "deploy":
            # New tasks start beside the old ones (rolling, blue/green, canary).
            task_seconds += tasks.get(action["service"], 0) * left
    traced = requests / every
    peak_tasks = max(sum(tasks.values()), sum(int(s["tasks"]) for s in scenario.services))
    per_pattern = (
        requests * PER_REQUEST_S
        + traced * PER_TRACED_S
        + task_seconds * PER_TASK_SECOND_S
        + requests * peak_tasks * PER_REQUEST_TASK_S
    )
    return per_pattern * max(1, patterns)


def _in_time(actions: Sequence[Mapping[str, Any]], end: float) -> list[Mapping[str, Any]]:
    return sorted((a for a in actions if float(a["at_s"]) < end), key=lambda a: a["at_s"])
