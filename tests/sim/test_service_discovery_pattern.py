"""Service Discovery pattern against checkable facts 19-21 (and the DNS cache policies)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from patterns.sim import Simulation, run

pytestmark = pytest.mark.unit

Builder = Callable[..., dict[str, Any]]
Finder = Callable[..., list[dict[str, Any]]]
SD = "service-discovery"


def _moment(result: dict[str, Any], kind: str, task: str) -> float:
    return next(
        m["t"]
        for m in result["summary"]["key_moments"]
        if m["kind"] == kind and m.get("task") == task
    )


def test_sd_deploy_stops_old_tasks_at_deregistration_without_waiting_for_the_ttl(
    small: Builder, find: Finder
) -> None:
    scenario = small(duration_s=400, actions=[{"at_s": 60, "do": "deploy", "service": "api"}])

    result = run(scenario, pattern=SD)

    for task in ("api-1", "api-2", "api-3"):
        deregistered = find(result, "cloud_map_deregistered", task=task)[0]["t"]
        assert find(result, "sigterm_sent", task=task)[0]["t"] == deregistered


def test_sd_client_keeps_sending_to_stopped_tasks_until_its_cached_ttl_ends(
    small: Builder, find: Finder
) -> None:
    scenario = small(duration_s=500, actions=[{"at_s": 60, "do": "deploy", "service": "api"}])

    result = run(scenario, pattern=SD)

    # The old tasks stop at 100 s, when the new ones' first container checks pass (RUNNING at 70 s
    # plus one 30 s interval). The resolver's entry held at 0 s runs out at 108.025; the client's
    # copy with it. Its refetch (from Route 53, before the removal reaches it at 160) is kept a
    # full 300 s.
    miss = find(result, "dns_cache_miss", source="client-1")[0]
    assert (miss["t"], miss["ttl_s"], miss["resolver"]) == (108.025, 300.0, "route53")
    expires = miss["t"] + miss["ttl_s"]
    old = ("api-1", "api-2", "api-3")
    lasts = [_moment(result, "last_request_to_task", task) for task in old]
    assert max(_moment(result, "task_stopped", task) for task in old) < 101.0
    assert expires - 0.05 <= max(lasts) <= expires
    assert min(lasts) > expires - 1.0
    assert set(result["summary"]["errors"]) == {"connect_timeout"}


def test_sd_jvm_30s_cache_keeps_the_resolvers_answer_30s_whatever_the_ttl(small: Builder) -> None:
    settings = {"client": {"dns_cache": "jvm_30s"}, "cloud_map": {"dns_ttl_s": 10}}
    scenario = small(
        duration_s=400, settings=settings, actions=[{"at_s": 60, "do": "deploy", "service": "api"}]
    )

    result = run(scenario, pattern=SD)

    # Records leave Route 53 at 100 (the new tasks' first container checks pass) + 60 s
    # propagation. The JVM asked the resolver at 144.275, before that, and keeps the answer 30 s
    # although its TTL is 10 s: bound 160 + 10 + 30.
    lasts = [_moment(result, "last_request_to_task", t) for t in ("api-1", "api-2", "api-3")]
    assert lasts == [174.175, 173.725, 174.225]


def test_sd_task_answering_5xx_keeps_its_traffic_when_health_passes(
    small: Builder, find: Finder
) -> None:
    scenario = small(actions=[{"at_s": 60, "do": "fail_task", "task": "api-2", "status": 500}])

    result = run(scenario, pattern=SD)

    rows = [r for r in result["timeline"] if r["task"] == "api-2" and r["t"] >= 60]
    assert find(result, "container_health_failed") == []
    assert max(r["t"] for r in rows) == 199
    assert result["summary"]["errors"] == {"http_500": sum(r["attempts"] for r in rows)}


def test_sd_failing_container_health_check_replaces_the_task_after_3_checks(
    small: Builder, find: Finder
) -> None:
    action = {"at_s": 60, "do": "fail_task", "task": "api-2", "status": 500, "health_check": True}

    result = run(small(actions=[action]), pattern=SD)

    failed = find(result, "container_health_failed", task="api-2")
    assert len(failed) == 1
    assert 120.0 <= failed[0]["t"] < 150.0
    assert find(result, "ecs_replaced_unhealthy", task="api-2")[0]["t"] == failed[0]["t"]
    assert [e["task"] for e in find(result, "task_started")] == ["api-4"]


def test_sd_nothing_retries_for_the_client(small: Builder) -> None:
    scenario = small(actions=[{"at_s": 60, "do": "refuse_task", "task": "api-2"}])

    result = run(scenario, pattern=SD)

    ends = [e for e in result["events"] if e["cause"] == "request_failed"]
    assert result["summary"]["retries"] == 0
    assert {e["tries"] for e in ends} == {1}
    assert result["summary"]["errors"]["connect_refused"] > 0


def test_sd_client_retries_only_when_its_code_does(small: Builder) -> None:
    settings = {"client": {"retries": 2}}
    scenario = small(
        settings=settings, actions=[{"at_s": 60, "do": "refuse_task", "task": "api-2"}]
    )

    result = run(scenario, pattern=SD)

    ends = [e for e in result["events"] if e["cause"] == "request_ok" and e["tries"] > 1]
    assert result["summary"]["retries"] > 0
    assert max(e["tries"] for e in ends) <= 3


def test_sd_snapshot_lists_each_client_dns_cache(small: Builder) -> None:
    sim = Simulation(small(), pattern=SD)

    sim.advance(10)
    caches = sim.snapshot()["dns_caches"]

    assert list(caches) == ["client-1"]
    assert sorted(caches["client-1"]["api.local"]["ips"]) == sorted(
        t["ip"] for t in sim.snapshot()["services"]["api"]["tasks"]
    )


def test_sd_live_ttl_change_applies_to_answers_cached_afterwards(small: Builder) -> None:
    sim = Simulation(small(settings={"cloud_map": {"dns_ttl_s": 10}}), pattern=SD)
    sim.advance(5.0)
    sim.apply({"do": "set", "setting": "cloud_map.dns_ttl_s", "value": 120})

    sim.advance(30.0)
    entry = sim.snapshot()["dns_caches"]["client-1"]["api.local"]

    # The resolver's entry held at 0 s (TTL 10) ran out at 3.60; the one fetched at 3.625 ran out
    # at 13.625, and the one fetched then, after the change, is kept 120 s.
    assert entry["expires_at"] == pytest.approx(133.625)


def test_sd_callers_of_srv_records_ask_for_srv_and_get_the_same_answers_as_with_a() -> None:
    # With SRV records the client asks for SRV (the record carries the port); before, it asked
    # for A, got NXDOMAIN for every request and never reached a task.
    def summary(record_type: str) -> dict[str, Any]:
        data = {
            "pattern": "service-discovery",
            "seed": 3,
            "duration_s": 120,
            "settings": {"cloud_map": {"record_type": record_type}},
            "actions": [{"at_s": 30, "do": "kill_task", "task": "inventory-2"}],
        }
        return run(data)["summary"]

    srv = summary("SRV")

    assert srv["requests"] == 3610
    assert srv["errors"] == {"connect_timeout": 272}
    assert srv == summary("A")
