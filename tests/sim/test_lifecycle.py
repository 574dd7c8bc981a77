"""ECS task lifecycle: SIGTERM/SIGKILL, rolling deployments, scaling, replacements, AZ outages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from patterns.sim import PATTERNS, Simulation, load_scenario, run

pytestmark = pytest.mark.unit

Builder = Callable[..., dict[str, Any]]
Finder = Callable[..., list[dict[str, Any]]]


def test_lifecycle_defaults_are_stop_timeout_30_s_and_deployment_100_200() -> None:
    ecs = load_scenario({}).settings["ecs"]

    values = (ecs["stop_timeout_s"], ecs["minimum_healthy_percent"], ecs["maximum_percent"])

    assert values == (30.0, 100, 200)


def test_lifecycle_sigkill_follows_sigterm_after_the_stop_timeout(
    small: Builder, find: Finder
) -> None:
    actions = [
        {"at_s": 50, "do": "slow_task", "task": "api-2", "delay_ms": 100_000},
        {"at_s": 60, "do": "stop_task", "task": "api-2"},
    ]

    result = run(small(duration_s=120, actions=actions), pattern="service-discovery")

    assert find(result, "sigterm_sent", task="api-2")[0]["t"] == 60.0
    assert find(result, "sigkill_sent", task="api-2")[0]["t"] == 90.0
    assert (
        result["summary"]["errors"]["reset"]
        == find(result, "sigkill_sent", task="api-2")[0]["in_flight"]
    )


def test_lifecycle_app_exits_after_sigterm_once_in_flight_work_is_done(
    small: Builder, find: Finder
) -> None:
    actions = [
        {"at_s": 50, "do": "slow_task", "task": "api-2", "delay_ms": 3_000},
        {"at_s": 60, "do": "stop_task", "task": "api-2"},
    ]

    result = run(small(duration_s=120, actions=actions), pattern="service-discovery")

    exited = find(result, "exited_after_sigterm", task="api-2")[0]["t"]
    assert 62.0 < exited < 63.1
    assert find(result, "sigkill_sent") == []


@pytest.mark.parametrize("pattern", PATTERNS)
def test_lifecycle_rolling_deploy_keeps_100_percent_healthy_and_at_most_200_percent(
    small: Builder, pattern: str
) -> None:
    sim = Simulation(
        small(duration_s=200, actions=[{"at_s": 20, "do": "deploy", "service": "api"}]),
        pattern=pattern,
    )

    counts = []
    for t in range(1, 200):
        sim.advance(t)
        tasks = sim.snapshot()["services"]["api"]["tasks"]
        running = [x for x in tasks if x["state"] == "RUNNING"]
        alive = [x for x in tasks if x["state"] != "STOPPED"]
        counts.append((len([x for x in running if x["healthy"]]), len(alive)))

    assert min(healthy for healthy, _ in counts) >= 3
    assert max(alive for _, alive in counts) <= 6
    assert {
        x["version"] for x in sim.snapshot()["services"]["api"]["tasks"] if x["state"] == "RUNNING"
    } == {1}


def test_lifecycle_scale_out_starts_tasks_spread_over_azs_and_scale_in_stops_the_newest(
    small: Builder, find: Finder
) -> None:
    actions = [
        {"at_s": 10, "do": "scale", "service": "api", "count": 6},
        {"at_s": 100, "do": "scale", "service": "api", "count": 2},
    ]

    result = run(small(duration_s=150, actions=actions), pattern="service-connect")

    started = find(result, "task_started")
    stopped = [e["task"] for e in find(result, "scale_in") if e["kind"] == "task"]
    assert [e["task"] for e in started] == ["api-4", "api-5", "api-6"]
    assert sorted(e["az"] for e in started) == [
        "ap-northeast-1a",
        "ap-northeast-1c",
        "ap-northeast-1d",
    ]
    assert stopped == ["api-6", "api-5", "api-4", "api-3"]


def test_lifecycle_killed_task_is_replaced(small: Builder, find: Finder) -> None:
    scenario = small(duration_s=100, actions=[{"at_s": 60, "do": "kill_task", "task": "api-2"}])

    result = run(scenario, pattern="elb")

    assert find(result, "task_killed", task="api-2")[0]["t"] == 60.0
    replacement = find(result, "task_started")[0]
    assert (replacement["task"], replacement["t"], replacement["why"]) == (
        "api-4",
        60.0,
        "replacement_started",
    )
    assert find(result, "task_running", task="api-4")[0]["t"] == 70.0


def test_lifecycle_az_outage_replaces_lost_tasks_in_surviving_azs(
    small: Builder, find: Finder
) -> None:
    scenario = small(
        duration_s=200, actions=[{"at_s": 60, "do": "az_outage", "az": "ap-northeast-1c"}]
    )

    result = run(scenario, pattern="service-connect")

    lost = find(result, "ecs_lost_task")
    started = [e for e in find(result, "task_started") if e["service"] == "api"]
    assert [(e["task"], e["t"]) for e in lost] == [("api-2", 120.0)]
    assert [e["az"] for e in started] == ["ap-northeast-1a"]


def test_lifecycle_live_actions_are_logged_with_their_time(small: Builder) -> None:
    sim = Simulation(small(), pattern="elb")

    sim.advance(42.5)
    sim.apply({"do": "kill_task", "task": "api-1"})

    assert sim.action_log == [{"at_s": 42.5, "do": "kill_task", "task": "api-1"}]
