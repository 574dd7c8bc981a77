"""The ECS task health status, and deployments that count a new task healthy only when ECS can tell.

The system: a client calling a 3-task ``api`` service at 20 requests/s, seed 3, deploy of ``api`` at
20 s. Most tests roll one task at a time (minimumHealthyPercent 66, maximumPercent 100): ECS stops
one old task at 20 s and starts its replacement, which is RUNNING 10 s later (``ecs.task_start_s``).

What ECS waits for before counting the new task healthy (and stopping the next old one):
- with a container health check (the default): the task's health status HEALTHY, i.e. the first
  passing check, one interval (30 s) after RUNNING, or later for a slow starter;
- behind a load balancer: the target healthy on every ALB node as well;
- with neither: 40 s after RUNNING, whatever the app does (ECS API, DeploymentConfiguration).
Before this model the non-ELB patterns counted a task healthy as soon as its app answered.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from patterns.sim import Simulation, run
from patterns.sim.narrate import narrate
from patterns.sim.topology import NO_CHECK_WAIT_S

pytestmark = pytest.mark.unit

Finder = Callable[..., list[dict[str, Any]]]
ONE_AT_A_TIME = {"minimum_healthy_percent": 66, "maximum_percent": 100}


def rolling(
    ecs: dict[str, Any] | None = None,
    app_start_s: float = 0,
    duration_s: float = 200,
    alb: dict[str, Any] | None = None,
) -> dict[str, Any]:
    settings: dict[str, Any] = {"ecs": ecs or {}}
    if alb:
        settings["alb"] = alb
    return {
        "seed": 3,
        "duration_s": duration_s,
        "arrivals": "uniform",
        "services": [
            {"name": "client", "tasks": 1},
            {"name": "api", "tasks": 3, "app_start_s": app_start_s},
        ],
        "traffic": [{"from": "client", "to": "api", "rps": 20}],
        "settings": settings,
        "actions": [{"at_s": 20, "do": "deploy", "service": "api"}],
    }


def timeline(result: dict[str, Any], find: Finder) -> dict[str, list[tuple[float, str]]]:
    return {
        cause: [(e["t"], e["task"]) for e in find(result, cause) if e["task"].startswith("api")]
        for cause in ("task_running", "app_ready", "task_healthy", "deployment_step")
    }


# --------------------------------------------------------------------------- container check


@pytest.mark.parametrize("pattern", ["service-connect", "service-discovery", "app-mesh"])
def test_old_tasks_stop_only_after_each_new_tasks_first_passing_container_check(
    pattern: str, find: Finder
) -> None:
    result = run(rolling({**ONE_AT_A_TIME}), pattern=pattern)

    assert timeline(result, find) == {
        "task_running": [(30.0, "api-4"), (70.0, "api-5"), (110.0, "api-6")],
        # The app answers at RUNNING (app_start_s 0): the old model stopped the next task here.
        "app_ready": [(30.0, "api-4"), (70.0, "api-5"), (110.0, "api-6")],
        # The first container check, one 30 s interval after RUNNING, passes: HEALTHY.
        "task_healthy": [(60.0, "api-4"), (100.0, "api-5"), (140.0, "api-6")],
        "deployment_step": [(20.0, "api-1"), (60.0, "api-2"), (100.0, "api-3")],
    }
    assert [e["health_status"] for e in find(result, "task_healthy")] == ["HEALTHY"] * 3


def test_service_connect_default_rolling_deploy_stops_all_three_at_the_first_check(
    find: Finder,
) -> None:
    # Defaults (100 % / 200 %): three new tasks RUNNING at 30 s, checked and HEALTHY at 60 s.
    result = run(rolling(), pattern="service-connect")

    assert [(e["t"], e["task"]) for e in find(result, "deployment_step")] == [
        (60.0, "api-1"),
        (60.0, "api-2"),
        (60.0, "api-3"),
    ]
    assert [e["t"] for e in find(result, "deployment_finished")] == [60.0]


def test_a_shorter_check_interval_shortens_the_deployment(find: Finder) -> None:
    ecs = {**ONE_AT_A_TIME, "container_health_interval_s": 10, "container_health_timeout_s": 5}
    result = run(rolling(ecs), pattern="service-connect")

    assert timeline(result, find)["task_healthy"] == [
        (40.0, "api-4"),
        (60.0, "api-5"),
        (80.0, "api-6"),
    ]


def test_a_slow_starter_with_a_start_period_holds_the_deployment_until_its_check_passes(
    find: Finder,
) -> None:
    # The app answers 100 s after RUNNING; checks at +30, +60, +90 s are refused inside the
    # 120 s start period (not counted), the one at +120 s passes.
    ecs = {**ONE_AT_A_TIME, "container_health_start_period_s": 120}
    result = run(rolling(ecs, app_start_s=100, duration_s=600), pattern="service-connect")

    assert timeline(result, find) == {
        "task_running": [(30.0, "api-4"), (160.0, "api-5"), (290.0, "api-6")],
        "app_ready": [(130.0, "api-4"), (260.0, "api-5"), (390.0, "api-6")],
        "task_healthy": [(150.0, "api-4"), (280.0, "api-5"), (410.0, "api-6")],
        "deployment_step": [(20.0, "api-1"), (150.0, "api-2"), (280.0, "api-3")],
    }
    assert find(result, "container_health_failed") == []


# --------------------------------------------------------------------------- no container check


def test_without_a_container_check_ecs_counts_a_task_40s_after_running(find: Finder) -> None:
    ecs = {**ONE_AT_A_TIME, "container_health_check": False}
    result = run(rolling(ecs), pattern="service-connect")

    assert NO_CHECK_WAIT_S == 40.0
    assert timeline(result, find) == {
        "task_running": [(30.0, "api-4"), (80.0, "api-5"), (130.0, "api-6")],
        "app_ready": [(30.0, "api-4"), (80.0, "api-5"), (130.0, "api-6")],
        "task_healthy": [(70.0, "api-4"), (120.0, "api-5"), (170.0, "api-6")],
        "deployment_step": [(20.0, "api-1"), (70.0, "api-2"), (120.0, "api-3")],
    }
    assert [e["health_status"] for e in find(result, "task_healthy")] == ["UNKNOWN"] * 3


def test_without_a_container_check_ecs_does_not_wait_for_a_slow_app(find: Finder) -> None:
    # ECS cannot see the app: it counts api-4 at 70 s, 60 s before it answers, and stops api-2.
    ecs = {**ONE_AT_A_TIME, "container_health_check": False}
    result = run(rolling(ecs, app_start_s=100, duration_s=300), pattern="service-connect")

    rows = timeline(result, find)
    assert rows["task_healthy"][0] == (70.0, "api-4")
    assert rows["app_ready"][0] == (130.0, "api-4")
    assert rows["deployment_step"][:2] == [(20.0, "api-1"), (70.0, "api-2")]


def test_the_health_check_is_the_task_definitions_fixed_when_the_task_starts(find: Finder) -> None:
    # The check is turned off at 35 s: api-4 (RUNNING at 30 s) keeps its check and is HEALTHY at
    # 60 s; api-5 and api-6 start without one and count 40 s after RUNNING, UNKNOWN.
    data = rolling({**ONE_AT_A_TIME})
    data["actions"].append(
        {"at_s": 35, "do": "set", "setting": "ecs.container_health_check", "value": False}
    )
    result = run(data, pattern="service-connect")

    assert [(e["t"], e["task"], e["health_status"]) for e in find(result, "task_healthy")] == [
        (60.0, "api-4", "HEALTHY"),
        (110.0, "api-5", "UNKNOWN"),
        (160.0, "api-6", "UNKNOWN"),
    ]


# --------------------------------------------------------------------------- behind an ALB


def test_behind_an_alb_ecs_waits_for_the_container_check_and_the_target(find: Finder) -> None:
    result = run(rolling(), pattern="elb")

    # Every ALB node holds the targets healthy by 55.91416 s; the container checks pass at 60 s.
    last_target = {
        task: max(e["t"] for e in find(result, "healthy_threshold_reached", task=task))
        for task in ("api-4", "api-5", "api-6")
    }
    assert last_target == {"api-4": 55.545125, "api-5": 55.91416, "api-6": 47.504299}
    assert [(e["t"], e["task"]) for e in find(result, "task_healthy")] == [
        (60.0, "api-4"),
        (60.0, "api-5"),
        (60.0, "api-6"),
    ]
    assert [e["t"] for e in find(result, "deployment_step")] == [60.0, 60.0, 60.0]


def test_behind_an_alb_a_quick_container_check_leaves_the_target_last(find: Finder) -> None:
    # Container checks every 5 s pass at 35 s; the targets are what ECS waits for (old timing).
    ecs = {"container_health_interval_s": 5, "container_health_timeout_s": 2}
    result = run(rolling(ecs), pattern="elb")

    assert [(e["t"], e["task"]) for e in find(result, "task_healthy")] == [
        (47.504299, "api-6"),
        (55.545125, "api-4"),
        (55.91416, "api-5"),
    ]
    assert [(e["t"], e["task"]) for e in find(result, "deployment_step")] == [
        (47.504299, "api-1"),
        (55.545125, "api-2"),
        (55.91416, "api-3"),
    ]


def test_behind_an_alb_without_a_container_check_the_target_alone_counts(find: Finder) -> None:
    result = run(rolling({"container_health_check": False}), pattern="elb")

    healthy = [(e["t"], e["task"]) for e in find(result, "task_healthy")]
    assert healthy == [(47.523379, "api-5"), (51.990003, "api-4"), (55.545125, "api-6")]
    assert [e["t"] for e in find(result, "deployment_step")] == [t for t, _ in healthy]


# --------------------------------------------------------------------------- blue/green readiness


def test_blue_green_scale_up_waits_for_greens_first_container_checks(find: Finder) -> None:
    data = rolling()
    data["actions"] = [
        {"at_s": 20, "do": "deploy", "service": "api", "strategy": "blue_green", "bake_time_min": 1}
    ]
    result = run(data, pattern="service-connect")

    assert [e["t"] for e in find(result, "task_healthy")] == [60.0, 60.0, 60.0]
    assert [e["t"] for e in find(result, "test_traffic_shifted")] == [60.0]


# --------------------------------------------------------------------------- the snapshot


def task_rows(sim: Simulation) -> dict[str, tuple[str, bool]]:
    return {
        row["task"]: (row["health_status"], row["healthy"])
        for row in sim.snapshot()["services"]["api"]["tasks"]
    }


def test_the_snapshot_shows_unknown_until_the_first_check_passes_then_healthy() -> None:
    sim = Simulation(rolling({**ONE_AT_A_TIME}), pattern="service-connect")

    sim.advance(59)
    rows = task_rows(sim)
    assert rows["api-2"] == ("HEALTHY", True)
    assert rows["api-4"] == ("UNKNOWN", False)
    sim.advance(61)
    assert task_rows(sim)["api-4"] == ("HEALTHY", True)


def test_the_snapshot_shows_unknown_for_every_task_without_a_container_check() -> None:
    sim = Simulation(rolling({"container_health_check": False}), pattern="service-connect")

    sim.advance(80)
    rows = task_rows(sim)
    assert {status for status, _ in rows.values()} == {"UNKNOWN"}
    assert rows["api-4"] == ("UNKNOWN", True)


def test_the_snapshot_shows_unhealthy_after_the_retries_fail() -> None:
    # The app never answers within the run: checks at 60, 90 and 120 s fail (retries 3).
    sim = Simulation(rolling({**ONE_AT_A_TIME}, app_start_s=500), pattern="service-connect")

    sim.advance(119)
    assert task_rows(sim)["api-4"] == ("UNKNOWN", False)
    sim.advance(121)
    assert task_rows(sim)["api-4"] == ("UNHEALTHY", False)


def test_task_healthy_is_narrated_in_both_languages() -> None:
    event = {"t": 60.0, "kind": "task", "cause": "task_healthy", "task": "api-4"}
    event["health_status"] = "HEALTHY"

    assert narrate(event, "en") == (
        "60 s: ECS now counts task api-4 as healthy for the deployment (health status HEALTHY)."
    )
    assert narrate(event, "ja") == (
        "60 秒: ECS はタスク api-4 をデプロイで healthy なタスクとして数え始めました"
        "（health status HEALTHY）。"
    )


@pytest.mark.parametrize("pattern", ["service-connect", "service-discovery", "app-mesh", "elb"])
def test_a_deployment_finishes_at_steady_state_when_the_last_new_task_is_healthy(
    pattern: str, find: Finder
) -> None:
    result = run(rolling({**ONE_AT_A_TIME}), pattern=pattern)

    last_healthy = max(e["t"] for e in find(result, "task_healthy") if e["task"] == "api-6")
    finished = [e["t"] for e in find(result, "deployment_finished")]
    # The last old task stops when api-5 is healthy; ECS completes only when api-6 is too.
    assert finished == [last_healthy] == [140.0]
    assert last_healthy > max(e["t"] for e in find(result, "deployment_step"))
