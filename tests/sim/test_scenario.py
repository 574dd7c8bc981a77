"""Scenario validation: JSON paths and reasons, defaults, limits, built-ins, assumptions."""

from __future__ import annotations

from typing import Any

import pytest

from patterns.sim import BUILTIN_SCENARIOS, PATTERNS, ScenarioError, load_scenario
from patterns.sim.scenario import SETTINGS, load_scenario_json

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("data", "path", "reason"),
    [
        ({"bogus": 1}, "bogus", "unknown key; allowed: "),
        ({"duration_s": -1}, "duration_s", "must be between 0 and 86400, got -1"),
        ({"duration_s": 86_401}, "duration_s", "must be between 0 and 86400, got 86401"),
        ({"duration_s": "10"}, "duration_s", "must be a number, got str"),
        (
            {"pattern": "mesh"},
            "pattern",
            "must be one of elb, app-mesh, service-discovery, service-connect; got 'mesh'",
        ),
        (
            {"settings": {"alb": {"unhealthy_threshold": 1}}},
            "settings.alb.unhealthy_threshold",
            "must be between 2 and 10, got 1",
        ),
        (
            {"settings": {"alb": {"healthy_threshold": 2.5}}},
            "settings.alb.healthy_threshold",
            "must be a whole number, got 2.5",
        ),
        ({"settings": {"alb": {"colour": 1}}}, "settings.alb.colour", "unknown setting; allowed: "),
        ({"settings": {"nope": {}}}, "settings.nope", "unknown component; allowed: "),
        (
            {"services": [{"name": "a", "tasks": 1001}]},
            "services[0].tasks",
            "must be between 0 and 1000, got 1001",
        ),
        (
            {"services": [{"name": "a", "tasks": 600}, {"name": "b", "tasks": 401}]},
            "services[1].tasks",
            "more than 1000 tasks in total",
        ),
        (
            {"traffic": [{"from": "user", "to": "contract", "rps": 10_001}]},
            "traffic[0].rps",
            "must be between 0 and 10000, got 10001",
        ),
        (
            {"traffic": [{"from": "user", "to": "nobody", "rps": 1}]},
            "traffic[0].to",
            "unknown service 'nobody'",
        ),
        (
            {"actions": [{"at_s": -5, "do": "kill_task", "task": "user-1"}]},
            "actions[0].at_s",
            "must be between 0 and 86400, got -5",
        ),
        ({"actions": [{"at_s": 5, "do": "explode"}]}, "actions[0].do", "must be one of "),
        (
            {"actions": [{"at_s": 5, "do": "kill_task", "task": "ghost-1"}]},
            "actions[0].task",
            "must be '<service>-<n>' of a known service, got 'ghost-1'",
        ),
        ({"actions": [{"at_s": 5, "do": "kill_task"}]}, "actions[0].task", "is required"),
        (
            {"actions": [{"at_s": 5, "do": "fail_task", "task": "user-1", "probability": 2}]},
            "actions[0].probability",
            "must be between 0 and 1, got 2",
        ),
        (
            {"actions": [{"at_s": 5, "do": "set", "setting": "alb.nope", "value": 1}]},
            "actions[0].setting",
            "unknown setting 'alb.nope'",
        ),
        (
            {
                "actions": [
                    {"at_s": 5, "do": "set", "setting": "alb.health_check_interval_s", "value": 4}
                ]
            },
            "actions[0].value",
            "must be between 5 and 300, got 4",
        ),
    ],
)
def test_scenario_invalid_input_names_the_path_and_reason(
    data: dict[str, Any], path: str, reason: str
) -> None:
    with pytest.raises(ScenarioError) as error:
        load_scenario(data)

    assert error.value.path == path
    assert error.value.reason.startswith(reason)
    assert str(error.value) == f"{path}: {error.value.reason}"


def test_scenario_set_sequence_that_breaks_a_combination_is_rejected_at_load() -> None:
    actions = [
        {"at_s": 20, "do": "set", "setting": "alb.slow_start_s", "value": 60},
        {
            "at_s": 10,
            "do": "set",
            "setting": "alb.algorithm",
            "value": "least_outstanding_requests",
        },
    ]

    with pytest.raises(ScenarioError) as error:
        load_scenario({"actions": actions})

    assert error.value.path == "actions[0].value"


def test_scenario_invalid_json_text_is_a_scenario_error() -> None:
    with pytest.raises(ScenarioError) as error:
        load_scenario_json("{not json")

    assert error.value.path == "scenario"


def test_scenario_unknown_builtin_lists_the_choices() -> None:
    with pytest.raises(ScenarioError) as error:
        load_scenario("kill-everything")

    assert error.value.path == "scenario"
    assert "kill-task" in error.value.reason


def test_scenario_empty_input_is_the_sample_system_with_every_default() -> None:
    scenario = load_scenario({})

    data = scenario.to_dict()

    assert [s["name"] for s in data["services"]] == ["user", "contract", "inventory", "billing"]
    assert [(t["from"], t["to"]) for t in data["traffic"]] == [
        ("user", "contract"),
        ("contract", "inventory"),
        ("contract", "billing"),
    ]
    assert data["services"][0]["azs"] == ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]
    assert {c: set(v) for c, v in data["settings"].items()} == {
        c: set(v) for c, v in SETTINGS.items()
    }
    assert (data["pattern"], data["seed"], data["duration_s"], data["arrivals"]) == (
        "elb",
        1,
        300.0,
        "poisson",
    )


def test_scenario_assumptions_name_settings_and_sources() -> None:
    scenario = load_scenario({"pattern": "service-discovery"})

    assumptions = scenario.to_dict()["assumptions"]

    assert all(set(a) == {"setting", "assumption", "source"} for a in assumptions)
    assert "cloud_map.dns_ttl_s" in {a["setting"] for a in assumptions}
    assert "envoy.outlier_detection" not in {a["setting"] for a in assumptions}


def test_scenario_builtins_cover_the_issue_list_and_all_load() -> None:
    names = set(BUILTIN_SCENARIOS)

    loaded = {name: load_scenario(name) for name in names}

    assert {
        "steady",
        "kill-task",
        "slow-task",
        "errors-5xx",
        "scale-out",
        "rolling-deploy",
        "az-outage",
        "canary-90-10",
        "stale-dns",
    } <= names
    assert loaded["canary-90-10"].pattern == "app-mesh"
    assert loaded["stale-dns"].pattern == "service-discovery"
    assert PATTERNS == ("elb", "app-mesh", "service-discovery", "service-connect")


def test_scenario_actions_sort_by_time_keeping_written_order_for_ties() -> None:
    actions = [
        {"at_s": 30, "do": "kill_task", "task": "user-1"},
        {"at_s": 10, "do": "kill_task", "task": "user-2"},
        {"at_s": 30, "do": "kill_task", "task": "user-3"},
    ]

    scenario = load_scenario({"actions": actions})

    assert [a["task"] for a in scenario.actions] == ["user-2", "user-1", "user-3"]


def test_scenario_normalized_form_loads_back_to_itself() -> None:
    first = load_scenario("canary-90-10").to_dict()

    again = dict(first)
    again.pop("assumptions")
    again.pop("what_if")

    assert load_scenario(again).to_dict() == first
