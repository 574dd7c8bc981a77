"""Service Connect's proxy as AWS documents it (aws-facts-2026 section 3) and services added mid-run.

3.9: 5 or more failures to one task within 30 s eject it for 30-300 s. 3.10: 2 retries, and a retry
avoids the host that just failed. 3.14: client tasks started before an endpoint existed cannot reach
it until they are replaced. Every figure is seeded and exact.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from patterns.sim import PATTERNS, ScenarioError, Simulation, load_scenario, run
from patterns.sim.proxy import EnvoyCluster, EnvoyClusterConfig, OutlierDetectionConfig
from patterns.sim.trace import HTTP_503

pytestmark = pytest.mark.unit

Builder = Callable[..., dict[str, Any]]
SC = "service-connect"


def _picks_per_request(result: dict[str, Any]) -> dict[int, list[str]]:
    picks: dict[int, list[str]] = {}
    for e in result["events"]:
        if e["kind"] == "hop" and e["cause"] == "round_robin":
            picks.setdefault(e["request"], []).append(e["task"])
    return picks


# --------------------------------------------------------------------------- settings


def test_sc_defaults_follow_the_documented_proxy_rules() -> None:
    envoy = load_scenario({}).settings["envoy"]

    od, retry = envoy["outlier_detection"], envoy["retry_policy"]

    assert (od["consecutive_5xx"], od["failure_window_s"]) == (5, 30.0)
    assert (od["base_ejection_time_s"], od["max_ejection_time_s"]) == (30.0, 300.0)
    assert (retry["num_retries"], retry["avoid_previous_hosts"]) == (2, True)
    assert envoy["lb_policy"] == "round_robin"


@pytest.mark.parametrize(
    ("settings", "path", "reason"),
    [
        (
            {"envoy": {"outlier_detection": {"failure_window_s": -1}}},
            "settings.envoy.outlier_detection.failure_window_s",
            "must be between 0 and 3600",
        ),
        (
            {"envoy": {"retry_policy": {"avoid_previous_hosts": "yes"}}},
            "settings.envoy.retry_policy.avoid_previous_hosts",
            "must be true or false",
        ),
        (
            {"app_mesh": {"retry_policy": {"avoid_previous_hosts": True}}},
            "settings.app_mesh.retry_policy.avoid_previous_hosts",
            "unknown key",
        ),
    ],
)
def test_invalid_proxy_settings_name_the_json_path(
    settings: dict[str, Any], path: str, reason: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario({"settings": settings})

    assert caught.value.path == path
    assert reason in caught.value.reason


# --------------------------------------------------------------------------- retries


def test_sc_retry_never_goes_back_to_the_task_that_just_failed(small: Builder) -> None:
    # api-1 answers 503 half a second late, so other requests' picks interleave with each retry;
    # outlier detection is pushed out of the way to look at retries alone.
    scenario = small(
        duration_s=90,
        services=[{"name": "client", "tasks": 1}, {"name": "api", "tasks": 2}],
        settings={"envoy": {"outlier_detection": {"consecutive_5xx": 1000}}},
        actions=[
            {"at_s": 60, "do": "slow_task", "task": "api-1", "delay_ms": 500},
            {"at_s": 60, "do": "fail_task", "task": "api-1", "status": 503},
        ],
    )

    result = run(scenario, pattern=SC)

    retried = [p for p in _picks_per_request(result).values() if len(p) > 1]
    assert Counter(tuple(p) for p in retried) == {("api-1", "api-2"): 375}
    assert result["summary"]["errors"] == {}
    assert result["summary"]["retries"] == 375
    skipped = [e for e in result["events"] if e["cause"] == "retry_previous_host_skipped"]
    assert len(skipped) == 209
    assert {tuple(e["skipped"]) for e in skipped} == {("api-1",)}


def test_pick_retry_skips_every_host_already_tried_then_the_last_one() -> None:
    cluster = EnvoyCluster(EnvoyClusterConfig(), random.Random(1), ["a", "b", "c"])

    picks = [cluster.pick_retry(0.0, ["a", "b"], "b")[0] for _ in range(4)]
    fallback = cluster.pick_retry(0.0, ["a", "b", "c"], "c")
    alone = EnvoyCluster(EnvoyClusterConfig(), random.Random(1), ["a"]).pick_retry(0.0, ["a"], "a")

    assert picks == ["c", "c", "c", "c"]
    assert fallback[0] != "c" and len(fallback[2]) == 3
    assert alone == ("a", "round_robin", ["a"])


# --------------------------------------------------------------------------- outlier detection


def _window_cluster() -> EnvoyCluster:
    config = EnvoyClusterConfig(outlier_detection=OutlierDetectionConfig(failure_window_s=30.0))
    return EnvoyCluster(config, random.Random(1), ["a", "b", "c"])


def test_fifth_failure_within_30_s_ejects_even_with_successes_between() -> None:
    cluster = _window_cluster()
    kinds = []
    for t in (0.0, 5.0, 10.0, 20.0):
        kinds += cluster.on_finish("a", t, HTTP_503)
        kinds += cluster.on_finish("a", t + 1.0, None)  # a success does not reset the count

    events = cluster.on_finish("a", 30.0, HTTP_503)

    assert kinds == []
    assert [(e.kind, e.t, e.detail["ejection_time_s"]) for e in events] == [
        ("outlier_ejected", 30.0, 30.0)
    ]


def test_five_failures_spread_over_more_than_30_s_do_not_eject() -> None:
    spread, edge = _window_cluster(), _window_cluster()
    late = []
    for t in (0.0, 10.0, 20.0, 30.0, 30.5):  # at 30.5 s the failure at 0 s has left the window
        late += spread.on_finish("a", t, HTTP_503)
    on_time = []
    for t in (0.0, 10.0, 20.0, 29.0, 30.0):  # exactly 30 s from the first to the fifth
        on_time += edge.on_finish("a", t, HTTP_503)

    assert late == []
    assert [(e.kind, e.t) for e in on_time] == [("outlier_ejected", 30.0)]


def test_consecutive_mode_is_kept_for_app_mesh() -> None:
    cluster = EnvoyCluster(
        EnvoyClusterConfig(outlier_detection=OutlierDetectionConfig()),
        random.Random(1),
        ["a", "b", "c"],
    )
    events = []
    for t in (0.0, 1.0, 2.0, 3.0):
        events += cluster.on_finish("a", t, HTTP_503)
    events += cluster.on_finish("a", 3.5, None)
    events += cluster.on_finish("a", 4.0, HTTP_503)

    assert events == []


def test_sc_ejects_after_the_5th_failure_in_30_s_and_ejections_grow_to_300_s(
    small: Builder,
) -> None:
    # api-2 answers 503 to half its requests: never five in a row for long, but five within 30 s.
    scenario = small(
        duration_s=2400,
        actions=[
            {"at_s": 60, "do": "fail_task", "task": "api-2", "status": 503, "probability": 0.5}
        ],
    )

    result = run(scenario, pattern=SC)

    failures = [
        e["t"]
        for e in result["events"]
        if e["cause"] == "retry_on_503" and e.get("task") == "api-2"
    ]
    ejected = [e for e in result["events"] if e["cause"] == "outlier_ejected"]
    returned = [e["t"] for e in result["events"] if e["cause"] == "outlier_returned"]
    assert failures[:5] == [60.204911, 60.452017, 61.296343, 61.538451, 61.637138]
    assert ejected[0]["t"] == failures[4]
    assert {e["task"] for e in ejected} == {"api-2"}
    assert [e["ejection_time_s"] for e in ejected] == [
        30.0,
        60.0,
        90.0,
        120.0,
        150.0,
        180.0,
        210.0,
        240.0,
        270.0,
        300.0,
        300.0,
        300.0,
    ]
    assert returned[:3] == [100.025, 170.025, 270.025]
    # Nothing reaches api-2 while it is ejected (returns happen at the proxy's 10 s sweeps).
    picks = [
        e["t"]
        for e in result["events"]
        if e["kind"] == "hop" and e["cause"] == "round_robin" and e["task"] == "api-2"
    ]
    for start, end in zip([e["t"] for e in ejected], returned, strict=False):
        assert not [t for t in picks if start < t < end]


# --------------------------------------------------------------------------- add_service


def _with_payments(small: Builder, **overrides: Any) -> dict[str, Any]:
    actions = [
        {
            "at_s": 60,
            "do": "add_service",
            "service": {"name": "pay", "tasks": 2},
            "traffic": [{"from": "client", "to": "pay", "rps": 10}],
        },
        {"at_s": 120, "do": "deploy", "service": "client"},
    ]
    return small(actions=actions, **overrides)


def _pay_ends(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in result["events"] if e["kind"] == "request_end" and e["to"] == "pay"]


def test_sc_client_started_before_a_service_cannot_reach_it_until_replaced(
    small: Builder,
) -> None:
    result = run(_with_payments(small), pattern=SC)

    ends = _pay_ends(result)
    failed = [e for e in ends if e["reason"]]
    ok = [e for e in ends if not e["reason"]]
    assert len(ends) == 1400
    assert Counter((e["source"], e["reason"]) for e in failed) == {
        ("client-1", "dns_nxdomain"): 944
    }
    # client-2 (the redeploy) is RUNNING at 130 s; client-1 keeps failing until its replacement's
    # first container check passes at 160 s and ECS stops it.
    assert Counter(e["source"] for e in ok) == {"client-2": 456}
    assert (failed[0]["t"], failed[-1]["t"]) == (60.066667, 179.866667)
    assert ok[0]["t"] == 130.278209
    unknown = [e for e in result["events"] if e["cause"] == "endpoint_unknown_to_client"]
    assert len(unknown) == 944
    assert {(e["client"], e["to"]) for e in unknown} == {("client-1", "pay")}


def test_sc_new_service_calls_existing_ones_from_its_own_tasks(small: Builder) -> None:
    actions = [
        {
            "at_s": 60,
            "do": "add_service",
            "service": {"name": "pay", "tasks": 2, "azs": ["ap-northeast-1c"]},
            "traffic": [{"from": "pay", "to": "api", "rps": 4}],
        }
    ]

    result = run(small(duration_s=120, actions=actions), pattern=SC)

    edge = next(e for e in result["summary"]["edges"] if e["from"] == "pay")
    started = [e for e in result["events"] if e["cause"] == "task_started"]
    assert (edge["requests"], edge["ok"], edge["errors"]) == (200, 200, {})
    assert [(e["task"], e["az"], e["t"]) for e in started] == [
        ("pay-1", "ap-northeast-1c", 60.0),
        ("pay-2", "ap-northeast-1c", 60.0),
    ]


@pytest.mark.parametrize(
    ("pattern", "errors", "first_ok"),
    [
        ("elb", {"http_503": 100}, 70.095364),
        ("app-mesh", {"no_healthy_upstream": 150}, 75.095607),
        ("service-discovery", {"dns_nxdomain": 842}, 130.282317),
    ],
)
def test_other_patterns_reach_a_new_service_as_their_discovery_allows(
    small: Builder, pattern: str, errors: dict[str, int], first_ok: float
) -> None:
    # ELB: tasks RUNNING at 70 s become targets; App Mesh: endpoints pushed 5 s later (75 s);
    # Service Discovery: records reach Route 53 60 s after registration, and client-1's negative
    # answer stays cached, so only the redeployed client-2 reaches pay; client-1 stops at 160 s,
    # when client-2's first container check passes.
    result = run(_with_payments(small), pattern=pattern)

    ends = _pay_ends(result)
    ok = [e for e in ends if not e["reason"]]
    assert dict(Counter(e["reason"] for e in ends if e["reason"])) == errors
    assert ok[0]["t"] == first_ok


def test_add_service_on_a_live_run_and_in_the_snapshot() -> None:
    sim = Simulation("steady", pattern=SC)
    sim.advance(30)

    sim.apply(
        {
            "do": "add_service",
            "service": {"name": "pay", "tasks": 1},
            "traffic": [{"from": "contract", "to": "pay", "rps": 5}],
        }
    )
    sim.advance(60)

    snap = sim.snapshot()
    result = sim.result()
    assert [t["task"] for t in snap["services"]["pay"]["tasks"]] == ["pay-1"]
    assert snap["endpoints"]["pay"] == ["pay-1"]
    moment = next(m for m in result["summary"]["key_moments"] if m.get("do") == "add_service")
    assert (moment["t"], moment["service"]) == (30.0, "pay")
    with pytest.raises(ScenarioError) as caught:
        sim.apply({"do": "add_service", "service": {"name": "pay", "tasks": 1}})
    assert (caught.value.path, caught.value.reason) == (
        "action.service.name",
        "duplicate service 'pay'",
    )


@pytest.mark.parametrize(
    ("actions", "path", "reason"),
    [
        (
            [{"at_s": 5, "do": "add_service", "service": {"name": "api", "tasks": 1}}],
            "actions[0].service.name",
            "duplicate service 'api'",
        ),
        (
            [
                {
                    "at_s": 5,
                    "do": "add_service",
                    "service": {"name": "pay", "tasks": 1},
                    "traffic": [{"from": "pay", "to": "nope", "rps": 1}],
                }
            ],
            "actions[0].traffic[0].to",
            "unknown service 'nope'",
        ),
        (
            [{"at_s": 5, "do": "add_service", "service": {"name": "pay", "tasks": -1}}],
            "actions[0].service.tasks",
            "between 0 and 1000",
        ),
        (
            [
                {"at_s": 5, "do": "kill_task", "task": "pay-1"},
                {"at_s": 9, "do": "add_service", "service": {"name": "pay", "tasks": 1}},
            ],
            "actions[0].task",
            "service 'pay' does not exist yet at 5 s",
        ),
        (
            [
                {"at_s": 9, "do": "add_service", "service": {"name": "pay", "tasks": 1}},
                {"at_s": 9, "do": "add_service", "service": {"name": "pay", "tasks": 2}},
            ],
            "actions[1].service.name",
            "duplicate service 'pay'",
        ),
        (
            [{"at_s": 9, "do": "add_service", "service": {"name": "pay", "tasks": 999}}],
            "actions[0].service.tasks",
            "more than 1000 tasks in total",
        ),
    ],
)
def test_add_service_errors_name_the_json_path(
    small: Builder, actions: list[dict[str, Any]], path: str, reason: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(small(actions=actions))

    assert caught.value.path == path
    assert reason in caught.value.reason


def test_later_actions_may_name_an_added_service(small: Builder) -> None:
    actions = [
        {"at_s": 90, "do": "scale", "service": "pay", "count": 3},
        {"at_s": 60, "do": "add_service", "service": {"name": "pay", "tasks": 1}},
        {"at_s": 100, "do": "kill_task", "task": "pay-1"},
    ]

    result = run(small(duration_s=150, actions=actions), pattern=SC)

    started = [e["task"] for e in result["events"] if e["cause"] == "task_started"]
    assert started == ["pay-1", "pay-2", "pay-3", "pay-4"]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_add_service_with_no_tasks_and_no_traffic_runs(small: Builder, pattern: str) -> None:
    actions = [{"at_s": 10, "do": "add_service", "service": {"name": "pay", "tasks": 0}}]

    result = run(small(duration_s=30, actions=actions), pattern=pattern)

    assert result["summary"]["errors"] == {}


def test_live_add_service_is_held_to_the_run_totals() -> None:
    sim = Simulation("steady", pattern=SC)
    sim.advance(10)

    with pytest.raises(ScenarioError) as caught:
        sim.apply({"do": "add_service", "service": {"name": "pay", "tasks": 990}})

    assert (caught.value.path, caught.value.reason) == (
        "action.service.tasks",
        "more than 1000 tasks in total",
    )
    assert sim.action_log == []
