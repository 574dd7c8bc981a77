"""ELB pattern against the checkable ALB facts 1-12 of aws-semantics.md section 7."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from patterns.sim import ScenarioError, Simulation, load_scenario, run
from patterns.sim.elb import ElbPattern

pytestmark = pytest.mark.unit

Builder = Callable[..., dict[str, Any]]
Finder = Callable[..., list[dict[str, Any]]]

SEEDS = range(1, 9)
NODES = ("alb-ap-northeast-1a", "alb-ap-northeast-1c", "alb-ap-northeast-1d")
KEEP = {"ecs": {"health_check_grace_period_s": 3600}}  # ECS never replaces: watch the ALB alone


def _last_request(result: dict[str, Any], task: str) -> float:
    moments = [m for m in result["summary"]["key_moments"] if m["kind"] == "last_request_to_task"]
    return next(m["t"] for m in moments if m["task"] == task)


def _failed_latencies(result: dict[str, Any], reason: str) -> set[float]:
    return {
        e["latency_ms"]
        for e in result["events"]
        if e["cause"] == "request_failed" and e["reason"] == reason
    }


def test_alb_health_check_defaults_match_aws() -> None:
    alb = load_scenario({}).settings["alb"]

    defaults = {k: alb[k] for k in ("health_check_interval_s", "health_check_timeout_s")}
    thresholds = (alb["healthy_threshold"], alb["unhealthy_threshold"])

    assert defaults == {"health_check_interval_s": 30.0, "health_check_timeout_s": 5.0}
    assert thresholds == (5, 2)
    assert (alb["deregistration_delay_s"], alb["algorithm"], alb["slow_start_s"]) == (
        300.0,
        "round_robin",
        0.0,
    )


@pytest.mark.parametrize("seed", SEEDS)
def test_alb_refusing_task_gets_last_request_between_30_and_60_s_after(
    small: Builder, seed: int
) -> None:
    scenario = small(seed=seed, actions=[{"at_s": 60, "do": "refuse_task", "task": "api-2"}])

    last = _last_request(run(scenario, pattern="elb"), "api-2")

    assert 90.0 <= last < 120.0


@pytest.mark.parametrize("seed", SEEDS)
def test_alb_hung_task_gets_last_request_between_35_and_65_s_after(
    small: Builder, seed: int
) -> None:
    action = {
        "at_s": 60,
        "do": "slow_task",
        "task": "api-2",
        "delay_ms": 100_000,
        "health_check": True,
    }

    last = _last_request(run(small(seed=seed, actions=[action]), pattern="elb"), "api-2")

    assert 95.0 <= last < 125.0


def test_alb_nodes_mark_a_target_unhealthy_at_their_own_times(small: Builder, find: Finder) -> None:
    scenario = small(actions=[{"at_s": 60, "do": "refuse_task", "task": "api-2"}])

    marks = find(run(scenario, pattern="elb"), "unhealthy_threshold_reached", task="api-2")

    assert sorted(e["node"] for e in marks) == sorted(NODES)
    assert len({e["t"] for e in marks}) == 3
    assert all(90.0 <= e["t"] < 120.0 for e in marks)


def test_alb_hung_target_gives_504_after_the_60_s_idle_timeout(small: Builder) -> None:
    action = {"at_s": 60, "do": "slow_task", "task": "api-2", "delay_ms": 100_000}

    result = run(small(duration_s=150, actions=[action]), pattern="elb")

    assert _failed_latencies(result, "http_504") == {60000.0}
    assert set(result["summary"]["errors"]) == {"http_504"}


def test_alb_unreachable_target_gives_504_after_the_10_s_connect_timeout(small: Builder) -> None:
    action = {"at_s": 60, "do": "blackhole_task", "task": "api-2"}

    result = run(small(duration_s=150, actions=[action]), pattern="elb")

    assert _failed_latencies(result, "http_504") == {10000.0}


def test_alb_resetting_target_gives_502(small: Builder) -> None:
    action = {"at_s": 60, "do": "refuse_task", "task": "api-2"}

    result = run(small(duration_s=150, actions=[action]), pattern="elb")

    assert set(result["summary"]["errors"]) == {"http_502"}
    assert max(_failed_latencies(result, "http_502")) <= 1.0


def test_alb_new_target_gets_traffic_after_one_passing_check(small: Builder, find: Finder) -> None:
    scenario = small(actions=[{"at_s": 30, "do": "scale", "service": "api", "count": 4}])

    result = run(scenario, pattern="elb")

    healthy = find(result, "healthy_threshold_reached", task="api-4")
    passes = find(result, "health_check_passed", task="api-4")
    picks = [e for e in result["events"] if e["kind"] == "hop" and e.get("task") == "api-4"]
    assert [e["passes"] for e in passes] == [1, 1, 1]
    assert len(healthy) == 3
    assert picks[0]["t"] >= min(e["t"] for e in healthy)


def test_alb_unhealthy_target_needs_5_passes_120_s_apart(small: Builder, find: Finder) -> None:
    actions = [
        {"at_s": 60, "do": "refuse_task", "task": "api-2"},
        {"at_s": 130, "do": "recover_task", "task": "api-2"},
    ]

    result = run(small(duration_s=400, settings=KEEP, actions=actions), pattern="elb")

    for node in NODES:
        back = find(result, "healthy_threshold_reached", task="api-2", node=node)[0]
        passes = [
            e
            for e in find(result, "health_check_passed", task="api-2", node=node)
            if e["t"] <= back["t"]
        ]
        assert [e["passes"] for e in passes] == [1, 2, 3, 4, 5]
        assert back["t"] - passes[0]["t"] == pytest.approx(120.0)


def _share(result: dict[str, Any], task: str, start: int, end: int) -> float:
    rows = [r for r in result["timeline"] if start <= r["t"] < end and r["service"] == "api"]
    total = sum(r["attempts"] for r in rows)
    return sum(r["attempts"] for r in rows if r["task"] == task) / total


def test_alb_without_slow_start_a_new_target_gets_a_full_share_at_once(
    small: Builder, find: Finder
) -> None:
    scenario = small(
        duration_s=200, actions=[{"at_s": 30, "do": "scale", "service": "api", "count": 4}]
    )

    result = run(scenario, pattern="elb")

    routed = int(max(e["t"] for e in find(result, "healthy_threshold_reached", task="api-4"))) + 1
    assert _share(result, "api-4", routed, routed + 20) == pytest.approx(0.25, abs=0.01)


def test_alb_slow_start_ramps_a_new_target_linearly(small: Builder, find: Finder) -> None:
    settings = {"alb": {"slow_start_s": 120}}
    scenario = small(
        duration_s=400,
        settings=settings,
        actions=[{"at_s": 30, "do": "scale", "service": "api", "count": 4}],
    )

    result = run(scenario, pattern="elb")

    start = find(result, "slow_start", task="api-4")[0]["t"]
    early = _share(result, "api-4", int(start) + 1, int(start) + 31)
    late = _share(result, "api-4", int(start) + 130, int(start) + 200)
    assert early < 0.12
    assert late == pytest.approx(0.25, abs=0.02)


def test_alb_all_targets_unhealthy_fails_open_to_all(small: Builder, find: Finder) -> None:
    actions = [
        {"at_s": 30, "do": "fail_task", "task": f"api-{n}", "status": 500, "health_check": True}
        for n in (1, 2, 3)
    ]

    result = run(small(duration_s=200, settings=KEEP, actions=actions), pattern="elb")

    opened = [e for e in find(result, "fail_open_all_unhealthy") if e["kind"] == "alb"]
    assert sorted(e["node"] for e in opened) == sorted(NODES)
    after = max(e["t"] for e in opened)
    late_rows = [r for r in result["timeline"] if r["t"] > after + 1 and r["service"] == "api"]
    assert {r["task"] for r in late_rows} == {"api-1", "api-2", "api-3"}
    assert set(result["summary"]["errors"]) == {"http_500"}


def test_alb_503_only_when_no_target_is_registered(small: Builder) -> None:
    scenario = small(
        duration_s=120, actions=[{"at_s": 60, "do": "scale", "service": "api", "count": 0}]
    )

    result = run(scenario, pattern="elb")

    failed = [r for r in result["client_timeline"] if r["errors"]]
    assert set(result["summary"]["errors"]) == {"http_503"}
    assert min(r["t"] for r in failed) == 60


def test_alb_draining_target_is_cut_at_the_deregistration_delay_then_sigterm(
    small: Builder, find: Finder
) -> None:
    actions = [
        {"at_s": 50, "do": "slow_task", "task": "api-2", "delay_ms": 1_000_000},
        {"at_s": 60, "do": "stop_task", "task": "api-2"},
    ]
    settings = {"alb": {"idle_timeout_s": 4000}}

    result = run(small(duration_s=400, settings=settings, actions=actions), pattern="elb")

    assert find(result, "target_draining", task="api-2")[0]["t"] == 60.0
    assert find(result, "deregistration_delay_elapsed", task="api-2")[0]["t"] == 360.0
    assert find(result, "sigterm_sent", task="api-2")[0]["t"] == 360.0
    assert find(result, "exited_after_sigterm", task="api-2")[0]["t"] == 360.0


def test_alb_idle_draining_target_finishes_early(small: Builder, find: Finder) -> None:
    scenario = small(duration_s=100, actions=[{"at_s": 60, "do": "stop_task", "task": "api-2"}])

    result = run(scenario, pattern="elb")

    finished = find(result, "drain_finished_idle", task="api-2")[0]["t"]
    assert 60.0 <= finished < 60.1
    assert find(result, "sigterm_sent", task="api-2")[0]["t"] == finished


def test_alb_rejects_slow_start_with_least_outstanding_requests() -> None:
    settings = {"alb": {"algorithm": "least_outstanding_requests", "slow_start_s": 60}}

    with pytest.raises(ScenarioError) as error:
        load_scenario({"settings": settings})

    assert error.value.path == "settings.alb.slow_start_s"


def test_alb_keeps_routing_to_a_task_answering_5xx_while_health_passes(
    small: Builder, find: Finder
) -> None:
    scenario = small(actions=[{"at_s": 60, "do": "fail_task", "task": "api-2", "status": 503}])

    result = run(scenario, pattern="elb")

    rows = [r for r in result["timeline"] if r["task"] == "api-2" and r["t"] >= 60]
    assert find(result, "unhealthy_threshold_reached", task="api-2") == []
    assert max(r["t"] for r in rows) == 199
    # The last second may end with an attempt still in flight; every finished one was a 503.
    done = [r for r in rows if r["t"] < 199]
    assert sum(r["errors"].get("http_503", 0) for r in done) == sum(r["attempts"] for r in done)
    assert sum(r["ok"] for r in rows) == 0


def test_alb_dns_ttl_keeps_clients_on_a_failed_az_node_for_up_to_60_s(small: Builder) -> None:
    scenario = small(
        duration_s=200,
        services=[
            {"name": "client", "tasks": 3, "azs": ["ap-northeast-1a"]},
            {"name": "api", "tasks": 3},
        ],
        actions=[{"at_s": 90, "do": "az_outage", "az": "ap-northeast-1c"}],
    )

    result = run(scenario, pattern="elb")

    starts = [
        e["t"] - e["latency_ms"] / 1000.0
        for e in result["events"]
        if e["cause"] == "request_failed" and e["reason"] == "connect_timeout"
    ]
    assert starts
    assert min(starts) >= 90.0
    assert 120.0 < max(starts) < 150.0


def test_alb_least_outstanding_requests_starves_a_slow_target(small: Builder) -> None:
    settings = {"alb": {"algorithm": "least_outstanding_requests"}}
    action = {"at_s": 20, "do": "slow_task", "task": "api-2", "delay_ms": 5000}
    scenario = small(duration_s=120, settings=settings, actions=[action])

    lor = run(scenario, pattern="elb")
    rr = run(small(duration_s=120, actions=[action]), pattern="elb")

    assert _share(lor, "api-2", 40, 120) < 0.05
    assert _share(rr, "api-2", 40, 120) == pytest.approx(1 / 3, abs=0.01)


def test_alb_snapshot_shows_per_node_target_health(small: Builder) -> None:
    sim = Simulation(
        small(settings=KEEP, actions=[{"at_s": 10, "do": "refuse_task", "task": "api-2"}]),
        pattern="elb",
    )

    sim.advance(120)
    health = {t["task"]: t["health"] for t in sim.snapshot()["target_groups"]["api"]}

    assert health["api-2"] == dict.fromkeys(NODES, "unhealthy")
    assert health["api-1"] == dict.fromkeys(NODES, "healthy")


def test_alb_slow_start_weight_matches_the_worked_example(small: Builder) -> None:
    sim = Simulation(small(settings={"alb": {"slow_start_s": 100}}), pattern="elb")
    pattern = sim.pattern
    assert isinstance(pattern, ElbPattern)
    target = pattern.targets["api-1"]
    target.slow_start_from, target.slow_start_until = 200.0, 300.0

    weights = [pattern._weight(target, t) for t in (225.0, 250.0, 300.0)]

    assert weights == [0.25, 0.5, 1.0]


def test_alb_weighted_random_spreads_evenly_over_equal_targets(small: Builder) -> None:
    scenario = small(
        duration_s=300, arrivals="poisson", settings={"alb": {"algorithm": "weighted_random"}}
    )

    result = run(scenario, pattern="elb")

    shares = [_share(result, f"api-{n}", 0, 300) for n in (1, 2, 3)]
    assert all(share == pytest.approx(1 / 3, abs=0.03) for share in shares)
