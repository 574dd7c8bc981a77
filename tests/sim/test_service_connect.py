"""Service Connect pattern against checkable facts 32-39."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from patterns.sim import ScenarioError, load_scenario, run

pytestmark = pytest.mark.unit

Builder = Callable[..., dict[str, Any]]
Finder = Callable[..., list[dict[str, Any]]]
SC = "service-connect"
PICKS = ("round_robin", "panic_mode", "least_request_p2c", "random_pick")


def _picks(result: dict[str, Any], proxy: str) -> list[dict[str, Any]]:
    return [
        e
        for e in result["events"]
        if e["kind"] == "hop" and e["cause"] in PICKS and e["proxy"] == proxy
    ]


def test_sc_timeout_defaults_are_15_s_per_request_and_300_s_idle() -> None:
    sc = load_scenario({}).settings["service_connect"]

    timeouts = (sc["per_request_timeout_s"], sc["idle_timeout_s"])

    assert timeouts == (15.0, 300.0)


def test_sc_slow_task_gives_504_at_the_15_s_per_request_timeout(small: Builder) -> None:
    action = {"at_s": 60, "do": "slow_task", "task": "api-2", "delay_ms": 20_000}

    result = run(small(duration_s=120, actions=[action]), pattern=SC)

    ends = [e for e in result["events"] if e["kind"] == "request_end" and e["reason"] is not None]
    assert {e["latency_ms"] for e in ends} == {15000.0}
    assert set(result["summary"]["errors"]) == {"http_504"}


def test_sc_round_robin_shares_requests_evenly(small: Builder) -> None:
    result = run(small(duration_s=60), pattern=SC)

    counts = [
        sum(r["attempts"] for r in result["timeline"] if r["task"] == f"api-{n}") for n in (1, 2, 3)
    ]

    assert max(counts) - min(counts) <= 1


def test_sc_proxy_skips_an_ejected_task_until_it_returns(small: Builder, find: Finder) -> None:
    scenario = small(actions=[{"at_s": 60, "do": "fail_task", "task": "api-2", "status": 500}])

    result = run(scenario, pattern=SC)

    ejected = find(result, "outlier_ejected", task="api-2")[0]["t"]
    returned = find(result, "outlier_returned", task="api-2")[0]["t"]
    during = [
        e
        for e in _picks(result, "client-1")
        if ejected < e["t"] < returned and e["task"] == "api-2"
    ]
    assert during == []
    assert ejected + 30.0 <= returned < ejected + 40.0


def test_sc_retries_a_503_twice_then_answers_503(small: Builder) -> None:
    actions = [
        {"at_s": 60, "do": "fail_task", "task": f"api-{n}", "status": 503} for n in (1, 2, 3)
    ]

    result = run(small(duration_s=62, actions=actions), pattern=SC)

    failed = [e for e in result["events"] if e["kind"] == "request_end" and e["reason"] is not None]
    assert {e["tries"] for e in failed} == {3}
    assert set(result["summary"]["errors"]) == {"http_503"}


def test_sc_retries_connection_failures_on_another_task(small: Builder) -> None:
    scenario = small(actions=[{"at_s": 60, "do": "refuse_task", "task": "api-2"}])

    result = run(scenario, pattern=SC)

    assert result["summary"]["errors"] == {}
    assert result["summary"]["retries"] > 0


def test_sc_does_not_retry_a_500(small: Builder) -> None:
    scenario = small(actions=[{"at_s": 60, "do": "fail_task", "task": "api-2", "status": 500}])

    result = run(scenario, pattern=SC)

    assert result["summary"]["retries"] == 0
    assert set(result["summary"]["errors"]) == {"http_500"}


def test_sc_sends_to_a_new_task_before_its_app_is_ready(small: Builder, find: Finder) -> None:
    services = [{"name": "client", "tasks": 1}, {"name": "api", "tasks": 3, "app_start_s": 15}]
    scenario = small(
        services=services, actions=[{"at_s": 60, "do": "scale", "service": "api", "count": 4}]
    )

    result = run(scenario, pattern=SC)

    ready = find(result, "app_ready", task="api-4")[0]["t"]
    early = [r for r in result["timeline"] if r["task"] == "api-4" and r["t"] < ready]
    assert find(result, "task_running", task="api-4")[0]["t"] == 70.0
    assert (
        sum(r["errors"].get("connect_refused", 0) for r in early)
        == sum(r["attempts"] for r in early)
        > 0
    )


def test_sc_assumes_envoy_outlier_and_retry_defaults_and_says_so() -> None:
    scenario = load_scenario({"pattern": SC})

    assumed = {a["setting"] for a in scenario.assumptions}

    assert {
        "envoy.outlier_detection",
        "envoy.retry_policy",
        "service_connect.per_request_timeout_s",
    } <= assumed
    assert scenario.settings["envoy"]["outlier_detection"]["consecutive_5xx"] == 5


def test_sc_caps_a_service_at_1000_tasks() -> None:
    with pytest.raises(ScenarioError) as too_many:
        load_scenario({"services": [{"name": "api", "tasks": 1001}]})
    with pytest.raises(ScenarioError) as scale:
        load_scenario({"actions": [{"at_s": 1, "do": "scale", "service": "user", "count": 1001}]})

    assert too_many.value.path == "services[0].tasks"
    assert scale.value.path == "actions[0].count"


def test_sc_stopping_task_drains_20_s_before_sigterm(small: Builder, find: Finder) -> None:
    scenario = small(duration_s=120, actions=[{"at_s": 60, "do": "stop_task", "task": "api-2"}])

    result = run(scenario, pattern=SC)

    assert find(result, "proxy_draining", task="api-2")[0]["t"] == 60.0
    assert find(result, "sigterm_sent", task="api-2")[0]["t"] == 80.0
    assert result["summary"]["errors"] == {}


def test_sc_each_client_proxy_ejects_on_its_own(small: Builder, find: Finder) -> None:
    services = [{"name": "client", "tasks": 2}, {"name": "api", "tasks": 3}]
    scenario = small(
        services=services, actions=[{"at_s": 60, "do": "fail_task", "task": "api-2", "status": 500}]
    )

    result = run(scenario, pattern=SC)

    first = {
        p: find(result, "outlier_ejected", task="api-2", proxy=p)[0]["t"]
        for p in ("client-1", "client-2")
    }
    assert first["client-1"] != first["client-2"]
    for proxy, ejected in first.items():
        window = [e for e in _picks(result, proxy) if 60.0 <= e["t"] <= ejected]
        assert len([e for e in window if e["task"] == "api-2"]) == 5
        assert 13 <= len(window) <= 15  # about 5 x 3 hosts of this proxy's own requests


def test_sc_max_ejection_percent_refuses_a_second_ejection_among_3_hosts(
    small: Builder, find: Finder
) -> None:
    actions = [{"at_s": 60, "do": "fail_task", "task": f"api-{n}", "status": 500} for n in (2, 3)]

    result = run(small(duration_s=90, actions=actions), pattern=SC)

    refused = find(result, "max_ejection_percent_refused", proxy="client-1")
    outlier = result["summary"]["outlier"]
    assert refused
    assert outlier["refused"] == len(refused)
    assert outlier["detected"] == outlier["enforced"] + outlier["refused"]
