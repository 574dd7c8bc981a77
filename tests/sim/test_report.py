"""The simulate command's reports, from hand-made results (no engine run, no Django)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from patterns.sim.report import format_json, format_table, key_moment_lines, seconds

pytestmark = pytest.mark.unit


def _result(pattern: str, errors: dict[str, int], moments: list[dict[str, Any]]) -> dict[str, Any]:
    failed = sum(errors.values())
    return {
        "pattern": pattern,
        "seed": 7,
        "t": 120.0,
        "scenario": {
            "name": "kill-task",
            "description": "inventory-2 is killed at 60 s.",
            "arrivals": "poisson",
            "assumptions": [{"setting": "x", "assumption": "y", "source": "z"}],
        },
        "summary": {
            "requests": 3000,
            "ok": 3000 - failed,
            "errors": errors,
            "in_flight": 0,
            "retries": 12,
            "p50_ms": 20.04,
            "p99_ms": 31.96,
            "per_service": {
                "inventory": {"requests": 1000, "ok": 1000 - failed, "errors": errors},
                "billing": {"requests": 1000, "ok": 1000, "errors": {}},
            },
            "key_moments": moments,
        },
    }


KILL_MOMENTS = [
    {"kind": "client_error_window", "from_t": 60, "to_t": 92, "count": 31},
    {"kind": "action", "t": 60.0, "do": "kill_task", "task": "inventory-2"},
    {"kind": "task_stopped", "task": "inventory-2", "t": 60.0},
    {"kind": "last_request_to_task", "task": "inventory-2", "t": 92.44},
]


def test_seconds_drops_a_zero_decimal_and_rounds_to_one() -> None:
    assert [seconds(60.0), seconds(92.44), seconds(0.05), seconds(64.557)] == [
        "60 s",
        "92.4 s",
        "0.1 s",
        "64.6 s",
    ]


def test_stopped_task_is_told_with_its_last_request_and_error_window() -> None:
    lines = key_moment_lines(KILL_MOMENTS)

    assert lines == [
        "action kill_task on inventory-2 at 60 s",
        "task inventory-2 stopped at 60 s; last request sent to it at 92.4 s; "
        "client errors 60–92 s: 31",
    ]


def test_error_window_that_opened_long_before_a_stop_gets_its_own_line() -> None:
    moments = [
        {"kind": "action", "t": 60.0, "do": "az_outage", "az": "ap-northeast-1c"},
        {"kind": "client_error_window", "from_t": 60, "to_t": 124, "count": 491},
        {"kind": "unhealthy_threshold_reached", "task": "billing-2", "t": 98.63},
        {"kind": "task_stopped", "task": "billing-2", "t": 120.0},
    ]

    lines = key_moment_lines(moments)

    assert lines == [
        "action az_outage on ap-northeast-1c at 60 s",
        "client errors 60–124 s: 491",
        "task billing-2 marked unhealthy by the health checks at 98.6 s",
        "task billing-2 stopped at 120 s",
    ]


def test_unknown_moment_kind_is_still_readable() -> None:
    lines = key_moment_lines([{"kind": "dns_answer_changed", "t": 3.0, "record": "a.local"}])

    assert lines == ["dns answer changed at 3 s (record a.local)"]


def test_outlier_ejection_moment_names_the_proxy() -> None:
    moments = [{"kind": "outlier_ejected", "t": 61.2, "task": "inventory-2", "proxy": "contract-1"}]

    assert key_moment_lines(moments) == [
        "task inventory-2 ejected by the Envoy in contract-1 at 61.2 s"
    ]


def test_format_table_single_pattern_exact() -> None:
    result = _result("elb", {"http_502": 1, "http_504": 30}, KILL_MOMENTS)

    text = format_table({"elb": result})

    assert text.splitlines() == [
        "Scenario kill-task: inventory-2 is killed at 60 s.",
        "seed 7, 120 s simulated, arrivals poisson",
        "",
        "                                     elb",
        "requests                           3,000",
        "ok                                 2,969",
        "errors                                31",
        "error rate                        1.03 %",
        "  http_502                             1",
        "  http_504                            30",
        "retries                               12",
        "in flight at end                       0",
        "latency p50 ms                      20.0",
        "latency p99 ms                      32.0",
        "errors by callee",
        "  billing                              0",
        "  inventory                           31",
        "",
        "Key moments",
        "  elb:",
        "    action kill_task on inventory-2 at 60 s",
        "    task inventory-2 stopped at 60 s; last request sent to it at 92.4 s; "
        "client errors 60–92 s: 31",
        "",
        "Assumptions: 1 (see --format json, scenario.assumptions)",
    ]


def test_format_table_compare_puts_patterns_side_by_side() -> None:
    results = {
        "elb": _result("elb", {"http_504": 30}, KILL_MOMENTS),
        "service-connect": _result("service-connect", {}, []),
    }

    lines = format_table(results).splitlines()

    assert lines[3] == "                                     elb   service-connect"
    assert lines[6] == "errors                                30                 0"
    assert lines[8] == "  http_504                            30                 0"
    assert lines[-6:] == [
        "  elb:",
        "    action kill_task on inventory-2 at 60 s",
        "    task inventory-2 stopped at 60 s; last request sent to it at 92.4 s; "
        "client errors 60–92 s: 31",
        "  service-connect: none",
        "",
        "Assumptions: 1 (see --format json, scenario.assumptions)",
    ]


def test_format_table_without_results_names_the_field() -> None:
    with pytest.raises(ValueError) as excinfo:
        format_table({})

    assert str(excinfo.value) == "results: at least one pattern's result is needed"


def test_format_json_round_trips_and_keeps_japanese_readable() -> None:
    data = {"elb": {"summary": {"requests": 1}, "note": "タスク"}}

    text = format_json(data)

    assert json.loads(text) == data
    assert "タスク" in text
    assert text.endswith("}\n")
