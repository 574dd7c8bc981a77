"""Determinism, conservation, slicing and replay: the properties the rest of Kumoben relies on."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from patterns.sim import PATTERNS, ScenarioError, Simulation, compare, run

pytestmark = pytest.mark.unit

SHORT = 90.0


def _dump(result: dict[str, Any]) -> str:
    return json.dumps(result, sort_keys=True)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_determinism_same_seed_gives_identical_json(pattern: str) -> None:
    first = run("kill-task", pattern=pattern, seed=11, duration_s=SHORT)

    second = run("kill-task", pattern=pattern, seed=11, duration_s=SHORT)

    assert _dump(first) == _dump(second)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_determinism_other_seed_gives_different_json(pattern: str) -> None:
    first = run("kill-task", pattern=pattern, seed=11, duration_s=SHORT)

    other = run("kill-task", pattern=pattern, seed=12, duration_s=SHORT)

    assert _dump(first) != _dump(other)


def test_determinism_holds_across_processes() -> None:
    code = (
        "import json; from patterns.sim import run; "
        "print(json.dumps(run('az-outage', pattern='service-connect', seed=4, duration_s=90), sort_keys=True))"
    )

    outputs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        for _ in (1, 2)
    ]

    assert outputs[0] == outputs[1]
    assert outputs[0].strip() == _dump(
        run("az-outage", pattern="service-connect", seed=4, duration_s=90)
    )


@pytest.mark.parametrize("pattern", PATTERNS)
def test_determinism_one_second_slices_equal_one_whole_run(pattern: str) -> None:
    whole = Simulation("rolling-deploy", pattern=pattern, duration_s=SHORT)
    sliced = Simulation("rolling-deploy", pattern=pattern, duration_s=SHORT)

    whole_events = whole.advance(SHORT)
    sliced_events = [e for t in range(1, int(SHORT) + 1) for e in sliced.advance(float(t))]

    assert sliced_events == whole_events
    assert _dump(sliced.result()) == _dump(whole.result())


@pytest.mark.parametrize("pattern", PATTERNS)
def test_determinism_replaying_the_action_log_rebuilds_the_trace(pattern: str) -> None:
    live = Simulation("steady", pattern=pattern, seed=3, duration_s=SHORT)
    live.advance(20.0)
    live.apply({"do": "kill_task", "task": "inventory-1"})
    live.apply({"do": "fail_task", "task": "billing-2", "status": 503, "probability": 0.5})
    live.advance(40.0)
    live.apply({"do": "set", "setting": "alb.deregistration_delay_s", "value": 10})
    live.apply({"do": "scale", "service": "contract", "count": 4})
    live.advance(SHORT)

    replay_scenario = live.scenario.with_overrides(actions=live.replay_actions())
    replay = Simulation(replay_scenario)
    replay.advance(SHORT)

    assert _dump(replay.result()["events"]) == _dump(live.result()["events"])
    assert replay.result()["summary"] == live.result()["summary"]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_conservation_every_request_ends_exactly_once(pattern: str) -> None:
    sim = Simulation("az-outage", pattern=pattern, duration_s=150, seed=2)
    sim.advance(150)

    result = sim.result()
    summary = result["summary"]

    ended = summary["ok"] + sum(summary["errors"].values())
    assert summary["requests"] == ended + summary["in_flight"]
    assert sum(e["requests"] for e in summary["edges"]) == summary["requests"]
    assert sum(r["ok"] + sum(r["errors"].values()) for r in result["client_timeline"]) == ended
    starts = [e["request"] for e in result["events"] if e["kind"] == "request"]
    ends = [e["request"] for e in result["events"] if e["kind"] == "request_end"]
    assert len(ends) == len(set(ends))
    assert set(ends) <= set(starts)


def test_compare_runs_every_pattern_on_the_same_scenario_and_seed() -> None:
    results = compare("kill-task", seed=5, duration_s=SHORT)

    assert list(results) == list(PATTERNS)
    assert {r["seed"] for r in results.values()} == {5}
    assert [r["pattern"] for r in results.values()] == list(PATTERNS)


def test_result_is_json_ready_and_has_the_contract_keys() -> None:
    result = run("kill-task", pattern="elb", duration_s=SHORT)

    text = json.dumps(result)

    assert set(json.loads(text)) == {
        "pattern",
        "seed",
        "t",
        "scenario",
        "action_log",
        "summary",
        "timeline",
        "client_timeline",
        "events",
    }
    assert set(result["timeline"][0]) == {"t", "task", "service", "az", "attempts", "ok", "errors"}
    assert set(result["client_timeline"][0]) == {
        "t",
        "service",
        "to",
        "requests",
        "ok",
        "errors",
        "p50_ms",
        "p99_ms",
    }
    assert all({"t", "kind", "cause"} <= set(e) for e in result["events"])


def test_apply_rejects_a_setting_combination_without_recording_anything() -> None:
    sim = Simulation("steady", pattern="elb", duration_s=SHORT)
    sim.advance(10.0)
    sim.apply({"do": "set", "setting": "alb.algorithm", "value": "least_outstanding_requests"})
    before = len(sim.result()["events"])

    with pytest.raises(ScenarioError) as error:
        sim.apply({"do": "set", "setting": "alb.slow_start_s", "value": 60})

    assert error.value.path == "action.value"
    assert len(sim.result()["events"]) == before
    assert [a["setting"] for a in sim.action_log] == ["alb.algorithm"]


def test_compare_offers_every_pattern_the_same_requests() -> None:
    results = compare("steady", duration_s=60)

    offered = {pattern: result["summary"]["requests"] for pattern, result in results.items()}

    assert len(set(offered.values())) == 1, offered
