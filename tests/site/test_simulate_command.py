"""``manage.py simulate``: tables, JSON and clear errors, through call_command."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from patterns.sim import PATTERNS, compare, run
from patterns.sim.report import format_table

pytestmark = pytest.mark.unit

RESULT_KEYS = {"scenario", "summary", "timeline", "client_timeline", "events"}


def _simulate(*args: str) -> str:
    out = StringIO()
    call_command("simulate", *args, stdout=out)
    return out.getvalue()


def _error(*args: str) -> str:
    with pytest.raises(CommandError) as excinfo:
        _simulate(*args)
    return str(excinfo.value)


def _write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "scenario.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_simulate_table_is_the_report_of_the_same_run() -> None:
    expected = format_table({"elb": run("kill-task", pattern="elb", seed=3, duration_s=70.0)})

    text = _simulate("kill-task", "--pattern", "elb", "--seed", "3", "--duration", "70")

    assert text == expected
    assert text.splitlines()[1] == "seed 3, 70 s simulated, arrivals poisson"
    assert text.splitlines()[3] == "                                     elb"
    assert "    task inventory-2 stopped at 60 s; last request sent to it at " in text


def test_simulate_json_parses_with_the_required_keys() -> None:
    text = _simulate(
        "steady", "--pattern", "elb", "--seed", "1", "--duration", "5", "--format", "json"
    )

    data: dict[str, Any] = json.loads(text)

    assert set(data) >= RESULT_KEYS
    assert (data["pattern"], data["seed"], data["scenario"]["duration_s"]) == ("elb", 1, 5.0)
    assert set(data["timeline"][0]) >= {"t", "task", "service", "az", "attempts", "ok", "errors"}
    assert set(data["client_timeline"][0]) >= {
        "t",
        "service",
        "to",
        "requests",
        "ok",
        "errors",
        "p50_ms",
        "p99_ms",
    }
    assert all({"t", "kind", "cause"} <= set(event) for event in data["events"])


def test_simulate_json_is_deterministic_for_a_seed() -> None:
    args = ("steady", "--pattern", "elb", "--seed", "4", "--duration", "5", "--format", "json")

    assert _simulate(*args) == _simulate(*args)


def test_simulate_compare_json_has_one_result_per_pattern() -> None:
    text = _simulate("steady", "--compare", "--seed", "2", "--duration", "5", "--format", "json")

    data: dict[str, Any] = json.loads(text)

    assert list(data) == list(PATTERNS)
    assert all(set(result) >= RESULT_KEYS for result in data.values())


def test_simulate_compare_table_is_the_report_of_the_same_runs() -> None:
    expected = format_table(compare("kill-task", seed=1, duration_s=70.0))

    text = _simulate("kill-task", "--compare", "--seed", "1", "--duration", "70")

    assert text == expected
    assert text.splitlines()[3].split() == list(PATTERNS)


def test_simulate_scenario_file(tmp_path: Path) -> None:
    scenario = {
        "pattern": "elb",
        "duration_s": 5,
        "services": [{"name": "web", "tasks": 2}, {"name": "api", "tasks": 2}],
        "traffic": [{"from": "web", "to": "api", "rps": 20}],
    }
    path = _write(tmp_path, json.dumps(scenario))

    data = json.loads(_simulate(path, "--seed", "1", "--format", "json"))

    assert data["summary"]["requests"] > 0
    assert list(data["summary"]["per_service"]) == ["api"]


def test_simulate_unknown_scenario_names_the_field() -> None:
    message = _error("no-such-scenario")

    assert message.startswith("scenario: 'no-such-scenario' is neither a built-in scenario (")
    assert message.endswith(") nor a file")


def test_simulate_invalid_json_says_where(tmp_path: Path) -> None:
    path = _write(tmp_path, '{"services": [\n')

    message = _error(path)

    assert message == f"scenario: {path} is not valid JSON (line 2, column 1: Expecting value)"


def test_simulate_json_that_is_not_an_object(tmp_path: Path) -> None:
    path = _write(tmp_path, "[1, 2]")

    assert _error(path) == f"scenario: {path} must hold a JSON object, not list"


def test_simulate_scenario_error_names_the_json_path(tmp_path: Path) -> None:
    path = _write(tmp_path, json.dumps({"services": 3}))

    message = _error(path)

    assert message.startswith("services: ")


def test_simulate_negative_duration_is_rejected() -> None:
    message = _error("steady", "--pattern", "elb", "--duration", "-5")

    assert message.startswith("duration_s: ")


def test_simulate_pattern_with_compare_is_rejected() -> None:
    assert _error("steady", "--compare", "--pattern", "elb") == (
        "--pattern: cannot be combined with --compare"
    )


def test_simulate_unknown_pattern_is_rejected_by_the_parser() -> None:
    message = _error("steady", "--pattern", "consul")

    assert "argument --pattern: invalid choice: 'consul'" in message


WHAT_IF = {
    "name": "what-if",
    "pattern": "service-connect",
    "duration_s": 5,
    "settings": {"envoy": {"retry_policy": {"num_retries": 5}}},
    "actions": [{"at_s": 2, "do": "set", "setting": "envoy.lb_policy", "value": "random"}],
}


def test_simulate_table_marks_a_changed_fixed_value_as_not_possible_in_real_ecs(
    tmp_path: Path,
) -> None:
    text = _simulate(_write(tmp_path, json.dumps(WHAT_IF)))

    lines = text.splitlines()
    assert lines[3] == "What-if (not possible in real ECS): values AWS fixes were changed"
    assert lines[4].startswith("  envoy.retry_policy num_retries 5 (AWS: 2); fixed by AWS: ")
    assert lines[5].startswith(
        "  envoy.lb_policy random (AWS: round_robin) from 2 s; fixed by AWS: the proxy balances"
    )


def test_simulate_compare_marks_the_columns_with_a_what_if(tmp_path: Path) -> None:
    text = _simulate(_write(tmp_path, json.dumps(WHAT_IF)), "--compare")

    lines = text.splitlines()
    assert lines[3] == "* What-if (not possible in real ECS): values AWS fixes were changed"
    assert lines[4].startswith("  app-mesh: envoy.lb_policy random (AWS: round_robin) from 2 s;")
    header = next(line for line in lines if line.strip().startswith("elb"))
    assert header.split() == ["elb", "app-mesh", "*", "service-discovery", "service-connect", "*"]


def test_simulate_json_carries_what_if(tmp_path: Path) -> None:
    data = json.loads(_simulate(_write(tmp_path, json.dumps(WHAT_IF)), "--format", "json"))

    assert [(w["setting"], w.get("at_s")) for w in data["scenario"]["what_if"]] == [
        ("envoy.retry_policy", None),
        ("envoy.lb_policy", 2.0),
    ]


def test_simulate_table_without_what_if_has_no_marker() -> None:
    assert "not possible in real ECS" not in _simulate("steady", "--duration", "5", "--compare")


def test_compare_marks_patterns_that_refuse_a_deployment_strategy(tmp_path: Path) -> None:
    scenario = {
        "duration_s": 60,
        "actions": [
            {"at_s": 10, "do": "deploy", "service": "inventory", "strategy": "canary"},
        ],
    }
    path = _write(tmp_path, json.dumps(scenario))

    text = _simulate(path, "--compare")
    data = json.loads(_simulate(path, "--compare", "--format", "json"))

    assert text.splitlines()[4].split()[2:6] == ["not", "supported", "not", "supported"]
    assert data["service-discovery"] == {
        "pattern": "service-discovery",
        "not_supported": {
            "field": "actions[0].strategy",
            "reason": data["service-discovery"]["not_supported"]["reason"],
        },
    }
    assert (
        "Cloud Map DNS records get no managed traffic shift"
        in (data["service-discovery"]["not_supported"]["reason"])
    )
    assert _error(path, "--pattern", "app-mesh").startswith("actions[0].strategy: not supported")
