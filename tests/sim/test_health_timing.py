"""When ECS acts on health: the grace period's end, and container checks counted from RUNNING.

A slow starter below is the one ``api`` task's replacement: ``api-1`` is killed at 0 s, ECS starts
``api-2`` at once, it is RUNNING at 10 s, and its app answers ``app_start_s`` = 200 s later (210 s).
Container checks (interval 30 s, retries 3) run from RUNNING: 40, 70 and 100 s all fail before the
app answers, so the container is UNHEALTHY at 100 s and, without a grace period, ECS replaces it;
its replacement repeats the same 100 s, and so on (the crash loop).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from patterns.sim import ScenarioError, Simulation, load_scenario, run
from patterns.sim.narrate import narrate

pytestmark = pytest.mark.unit

Finder = Callable[..., list[dict[str, Any]]]
CONTAINER_PATTERNS = ("service-discovery", "app-mesh", "service-connect")


def slow_starter(ecs: dict[str, Any] | None = None, duration_s: float = 600) -> dict[str, Any]:
    return {
        "seed": 3,
        "duration_s": duration_s,
        "arrivals": "uniform",
        "services": [
            {"name": "client", "tasks": 1},
            {"name": "api", "tasks": 1, "app_start_s": 200},
        ],
        "traffic": [{"from": "client", "to": "api", "rps": 20}],
        "settings": {"ecs": ecs or {}},
        "actions": [{"at_s": 0, "do": "kill_task", "task": "api-1"}],
    }


def stops(result: dict[str, Any]) -> list[tuple[float, str, str, str]]:
    """(t, cause, task, check) of every stop ECS made for health."""
    causes = ("ecs_replaced_unhealthy", "grace_period_ended_unhealthy")
    return [
        (e["t"], e["cause"], e["task"], e["check"])
        for e in result["events"]
        if e["cause"] in causes and e["kind"] == "task"
    ]


# --------------------------------------------------------------------------- the crash loop


@pytest.mark.parametrize("pattern", CONTAINER_PATTERNS)
def test_a_200s_starter_is_replaced_every_100s_by_its_container_check(
    pattern: str, find: Finder
) -> None:
    result = run(slow_starter(), pattern=pattern)

    assert stops(result) == [
        (100.0, "ecs_replaced_unhealthy", "api-2", "container"),
        (200.0, "ecs_replaced_unhealthy", "api-3", "container"),
        (300.0, "ecs_replaced_unhealthy", "api-4", "container"),
        (400.0, "ecs_replaced_unhealthy", "api-5", "container"),
        (500.0, "ecs_replaced_unhealthy", "api-6", "container"),
    ]
    assert [(e["t"], e["task"]) for e in find(result, "task_running")] == [
        (10.0, "api-2"),
        (110.0, "api-3"),
        (210.0, "api-4"),
        (310.0, "api-5"),
        (410.0, "api-6"),
        (510.0, "api-7"),
    ]
    assert find(result, "app_ready") == []
    assert result["summary"]["ok"] == 0


def test_the_container_check_applies_behind_an_alb_too(find: Finder) -> None:
    # With 300 s between ALB checks the load balancer needs two failures 300 s apart, so the
    # container check (100 s after RUNNING) is what stops api-2 first.
    scenario = slow_starter(duration_s=150)
    scenario["settings"]["alb"] = {"health_check_interval_s": 300}

    result = run(scenario, pattern="elb")

    assert stops(result) == [(100.0, "ecs_replaced_unhealthy", "api-2", "container")]
    assert [e["t"] for e in find(result, "container_health_failed", task="api-2")] == [100.0]


def test_behind_an_alb_its_own_health_checks_replace_a_slow_starter_first() -> None:
    result = run(slow_starter(), pattern="elb")

    assert stops(result) == [
        (66.991245, "ecs_replaced_unhealthy", "api-2", "load_balancer"),
        (134.417019, "ecs_replaced_unhealthy", "api-3", "load_balancer"),
        (204.365317, "ecs_replaced_unhealthy", "api-4", "load_balancer"),
        (273.707408, "ecs_replaced_unhealthy", "api-5", "load_balancer"),
        (334.187031, "ecs_replaced_unhealthy", "api-6", "load_balancer"),
        (400.853654, "ecs_replaced_unhealthy", "api-7", "load_balancer"),
        (470.710533, "ecs_replaced_unhealthy", "api-8", "load_balancer"),
        (539.72492, "ecs_replaced_unhealthy", "api-9", "load_balancer"),
        (598.379081, "ecs_replaced_unhealthy", "api-10", "load_balancer"),
    ]


# --------------------------------------------------------------------------- start period


@pytest.mark.parametrize("pattern", CONTAINER_PATTERNS)
def test_a_240s_start_period_lets_the_200s_starter_come_up(pattern: str, find: Finder) -> None:
    # Checks at 40 ... 190 s fail inside the start period (until 250 s) and do not count; the
    # check at 220 s passes (the app answers from 210 s) and ends the start period.
    sim = Simulation(slow_starter({"container_health_start_period_s": 240}), pattern=pattern)
    sim.advance(600)
    result = sim.result()

    assert stops(result) == []
    assert find(result, "container_health_failed") == []
    assert [e["t"] for e in find(result, "app_ready")] == [210.0]
    api_2 = sim.world.tasks["api-2"]
    assert (api_2.state, api_2.hc_status, api_2.hc_failures) == ("RUNNING", "HEALTHY", 0)


@pytest.mark.parametrize("pattern", CONTAINER_PATTERNS)
def test_failures_count_once_the_start_period_is_over(pattern: str) -> None:
    # Start period 60 s from RUNNING at 10 s: the check at 40 s does not count; 70, 100 and
    # 130 s do, so the container is UNHEALTHY at 130 s (30 s later than without a start period).
    result = run(
        slow_starter({"container_health_start_period_s": 60}, duration_s=240), pattern=pattern
    )

    assert stops(result) == [(130.0, "ecs_replaced_unhealthy", "api-2", "container")]


def test_the_start_period_is_a_setting_from_0_to_300_s() -> None:
    scenario = load_scenario({"pattern": "service-connect"})
    assert scenario.settings["ecs"]["container_health_start_period_s"] == 0.0

    with pytest.raises(ScenarioError) as error:
        load_scenario({"settings": {"ecs": {"container_health_start_period_s": 301}}})

    assert error.value.path == "settings.ecs.container_health_start_period_s"
    assert "between 0 and 300" in error.value.reason


# --------------------------------------------------------------------------- grace period


@pytest.mark.parametrize("pattern", CONTAINER_PATTERNS)
def test_a_grace_period_covering_the_start_keeps_the_slow_starter(
    pattern: str, find: Finder
) -> None:
    # The container is UNHEALTHY at 100 s, inside the grace (until 250 s); ECS ignores it, the
    # check at 220 s passes, and when the grace ends the task is healthy: ECS keeps it.
    result = run(slow_starter({"health_check_grace_period_s": 240}), pattern=pattern)

    assert stops(result) == []
    ignored = find(result, "unhealthy_in_grace_period", task="api-2")
    assert [(e["t"], e["check"], e["until"]) for e in ignored] == [(100.0, "container", 250.0)]
    assert [e["t"] for e in find(result, "container_health_recovered")] == [220.0]
    assert [e["t"] for e in find(result, "grace_period_ended_healthy")] == [250.0]


@pytest.mark.parametrize("pattern", CONTAINER_PATTERNS)
def test_a_task_still_unhealthy_when_the_grace_ends_is_replaced_then(pattern: str) -> None:
    # Grace 200 s ends at 210 s, when the app starts answering but no check has passed yet.
    result = run(slow_starter({"health_check_grace_period_s": 200}), pattern=pattern)

    assert stops(result) == [
        (210.0, "grace_period_ended_unhealthy", "api-2", "container"),
        (420.0, "grace_period_ended_unhealthy", "api-3", "container"),
    ]


def test_behind_an_alb_the_grace_must_also_cover_the_healthy_threshold(find: Finder) -> None:
    # The target went unhealthy while the app started; after 210 s it needs 5 passes 30 s apart,
    # so it is still unhealthy on every node when a 240 s grace ends at 250 s.
    result = run(slow_starter({"health_check_grace_period_s": 240}), pattern="elb")

    assert stops(result)[:2] == [
        (250.0, "grace_period_ended_unhealthy", "api-2", "load_balancer"),
        (500.0, "grace_period_ended_unhealthy", "api-3", "load_balancer"),
    ]
    longer = run(slow_starter({"health_check_grace_period_s": 400}), pattern="elb")
    assert stops(longer) == []
    assert [e["t"] for e in find(longer, "grace_period_ended_healthy")] == [410.0]


def refusing(pattern: str, grace_s: float, recover_at: float | None = None) -> dict[str, Any]:
    actions: list[dict[str, Any]] = [{"at_s": 60, "do": "refuse_task", "task": "api-2"}]
    if recover_at is not None:
        actions.append({"at_s": recover_at, "do": "recover_task", "task": "api-2"})
    return {
        "pattern": pattern,
        "seed": 3,
        "duration_s": 400,
        "arrivals": "uniform",
        "services": [{"name": "client", "tasks": 1}, {"name": "api", "tasks": 3}],
        "traffic": [{"from": "client", "to": "api", "rps": 20}],
        "settings": {"ecs": {"health_check_grace_period_s": grace_s}},
        "actions": actions,
    }


@pytest.mark.parametrize(
    ("pattern", "check", "reported_at"),
    [
        ("service-discovery", "container", 131.098655),
        ("service-connect", "container", 131.098655),
        ("elb", "load_balancer", 119.870345),
    ],
)
def test_an_unhealthy_verdict_inside_the_grace_is_acted_on_when_it_ends(
    pattern: str, check: str, reported_at: float, find: Finder
) -> None:
    result = run(refusing(pattern, grace_s=300))

    first = find(result, "unhealthy_in_grace_period", task="api-2")[0]
    assert (first["t"], first["check"], first["until"]) == (reported_at, check, 300.0)
    assert stops(result) == [(300.0, "grace_period_ended_unhealthy", "api-2", check)]
    assert [e["task"] for e in find(result, "task_started")] == ["api-4"]


def test_a_recovered_task_becomes_healthy_in_cloud_map_and_dns_again(find: Finder) -> None:
    # api-2 refuses from 60 s: its container check fails at 71.1, 101.1 and 131.1 s, ECS sets
    # it UNHEALTHY in Cloud Map (effective 30 s later, 161.1 s) but keeps it (grace 600 s).
    # recover_task at 200 s: the check at 221.1 s passes and ECS sets it HEALTHY, effective at
    # 251.1 s, when Route 53 answers with its address again.
    sim = Simulation(refusing("service-discovery", grace_s=600, recover_at=200))
    zone = sim.pattern.registry.zone
    ip = sim.world.tasks["api-2"].ip

    def served_at(t: float) -> bool:
        sim.advance(t)
        return ip in zone.answer("api.local", t, random.Random(0)).ips

    assert served_at(161.0) is True
    assert served_at(161.2) is False
    assert served_at(251.0) is False
    assert served_at(251.2) is True
    sim.advance(400)
    result = sim.result()
    changes = find(result, "custom_health_changed", task="api-2")
    assert [(e["t"], e["status"]) for e in changes] == [
        (161.098655, "UNHEALTHY"),
        (251.098655, "HEALTHY"),
    ]
    assert [e["t"] for e in find(result, "container_health_recovered")] == [221.098655]
    assert stops(result) == []


def test_app_mesh_pushes_a_recovered_task_back_to_the_proxies(find: Finder) -> None:
    result = run(refusing("app-mesh", grace_s=600, recover_at=200))

    pushes = [(e["t"], e["hosts"]) for e in find(result, "eds_push", service="api")]
    assert pushes == [
        (166.098655, ["api-1", "api-3"]),
        (256.098655, ["api-1", "api-2", "api-3"]),
    ]


def test_the_grace_period_events_read_in_both_languages() -> None:
    event = {
        "t": 300.0,
        "kind": "task",
        "cause": "grace_period_ended_unhealthy",
        "task": "api-2",
        "check": "container",
    }

    assert narrate(event, "en") == (
        "300 s: The health check grace period of task api-2 ended with the container health "
        "check still reporting it unhealthy, so ECS stopped it and starts a replacement."
    )
    assert narrate(event, "ja") == (
        "300 秒: タスク api-2 の health check grace period が終わってもコンテナヘルスチェックが "
        "UNHEALTHY のままなので、ECS はタスクを停止し、代わりのタスクを起動します。"
    )
