"""Property tests: long bursts of deploys, scales, kills, recovers (and a service added) close
together, every pattern.

The run never raises, requests are conserved, time order holds, and once the run has settled every
service runs exactly its last desired count of tasks, all on its newest revision.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patterns.sim import PATTERNS, ScenarioError, Simulation
from tests.sim.invariants import assert_run_invariants

pytestmark = pytest.mark.unit

NAMES = ("front", "api")
#: Actions fall in the first BURST_S seconds; the run then goes on SETTLE_S more seconds.
BURST_S = 15.0
SETTLE_S = 150.0


@st.composite
def bursts(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario of two services calling each other and a burst of control actions."""
    at = st.integers(0, int(BURST_S * 2)).map(lambda half_seconds: half_seconds / 2)
    service = st.sampled_from(NAMES)
    task = st.builds(lambda s, n: f"{s}-{n}", service, st.integers(1, 12))
    deploy = st.builds(lambda a, s: {"at_s": a, "do": "deploy", "service": s}, at, service)
    action = st.one_of(
        deploy,
        deploy,  # deploys weigh double: a deploy over an unfinished one is the case under test
        st.builds(
            lambda a, s, c: {"at_s": a, "do": "scale", "service": s, "count": c},
            at,
            service,
            st.integers(0, 5),
        ),
        st.builds(
            lambda a, d, t: {"at_s": a, "do": d, "task": t},
            at,
            st.sampled_from(["kill_task", "recover_task"]),
            task,
        ),
    )
    # At most one service created mid-burst (add_service), calling and called; later actions do
    # not name it, so the burst stays valid whenever it lands.
    added = st.one_of(
        st.just([]),
        st.builds(
            lambda a, n: [
                {
                    "at_s": a,
                    "do": "add_service",
                    "service": {"name": "extra", "tasks": n},
                    "traffic": [
                        {"from": "front", "to": "extra", "rps": 1},
                        {"from": "extra", "to": "api", "rps": 1},
                    ],
                }
            ],
            at,
            st.integers(0, 3),
        ),
    )
    return {
        "seed": draw(st.integers(0, 2**32)),
        "duration_s": BURST_S + SETTLE_S,
        "services": [
            {
                "name": name,
                "tasks": draw(st.integers(0, 4)),
                "app_start_s": draw(st.sampled_from([0, 5])),
            }
            for name in NAMES
        ],
        "traffic": [
            {"from": "front", "to": "api", "rps": 2},
            {"from": "api", "to": "front", "rps": 1},
        ],
        "settings": draw(
            st.sampled_from(
                [
                    {},
                    {"ecs": {"minimum_healthy_percent": 50, "maximum_percent": 150}},
                    {"ecs": {"minimum_healthy_percent": 0, "maximum_percent": 100}},
                    {"ecs": {"task_start_s": 0}},
                ]
            )
        ),
        "actions": draw(st.lists(action, min_size=8, max_size=25)) + draw(added),
    }


@pytest.mark.parametrize("pattern", PATTERNS)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=bursts())
def test_property_action_bursts_settle_on_the_last_desired_count_of_the_newest_revision(
    pattern: str, data: dict[str, Any]
) -> None:
    sim = Simulation(data, pattern=pattern)

    times: list[float] = []
    t = 0.0
    while t < sim.scenario.duration_s:
        t = min(t + 4.5, sim.scenario.duration_s)
        times.extend(e["t"] for e in sim.advance(t))
    result = sim.result()

    assert_run_invariants(result, times)
    ecs = sim.world.settings["ecs"]
    for service in sim.world.services.values():
        running = [task for task in service.tasks if task.state == "RUNNING"]
        assert len(running) == service.desired, service.name
        if can_roll(service.desired, ecs):
            assert {task.version for task in running} <= {service.version}, service.name


def can_roll(desired: int, ecs: dict[str, Any]) -> bool:
    """Whether the bounds let a rolling deployment move at all.

    With one task, minimumHealthyPercent 50 (rounded up: 1) and maximumPercent 150 (rounded
    down: 1), ECS may neither start a new task nor stop the old one, so the deployment stays put.
    """
    min_healthy = math.ceil(desired * ecs["minimum_healthy_percent"] / 100.0)
    max_total = math.floor(desired * ecs["maximum_percent"] / 100.0)
    return max_total > desired or min_healthy < desired


#: Patterns that run blue/green, linear and canary deployments (the others refuse them).
SHIFTING_PATTERNS = ("elb", "service-connect")
#: A strategy deployment needs green healthy (ELB: up to one check interval after it runs), 10 s of
#: test traffic, 10 s per production step and 10 s before the bake: the run settles longer.
STRATEGY_SETTLE_S = 250.0


@st.composite
def strategy_bursts(draw: st.DrawFn) -> dict[str, Any]:
    """:func:`bursts` with blue/green, linear and canary deploys and rollbacks mixed in."""
    data = draw(bursts())
    at = st.integers(0, int(BURST_S * 2)).map(lambda half_seconds: half_seconds / 2)
    service = st.sampled_from(NAMES)
    strategy = st.one_of(
        st.just({"strategy": "blue_green", "bake_time_min": 0}),
        st.builds(
            lambda p: {"strategy": "linear", "step_percent": p, "step_bake_time_min": 0},
            st.sampled_from([25.0, 33.3, 50.0, 100.0]),
        ),
        st.builds(
            lambda p: {"strategy": "canary", "canary_percent": p, "canary_bake_time_min": 0},
            st.sampled_from([0.1, 5.0, 50.0]),
        ),
    )
    extra = st.one_of(
        st.builds(
            lambda a, s, params: {"at_s": a, "do": "deploy", "service": s, **params},
            at,
            service,
            strategy,
        ),
        st.builds(lambda a, s: {"at_s": a, "do": "rollback", "service": s}, at, service),
    )
    data["actions"] = data["actions"] + draw(st.lists(extra, min_size=2, max_size=10))
    data["duration_s"] = BURST_S + STRATEGY_SETTLE_S
    return data


@pytest.mark.parametrize("pattern", SHIFTING_PATTERNS)
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=strategy_bursts())
def test_property_strategy_deploys_and_rollbacks_settle_on_one_revision(
    pattern: str, data: dict[str, Any]
) -> None:
    sim = Simulation(data, pattern=pattern)

    times: list[float] = []
    t = 0.0
    while t < sim.scenario.duration_s:
        t = min(t + 7.5, sim.scenario.duration_s)
        times.extend(e["t"] for e in sim.advance(t))
    result = sim.result()

    assert_run_invariants(result, times)
    assert sim.world.deployments.active == {}
    ecs = sim.world.settings["ecs"]
    for service in sim.world.services.values():
        running = [task for task in service.tasks if task.state == "RUNNING"]
        assert len(running) == service.desired, service.name
        if can_roll(service.desired, ecs):
            assert {task.version for task in running} <= {service.version}, service.name


@pytest.mark.parametrize("pattern", ("service-discovery", "app-mesh"))
@settings(max_examples=10, deadline=None)
@given(data=strategy_bursts())
def test_property_patterns_without_traffic_shift_refuse_every_strategy_deploy(
    pattern: str, data: dict[str, Any]
) -> None:
    first = next(
        (i for i, a in enumerate(data["actions"]) if a.get("strategy", "rolling") != "rolling"),
        None,
    )

    if first is None:
        Simulation(data, pattern=pattern)
        return
    with pytest.raises(ScenarioError) as error:
        Simulation(data, pattern=pattern)
    assert error.value.path == f"actions[{first}].strategy"
