"""Deployments started over unfinished ones: the newest wins and the engine never recurses.

Five ``deploy`` actions on ``contract`` 3 s apart used to raise RecursionError (``_stopped`` and
``reconcile`` called each other without end) under ELB and Service Discovery. ECS starts a new
deployment over an unfinished one: the older one is superseded, its tasks are stopped, and the
last finished revision keeps serving until the newest revision's tasks are healthy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from patterns.sim import PATTERNS, Simulation

pytestmark = pytest.mark.unit

SUPERSEDED = [f"contract-{n}" for n in range(4, 16)]


def storm(pattern: str) -> Simulation:
    sim = Simulation(
        {
            "pattern": pattern,
            "seed": 7,
            "duration_s": 300,
            "actions": [
                {"at_s": 10 + 3 * i, "do": "deploy", "service": "contract"} for i in range(5)
            ],
        }
    )
    sim.advance(sim.scenario.duration_s)
    return sim


@pytest.mark.parametrize("pattern", PATTERNS)
def test_five_deploys_three_seconds_apart_finish_on_the_newest_revision(
    pattern: str, find: Callable[..., list[dict[str, Any]]]
) -> None:
    sim = storm(pattern)
    result = sim.result()

    service = sim.world.services["contract"]
    running = [(t.id, t.version) for t in service.tasks if t.state == "RUNNING"]
    assert running == [("contract-16", 5), ("contract-17", 5), ("contract-18", 5)]
    assert len(running) == service.desired == 3
    assert [e["version"] for e in find(result, "deployment_finished")] == [5]
    assert [e["task"] for e in find(result, "deployment_superseded", kind="task")] == SUPERSEDED
    assert [
        (e["t"], e["version"], e["by"])
        for e in find(result, "deployment_superseded", kind="deployment")
    ] == [
        (13.0, 1, 2),
        (16.0, 2, 3),
        (19.0, 3, 4),
        (22.0, 4, 5),
    ]
    assert result["summary"]["requests"] == 8963


def test_elb_storm_keeps_the_old_revision_serving_until_the_newest_is_healthy(
    find: Callable[..., list[dict[str, Any]]],
) -> None:
    result = storm("elb").result()

    # Revision 5 is RUNNING at 32 s; its targets pass their ALB checks first, and its container
    # checks pass one 30 s interval after RUNNING: ECS counts all three healthy at 62 s.
    steps = [(e["t"], e["task"]) for e in find(result, "deployment_step")]
    assert steps == [
        (62.0, "contract-1"),
        (62.0, "contract-2"),
        (62.0, "contract-3"),
    ]
    assert [e["t"] for e in find(result, "deployment_finished")] == [62.0]
    started = [e["task"] for e in find(result, "task_started", service="contract")]
    assert started == [f"contract-{n}" for n in range(4, 19)]
    summary = result["summary"]
    assert (summary["requests"], summary["ok"], summary["errors"], summary["in_flight"]) == (
        8963,
        8963,
        {},
        0,
    )


def test_a_superseded_deployments_healthy_task_stops_only_within_the_bounds_and_goes_first(
    find: Callable[..., list[dict[str, Any]]],
) -> None:
    # Revision 1 (contract-4..6) is superseded at 45 s, when only contract-6 passed its ALB
    # checks and contract-1 is already gone: contract-4 and -5 add nothing to the healthy count
    # and stop at once; contract-6, contract-2 and contract-3 are the 3 healthy tasks that
    # minimumHealthyPercent 100 needs, so contract-6 stops only when a revision 2 task is
    # healthy, and before the revision 0 tasks. Container checks every 5 s pass long before the
    # ALB checks, so the targets decide when ECS counts a task healthy (with the default 30 s the
    # container checks of revision 1 would pass only at 50 s, after the second deploy).
    sim = Simulation(
        {
            "pattern": "elb",
            "seed": 7,
            "duration_s": 200,
            "settings": {
                "ecs": {"container_health_interval_s": 5, "container_health_timeout_s": 2}
            },
            "actions": [
                {"at_s": 10, "do": "deploy", "service": "contract"},
                {"at_s": 45, "do": "deploy", "service": "contract"},
            ],
        }
    )
    sim.advance(sim.scenario.duration_s)
    result = sim.result()

    stops = [
        (e["t"], e["cause"], e["task"])
        for e in result["events"]
        if e["cause"] in ("deployment_step", "deployment_superseded") and e["kind"] == "task"
    ]
    assert stops == [
        (42.65427, "deployment_step", "contract-1"),
        (45.0, "deployment_superseded", "contract-4"),
        (45.0, "deployment_superseded", "contract-5"),
        (74.715956, "deployment_superseded", "contract-6"),
        (77.290565, "deployment_step", "contract-2"),
        (84.040638, "deployment_step", "contract-3"),
    ]
    assert [(e["t"], e["version"]) for e in find(result, "deployment_finished")] == [(84.040638, 2)]
    service = sim.world.services["contract"]
    assert [t.id for t in service.tasks if t.state == "RUNNING"] == [
        "contract-7",
        "contract-8",
        "contract-9",
    ]
