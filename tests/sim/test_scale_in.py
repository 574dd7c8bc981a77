"""Scale-in keeps the AZs balanced: ECS stops a task in the AZ with the most, ties the newest.

A six-task ``api`` over 1a/1c/1d starts as api-1 1a, api-2 1c, api-3 1d, api-4 1a, api-5 1c,
api-6 1d. Stopping the newest tasks wherever they are used to leave an AZ empty once a kill or an
AZ outage had put a replacement out of launch order.
"""

from __future__ import annotations

from typing import Any

import pytest

from patterns.sim import PATTERNS, Simulation

pytestmark = pytest.mark.unit

A, C, D = "ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"


def run_api(pattern: str, actions: list[dict[str, Any]]) -> Simulation:
    """A 1-task ``client`` calling a 6-task ``api`` (seed 5, 400 s, 20 rps), run to its end."""
    sim = Simulation(
        {
            "pattern": pattern,
            "seed": 5,
            "duration_s": 400,
            "arrivals": "uniform",
            "services": [{"name": "client", "tasks": 1}, {"name": "api", "tasks": 6}],
            "traffic": [{"from": "client", "to": "api", "rps": 20}],
            "actions": actions,
        }
    )
    sim.advance(sim.scenario.duration_s)
    return sim


def scaled(pattern: str, actions: list[dict[str, Any]]) -> tuple[list[Any], list[Any]]:
    """(t, task) of every scale-in stop, and (task, AZ) of the api tasks still active at the end."""
    sim = run_api(pattern, actions)
    stops = [
        (e["t"], e["task"])
        for e in sim.result()["events"]
        if e["cause"] == "scale_in" and "task" in e
    ]
    left = sorted((t.id, t.az) for t in sim.world.services["api"].tasks if t.active())
    return stops, left


@pytest.mark.parametrize("pattern", PATTERNS)
def test_six_tasks_scaled_to_three_after_a_replacement_keep_one_per_az(pattern: str) -> None:
    # api-2 (1c) is killed at 30 s; its replacement api-7 goes to 1c, the AZ short of a task.
    # At 120 s every AZ holds two: the tie goes to the newest, api-7 (1c); then 1a and 1d tie
    # and api-6 (1d) is newer; then 1a holds the most and loses api-4.
    # Newest-first stopped api-7, api-6, api-5 and left 1c empty (api-1, api-3, api-4).
    stops, left = scaled(
        pattern,
        [
            {"at_s": 30, "do": "kill_task", "task": "api-2"},
            {"at_s": 120, "do": "scale", "service": "api", "count": 3},
        ],
    )

    assert stops == [(120.0, "api-7"), (120.0, "api-6"), (120.0, "api-4")]
    assert left == [("api-1", A), ("api-3", D), ("api-5", C)]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_az_with_most_tasks_loses_first_not_the_newest_task(pattern: str) -> None:
    # 1d goes out at 30 s; ECS gives up on api-3 and api-6 at 90 s and starts api-7 (1a) and
    # api-8 (1c). After 1d recovers, scaling to 7 puts api-9 in 1d (3/3/1). Scaling back to 6 at
    # 260 s stops in 1a or 1c (three each), the newest of them: api-8 (1c), not api-9, which
    # newest-first stopped and so left 1d empty.
    stops, left = scaled(
        pattern,
        [
            {"at_s": 30, "do": "az_outage", "az": D},
            {"at_s": 150, "do": "az_recover", "az": D},
            {"at_s": 200, "do": "scale", "service": "api", "count": 7},
            {"at_s": 260, "do": "scale", "service": "api", "count": 6},
        ],
    )

    assert stops == [(260.0, "api-8")]
    assert left == [
        ("api-1", A),
        ("api-2", C),
        ("api-4", A),
        ("api-5", C),
        ("api-7", A),
        ("api-9", D),
    ]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_balanced_scale_in_without_disruption_still_stops_the_newest(pattern: str) -> None:
    # Launch order follows spread placement, so with no kill the newest are also balanced.
    stops, left = scaled(pattern, [{"at_s": 60, "do": "scale", "service": "api", "count": 3}])

    assert stops == [(60.0, "api-6"), (60.0, "api-5"), (60.0, "api-4")]
    assert left == [("api-1", A), ("api-2", C), ("api-3", D)]


DEPLOY_STEPS = {
    # The six new tasks are RUNNING at 130 s and their first container checks pass at 160 s;
    # under ELB their targets are healthy by then (148.293209-159.19788 s), so in every pattern
    # ECS counts them healthy and stops all six old tasks at 160 s.
    "elb": [160.0] * 6,
    "app-mesh": [160.0] * 6,
    "service-discovery": [160.0] * 6,
    "service-connect": [160.0] * 6,
}


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_rolling_deployment_stops_old_tasks_in_the_az_with_the_most(pattern: str) -> None:
    # After api-2's replacement api-7 (1c), the old tasks in task order are api-1 1a, api-3 1d,
    # api-4 1a, api-5 1c, api-6 1d, api-7 1c; the six new ones (api-8..13) go two per AZ.
    # Once api-1 and api-3 are stopped, 1c holds the most (4 against 3 and 3), so api-5 stops
    # before api-4; task order alone stopped api-4 first.
    sim = run_api(
        pattern,
        [
            {"at_s": 30, "do": "kill_task", "task": "api-2"},
            {"at_s": 120, "do": "deploy", "service": "api"},
        ],
    )

    steps = [
        (e["t"], e["task"])
        for e in sim.result()["events"]
        if e["cause"] == "deployment_step" and "task" in e
    ]
    order = ["api-1", "api-3", "api-5", "api-4", "api-6", "api-7"]
    assert steps == list(zip(DEPLOY_STEPS[pattern], order, strict=True))
