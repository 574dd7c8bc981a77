"""``ecs.depends_on_healthy``: a container that dependsOn the app container HEALTHY holds the task.

The system: a client calling a 3-task ``api`` service at 20 requests/s (uniform arrivals, seed 3);
``api`` scales to 4 at 10 s. The new task ``api-4`` is launched at 10 s, its containers start at
20 s (``ecs.task_start_s`` 10), its app answers 25 s later (45 s), and its container health check
runs every 10 s from 20 s: 30 and 40 s are refused, 50 s passes. With the hold container the task
stays PENDING, registered nowhere, from 20 s until that first passing check at 50 s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from patterns.sim import ScenarioError, load_scenario, run
from patterns.sim.narrate import narrate

pytestmark = pytest.mark.unit

Finder = Callable[..., list[dict[str, Any]]]
Rows = Callable[[dict[str, Any], str], list[dict[str, Any]]]
LIFECYCLE = (
    "task_started",
    "held_until_app_healthy",
    "app_ready",
    "depends_on_healthy_met",
    "task_running",
    "task_healthy",
    "container_health_failed",
    "unhealthy_in_grace_period",
    "ecs_replaced_unhealthy",
    "grace_period_ended_unhealthy",
)


def scale_out(depends_on_healthy: bool = True, broken: bool = False, **ecs: Any) -> dict[str, Any]:
    actions: list[dict[str, Any]] = [{"at_s": 10, "do": "scale", "service": "api", "count": 4}]
    if broken:  # its app never answers: every check is refused
        actions.append({"at_s": 10, "do": "refuse_task", "task": "api-4"})
    return {
        "seed": 3,
        "duration_s": 90,
        "arrivals": "uniform",
        "services": [
            {"name": "client", "tasks": 1},
            {"name": "api", "tasks": 3, "app_start_s": 25},
        ],
        "traffic": [{"from": "client", "to": "api", "rps": 20}],
        "settings": {
            "ecs": {
                "container_health_interval_s": 10,
                "depends_on_healthy": depends_on_healthy,
                **ecs,
            }
        },
        "actions": actions,
    }


def lifecycle(result: dict[str, Any], task: str = "api-4") -> list[tuple[float, str]]:
    return [
        (e["t"], e["cause"])
        for e in result["events"]
        if e.get("task") == task and e["cause"] in LIFECYCLE
    ]


@pytest.mark.parametrize("pattern", ["service-connect", "service-discovery", "app-mesh", "elb"])
def test_held_task_stays_pending_until_its_first_passing_check(pattern: str) -> None:
    result = run(scale_out(), pattern=pattern)

    assert lifecycle(result)[:5] == [
        (10.0, "task_started"),
        (20.0, "held_until_app_healthy"),
        (45.0, "app_ready"),
        (50.0, "depends_on_healthy_met"),
        (50.0, "task_running"),
    ]


def test_held_task_reports_how_long_it_was_pending(find: Finder) -> None:
    result = run(scale_out(), pattern="service-connect")

    assert [(e["t"], e["held_s"]) for e in find(result, "depends_on_healthy_met")] == [(50.0, 30.0)]


def test_service_connect_sends_nothing_to_a_held_task(rows_for: Rows) -> None:
    held = run(scale_out(), pattern="service-connect")
    not_held = run(scale_out(depends_on_healthy=False), pattern="service-connect")

    # RUNNING at 20 s, an endpoint 5 s later (endpoint_lag_s): requests from 25 s, refused
    # until the app answers at 45 s. Held: RUNNING at 50 s, requests from 55 s, all answered.
    assert rows_for(not_held, "api-4")[0]["t"] == 25
    assert sum(row["attempts"] - row["ok"] for row in rows_for(not_held, "api-4")) > 0
    assert rows_for(held, "api-4")[0]["t"] == 55
    assert sum(row["attempts"] - row["ok"] for row in rows_for(held, "api-4")) == 0


def test_service_discovery_registers_a_held_task_in_cloud_map_at_its_release(
    find: Finder,
) -> None:
    held = run(scale_out(), pattern="service-discovery")
    not_held = run(scale_out(depends_on_healthy=False), pattern="service-discovery")

    assert [e["t"] for e in find(held, "cloud_map_registered", task="api-4")] == [50.0]
    assert [e["t"] for e in find(not_held, "cloud_map_registered", task="api-4")] == [20.0]


def test_elb_registers_a_held_task_as_a_target_only_at_its_release(find: Finder) -> None:
    held = run(scale_out(), pattern="elb")
    not_held = run(scale_out(depends_on_healthy=False), pattern="elb")

    # Not held, the ALB checks the target from 20 s and sees it refuse before 45 s.
    assert [e["t"] for e in find(not_held, "health_check_failed", task="api-4")] == [
        28.556606,
        30.792429,
    ]
    assert find(held, "health_check_failed", task="api-4") == []
    assert min(e["t"] for e in find(held, "health_check_passed", task="api-4")) > 50.0


def test_held_task_whose_check_fails_first_is_replaced_without_running(
    find: Finder, rows_for: Rows
) -> None:
    result = run(scale_out(broken=True), pattern="service-connect")

    assert lifecycle(result) == [
        (10.0, "task_started"),
        (20.0, "held_until_app_healthy"),
        (45.0, "app_ready"),
        (50.0, "container_health_failed"),
        (50.0, "ecs_replaced_unhealthy"),
    ]
    assert rows_for(result, "api-4") == []
    assert [(e["t"], e["task"]) for e in find(result, "task_started", task="api-5")] == [
        (50.0, "api-5")
    ]


def test_held_task_failing_inside_the_grace_period_is_replaced_when_it_ends() -> None:
    result = run(scale_out(broken=True, health_check_grace_period_s=45), pattern="service-connect")

    # The grace counts from 20 s, when the containers started: it ends at 65 s.
    assert lifecycle(result) == [
        (10.0, "task_started"),
        (20.0, "held_until_app_healthy"),
        (45.0, "app_ready"),
        (50.0, "container_health_failed"),
        (50.0, "unhealthy_in_grace_period"),
        (65.0, "grace_period_ended_unhealthy"),
    ]


@pytest.mark.parametrize(("start_period_s", "failed_at"), [(0, 50.0), (10, 50.0), (11, 60.0)])
def test_held_task_start_period_counts_from_its_containers_start(
    find: Finder, start_period_s: int, failed_at: float
) -> None:
    # Failures count from 20 s + startPeriod: 10 s still counts the check at 30 s, 11 s does not.
    result = run(
        scale_out(broken=True, container_health_start_period_s=start_period_s),
        pattern="service-connect",
    )

    assert [e["t"] for e in find(result, "container_health_failed", task="api-4")] == [failed_at]


def test_depends_on_healthy_needs_a_container_health_check() -> None:
    scenario = scale_out(container_health_check=False)

    with pytest.raises(ScenarioError) as error:
        load_scenario(scenario)

    assert error.value.path == "settings.ecs.depends_on_healthy"
    assert error.value.reason == (
        "needs ecs.container_health_check: condition HEALTHY waits for a container health check"
    )


def test_depends_on_healthy_is_off_by_default_and_listed_with_its_assumption() -> None:
    normalized = load_scenario({}).to_dict()

    assert normalized["settings"]["ecs"]["depends_on_healthy"] is False
    assumption = next(
        a for a in normalized["assumptions"] if a["setting"] == "ecs.depends_on_healthy"
    )
    assert "UNCONFIRMED" in assumption["assumption"]


@pytest.mark.parametrize(
    ("cause", "lang", "sentence"),
    [
        (
            "held_until_app_healthy",
            "en",
            "20 s: The app container of task api-4 started; a container waits for it with"
            " dependsOn (condition HEALTHY), so the task stays PENDING and is registered nowhere"
            " until its health check passes.",
        ),
        (
            "depends_on_healthy_met",
            "en",
            "50 s: The app container of task api-4 passed its health check after 30 s in PENDING:"
            " the waiting container starts, so the task becomes RUNNING and is registered.",
        ),
        (
            "held_until_app_healthy",
            "ja",
            "20 秒: タスク api-4 のアプリケーションコンテナが起動しました。dependsOn（condition"
            " HEALTHY）で待つコンテナがあるので、ヘルスチェックに合格するまでタスクは PENDING の"
            "ままで、どこにも登録されません。",
        ),
        (
            "depends_on_healthy_met",
            "ja",
            "50 秒: タスク api-4 のアプリケーションコンテナがヘルスチェックに合格しました（PENDING"
            " だった時間は 30 秒）。待っていたコンテナが起動し、タスクは RUNNING になって登録されます。",
        ),
    ],
)
def test_narration_says_why_the_task_waits(
    find: Finder, cause: str, lang: str, sentence: str
) -> None:
    result = run(scale_out(), pattern="service-connect")

    assert narrate(find(result, cause, task="api-4")[0], lang) == sentence
