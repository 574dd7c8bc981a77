"""App Mesh pattern wiring against checkable facts 22-25, weighted routes and the Envoy drain."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from patterns.sim import ScenarioError, Simulation, load_scenario, run

pytestmark = pytest.mark.unit

Builder = Callable[..., dict[str, Any]]
Finder = Callable[..., list[dict[str, Any]]]
MESH = "app-mesh"
OUTLIER = {
    "max_server_errors": 5,
    "interval_s": 10,
    "base_ejection_duration_s": 30,
    "max_ejection_percent": 50,
}


def test_appmesh_default_route_retry_policy_is_2_retries_on_503_connect_failure_refused_stream_reset() -> (
    None
):
    mesh = load_scenario({}).settings["app_mesh"]

    policy = mesh["retry_policy"]

    assert policy == {
        "num_retries": 2,
        "retry_on": ["connect-failure", "refused-stream", "reset", "retriable-status-codes"],
        "retriable_status_codes": [503],
    }


def test_appmesh_retries_hide_a_task_answering_503(small: Builder) -> None:
    scenario = small(actions=[{"at_s": 60, "do": "fail_task", "task": "api-2", "status": 503}])

    result = run(scenario, pattern=MESH)

    assert result["summary"]["errors"] == {}
    assert result["summary"]["retries"] > 0


def test_appmesh_does_not_retry_a_500(small: Builder) -> None:
    scenario = small(actions=[{"at_s": 60, "do": "fail_task", "task": "api-2", "status": 500}])

    result = run(scenario, pattern=MESH)

    failed = [e for e in result["events"] if e["cause"] == "request_failed"]
    assert result["summary"]["retries"] == 0
    assert {e["tries"] for e in failed} == {1}
    assert set(result["summary"]["errors"]) == {"http_500"}


def test_appmesh_three_failing_attempts_give_the_caller_a_503(small: Builder) -> None:
    actions = [
        {"at_s": 60, "do": "fail_task", "task": f"api-{n}", "status": 503} for n in (1, 2, 3)
    ]

    result = run(small(duration_s=90, actions=actions), pattern=MESH)

    failed = [e for e in result["events"] if e["cause"] == "request_failed"]
    assert {e["tries"] for e in failed} == {3}
    assert set(result["summary"]["errors"]) == {"http_503"}


def test_appmesh_route_timeout_defaults_to_15_s_and_idle_to_300_s(small: Builder) -> None:
    action = {"at_s": 60, "do": "slow_task", "task": "api-2", "delay_ms": 20_000}

    result = run(small(duration_s=120, actions=[action]), pattern=MESH)

    mesh = result["scenario"]["settings"]["app_mesh"]
    latencies = {e["latency_ms"] for e in result["events"] if e["cause"] == "request_failed"}
    assert (mesh["route_timeout_s"], mesh["idle_timeout_s"]) == (15.0, 300.0)
    assert latencies == {15000.0}
    assert set(result["summary"]["errors"]) == {"http_504"}


def test_appmesh_outlier_detection_is_off_by_default(small: Builder, find: Finder) -> None:
    scenario = small(actions=[{"at_s": 60, "do": "fail_task", "task": "api-2", "status": 500}])

    result = run(scenario, pattern=MESH)

    assert result["scenario"]["settings"]["app_mesh"]["outlier_detection"] is None
    assert find(result, "outlier_ejected") == []
    assert result["summary"]["outlier"]["detected"] == 0


@pytest.mark.parametrize("missing", sorted(OUTLIER))
def test_appmesh_outlier_detection_requires_all_four_fields(missing: str) -> None:
    partial = {k: v for k, v in OUTLIER.items() if k != missing}

    with pytest.raises(ScenarioError) as error:
        load_scenario({"settings": {"app_mesh": {"outlier_detection": partial}}})

    assert error.value.path == f"settings.app_mesh.outlier_detection.{missing}"
    assert error.value.reason == "is required"


def test_appmesh_configured_outlier_detection_ejects_a_failing_task(
    small: Builder, find: Finder
) -> None:
    settings = {"app_mesh": {"outlier_detection": OUTLIER}}
    scenario = small(
        settings=settings, actions=[{"at_s": 60, "do": "fail_task", "task": "api-2", "status": 500}]
    )

    result = run(scenario, pattern=MESH)

    ejected = find(result, "outlier_ejected", task="api-2", proxy="client-1")
    assert ejected[0]["t"] > 60.0
    assert result["summary"]["outlier"]["enforced"] == len(ejected)


def test_appmesh_outlier_detection_needs_cloud_map_discovery() -> None:
    settings = {"app_mesh": {"discovery": "dns", "outlier_detection": OUTLIER}}

    with pytest.raises(ScenarioError) as error:
        load_scenario({"settings": settings})

    assert error.value.path == "settings.app_mesh.outlier_detection"


def test_appmesh_dns_discovery_routes_each_proxy_to_the_first_ip_only(small: Builder) -> None:
    scenario = small(
        services=[{"name": "client", "tasks": 3}, {"name": "api", "tasks": 3}],
        settings={"app_mesh": {"discovery": "dns"}},
    )
    sim = Simulation(scenario, pattern=MESH)

    sizes = []
    for t in range(2, 60, 2):
        sim.advance(t)
        proxies = sim.snapshot()["proxies"]
        sizes.extend(len(p["api"]["hosts"]) for p in proxies.values())

    assert set(sizes) == {1}


@pytest.mark.parametrize(
    ("ttl_s", "moves"),
    [
        # The resolver's entry from before 0 s runs out at 110.8 s: one move in 120 s.
        (300, [0.025, 110.875]),
        # A 10 s TTL: a new answer (in Route 53's random order) at most every 10 s, picked up
        # at Envoy's next 5 s refresh.
        (
            10,
            [0.025, 5.075, 15.075, 25.075, 35.125, 45.225, 65.425, 75.525, 85.625, 95.725, 115.925],
        ),
    ],
)
def test_appmesh_dns_discovery_moves_host_only_at_a_5_s_refresh_after_the_resolver_refetched(
    small: Builder, find: Finder, ttl_s: int, moves: list[float]
) -> None:
    settings = {"app_mesh": {"discovery": "dns"}, "cloud_map": {"dns_ttl_s": ttl_s}}
    scenario = small(settings=settings, duration_s=120)

    result = run(scenario, pattern=MESH)

    refresh_times = [e["t"] for e in find(result, "dns_refresh", proxy="client-1")]
    assert refresh_times == moves


def test_appmesh_canary_route_sends_about_10_percent_to_the_canary() -> None:
    result = run("canary-90-10", pattern=MESH, seed=5)

    rows = [r for r in result["timeline"] if r["service"] in ("inventory", "inventory-v2")]
    canary = sum(r["attempts"] for r in rows if r["service"] == "inventory-v2")
    share = canary / sum(r["attempts"] for r in rows)

    assert share == pytest.approx(0.10, abs=0.015)


def test_appmesh_stopping_task_drains_20_s_after_cloud_map_deregistration(
    small: Builder, find: Finder
) -> None:
    scenario = small(duration_s=120, actions=[{"at_s": 60, "do": "stop_task", "task": "api-2"}])

    result = run(scenario, pattern=MESH)

    assert find(result, "cloud_map_deregistered", task="api-2")[0]["t"] == 60.0
    assert find(result, "proxy_draining", task="api-2")[0]["t"] == 60.0
    assert find(result, "eds_push", service="api")[0]["t"] == 65.0
    assert find(result, "sigterm_sent", task="api-2")[0]["t"] == 80.0
    assert result["summary"]["errors"] == {}
