"""Blue/green, linear and canary deployments (aws-facts-2026 §2), under ELB and Service Connect.

The system: front (2 tasks) calls api (3 tasks) at 20 requests/s plus 2 requests/s of test traffic,
seed 5, deploy of api at 20 s. Green is RUNNING at 30 s and its first container health check passes
one 30 s interval later: green is healthy at 60 s under Service Connect, and under ELB too (every
ALB node's first check has passed by 56.387899 s, before the container check). ECS then spends 10 s
per traffic stage (STAGE_S); the ALB applies listener weights at once, the Service Connect proxies
5 s later.
"""

from __future__ import annotations

from typing import Any

import pytest

from patterns.sim import Simulation, compare, load_scenario
from patterns.sim.deployments import STAGE_S, steps
from patterns.sim.narrate import narrate
from patterns.sim.report import format_table
from patterns.sim.scenario import ScenarioError
from tests.sim.deploy_helpers import Recorded, scenario

pytestmark = pytest.mark.unit

ELB_GREEN_HEALTHY = 60.0


def deploy(strategy: str, **params: Any) -> dict[str, Any]:
    return {"at_s": 20, "do": "deploy", "service": "api", "strategy": strategy, **params}


def stage_times(run: Recorded) -> list[tuple[float, str, Any]]:
    return [
        (e["t"], e["cause"], e.get("green_percent"))
        for e in run.events
        if e["kind"] == "deployment" and e.get("service") == "api"
    ]


# --------------------------------------------------------------------------- linear


def test_linear_under_elb_moves_the_listener_rule_weights_in_25_percent_steps() -> None:
    run = Recorded(scenario([deploy("linear", step_percent=25, step_bake_time_min=1)]), "elb")

    t0 = ELB_GREEN_HEALTHY
    assert run.weights() == [
        (t0, 0.0, True),
        (t0 + 10, 25.0, True),
        (t0 + 80, 50.0, True),
        (t0 + 150, 75.0, True),
        (t0 + 220, 100.0, True),
    ]
    assert run.times("bake_time_started") == [t0 + 230]
    assert run.times("blue_green_clean_up") == [t0 + 230]
    # Production requests reaching green between weight changes, then after the last one.
    assert run.windows(400) == [(0, 186), (317, 1361), (648, 1302), (1043, 1420), (2421, 2421)]
    assert run.result["summary"]["errors"] == {}


def test_linear_under_service_connect_reaches_the_proxies_endpoint_lag_later() -> None:
    run = Recorded(
        scenario([deploy("linear", step_percent=25, step_bake_time_min=1)]), "service-connect"
    )

    assert stage_times(run) == [
        (20.0, "strategy_deployment_started", None),
        (60.0, "test_traffic_shifted", 0.0),
        (70.0, "production_traffic_shifted", 25.0),
        (140.0, "production_traffic_shifted", 50.0),
        (210.0, "production_traffic_shifted", 75.0),
        (280.0, "production_traffic_shifted", 100.0),
        (290.0, "bake_time_started", None),
        (290.0, "blue_green_clean_up", None),
        (290.0, "deployment_finished", None),
    ]
    assert run.weights() == [
        (65.0, 0.0, True),
        (75.0, 25.0, True),
        (145.0, 50.0, True),
        (215.0, 75.0, True),
        (285.0, 100.0, True),
    ]
    assert run.windows(400) == [(0, 194), (317, 1361), (648, 1303), (1055, 1435), (2310, 2310)]
    assert [e["t"] for e in run.events if e["cause"] == "blue_scaled_in"] == [290.0] * 3


# --------------------------------------------------------------------------- blue/green


def test_blue_green_under_elb_shifts_all_at_once_bakes_and_drains_blue() -> None:
    run = Recorded(scenario([deploy("blue_green", bake_time_min=1)]), "elb")

    t0 = ELB_GREEN_HEALTHY
    assert run.weights() == [(t0, 0.0, True), (t0 + 10, 100.0, True)]
    assert run.times("bake_time_started") == [t0 + 20]
    assert run.times("blue_green_clean_up") == [t0 + 80]
    assert run.windows(400) == [(0, 186), (6504, 6504)]
    draining = [
        (e["t"], e["task"], e["delay_s"]) for e in run.events if e["cause"] == "target_draining"
    ]
    assert draining == [(t0 + 80, f"api-{n}", 30.0) for n in (1, 2, 3)]
    api = run.sim.world.services["api"]
    assert api.version == 1
    assert [t.id for t in api.tasks if t.state == "RUNNING"] == ["api-4", "api-5", "api-6"]
    # The green target group is production now.
    assert run.sim.pattern.groups["api"].index == 3  # type: ignore[attr-defined]


def test_blue_green_under_service_connect_needs_no_client_redeploy() -> None:
    run = Recorded(scenario([deploy("blue_green", bake_time_min=1)]), "service-connect")

    assert run.weights() == [(65.0, 0.0, True), (75.0, 100.0, True)]
    assert run.times("blue_green_clean_up") == [140.0]
    assert run.windows(400) == [(0, 194), (6409, 6409)]
    front = run.sim.world.services["front"]
    assert [t.id for t in front.tasks] == ["front-1", "front-2"]  # the clients never restarted


def test_blue_green_requires_its_bake_time_and_names_the_field() -> None:
    with pytest.raises(ScenarioError) as error:
        load_scenario(scenario([deploy("blue_green")]))

    assert error.value.path == "actions[0].bake_time_min"
    assert "required with strategy blue_green" in error.value.reason


# --------------------------------------------------------------------------- canary


@pytest.mark.parametrize(
    ("pattern", "weights", "windows"),
    [
        (
            "elb",
            [(ELB_GREEN_HEALTHY, 0.0, True), (ELB_GREEN_HEALTHY + 10, 10.0, True)],
            [(0, 186), (126, 1361), (5143, 5143)],
        ),
        (
            "service-connect",
            [(65.0, 0.0, True), (75.0, 10.0, True)],
            [(0, 194), (126, 1361), (5048, 5048)],
        ),
    ],
)
def test_canary_sends_10_percent_then_the_rest_after_the_canary_bake(
    pattern: str, weights: list[tuple[float, float, bool]], windows: list[tuple[int, int]]
) -> None:
    run = Recorded(scenario([deploy("canary", canary_percent=10, canary_bake_time_min=1)]), pattern)

    canary_at = weights[1][0]
    assert run.weights() == [*weights, (canary_at + STAGE_S + 60, 100.0, True)]
    assert run.windows(400) == windows


# --------------------------------------------------------------------------- test traffic


@pytest.mark.parametrize(
    ("pattern", "test_at", "production_at", "test_share", "production_share"),
    [
        ("elb", ELB_GREEN_HEALTHY, ELB_GREEN_HEALTHY + 10, (19, 19), (0, 186)),
        ("service-connect", 65.0, 75.0, (22, 22), (0, 194)),
    ],
)
def test_test_traffic_reaches_green_before_any_production_traffic(
    pattern: str,
    test_at: float,
    production_at: float,
    test_share: tuple[int, int],
    production_share: tuple[int, int],
) -> None:
    run = Recorded(scenario([deploy("blue_green", bake_time_min=1)]), pattern)

    assert run.share(0, test_at, test=True)[0] == 0
    assert run.share(test_at, production_at, test=True) == test_share
    assert run.share(test_at, production_at) == production_share


# --------------------------------------------------------------------------- rollback


FAIL_GREEN = [{"at_s": 21, "do": "fail_task", "task": f"api-{n}", "status": 500} for n in (4, 5, 6)]
ALARMED_CANARY = deploy(
    "canary",
    canary_percent=10,
    canary_bake_time_min=1,
    alarm={"error_rate_percent": 50, "for_s": 3},
)


@pytest.mark.parametrize(
    ("pattern", "alarm_at", "back_at", "users_saw"),
    [("elb", 71.0, 71.0, 2), ("service-connect", 76.0, 81.0, 13)],
)
def test_alarm_rolls_a_failing_canary_back_to_blue(
    pattern: str, alarm_at: float, back_at: float, users_saw: int
) -> None:
    data = scenario([ALARMED_CANARY, *FAIL_GREEN])
    data["traffic"] = data["traffic"][:1]  # production traffic only

    run = Recorded(data, pattern)

    alarm = next(e for e in run.events if e["cause"] == "deployment_alarm")
    assert (alarm["t"], alarm["stage"], alarm["green_percent"]) == (
        alarm_at,
        "PRODUCTION_TRAFFIC_SHIFT",
        10.0,
    )
    rolled = next(e for e in run.events if e["cause"] == "deployment_rolled_back")
    assert (rolled["t"], rolled["by"], rolled["to"]) == (alarm_at, "alarm", 0)
    assert run.weights()[-1] == (back_at, 0.0, False)
    assert run.result["summary"]["errors"] == {"http_500": users_saw}
    assert run.share(back_at, 400) == (0, run.share(back_at, 400)[1])
    api = run.sim.world.services["api"]
    assert api.version == 0
    assert sorted(t.id for t in api.tasks if t.state == "RUNNING") == ["api-1", "api-2", "api-3"]
    assert [e["t"] for e in run.events if e["cause"] == "green_scaled_in"] == [alarm_at] * 3


@pytest.mark.parametrize(
    ("pattern", "alarm_at", "test_errors"), [("elb", 61.0, 3), ("service-connect", 66.0, 11)]
)
def test_alarm_on_test_traffic_rolls_back_before_users_see_green(
    pattern: str, alarm_at: float, test_errors: int
) -> None:
    run = Recorded(scenario([ALARMED_CANARY, *FAIL_GREEN]), pattern)

    rolled = next(e for e in run.events if e["cause"] == "deployment_rolled_back")
    assert (rolled["t"], rolled["stage"], rolled["green_percent"]) == (
        alarm_at,
        "TEST_TRAFFIC_SHIFT",
        0.0,
    )
    production, test = run.result["summary"]["edges"]
    assert production["errors"] == {}
    assert test["errors"] == {"http_500": test_errors}
    assert run.times("production_traffic_shifted") == []


@pytest.mark.parametrize(
    ("pattern", "back_at", "during"),
    [("elb", 150.0, (97, 190)), ("service-connect", 155.0, (97, 189))],
)
def test_rollback_action_sends_traffic_back_to_blue(
    pattern: str, back_at: float, during: tuple[int, int]
) -> None:
    actions = [
        deploy("linear", step_percent=25, step_bake_time_min=1),
        {"at_s": 150, "do": "rollback", "service": "api"},
        {"at_s": 300, "do": "rollback", "service": "api"},
    ]

    run = Recorded(scenario(actions), pattern)

    rolled = next(e for e in run.events if e["cause"] == "deployment_rolled_back")
    assert (rolled["t"], rolled["stage"], rolled["green_percent"], rolled["by"]) == (
        150.0,
        "PRODUCTION_TRAFFIC_SHIFT",
        50.0,
        "action",
    )
    assert run.weights()[-1] == (back_at, 0.0, False)
    assert run.windows(400)[2:] == [during, (0, run.windows(400)[3][1])]
    assert run.times("rollback_ignored") == [300.0]
    assert run.sim.world.services["api"].version == 0
    assert run.result["summary"]["errors"] == {}


def test_a_new_deploy_over_a_blue_green_one_rolls_it_back_first() -> None:
    first = deploy("blue_green", bake_time_min=1)
    second = {**deploy("canary", canary_bake_time_min=0), "at_s": 40}

    run = Recorded(scenario([first, second]), "elb")

    superseded = [
        (e["t"], e.get("task"), e.get("by"))
        for e in run.events
        if e["cause"] == "deployment_superseded"
    ]
    assert superseded == [
        (40.0, None, 2),
        (40.0, "api-4", None),
        (40.0, "api-5", None),
        (40.0, "api-6", None),
    ]
    api = run.sim.world.services["api"]
    assert api.version == 2
    assert [t.id for t in api.tasks if t.state == "RUNNING"] == ["api-7", "api-8", "api-9"]
    assert run.result["summary"]["errors"] == {}


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("service-discovery", "no managed traffic shift"),
        ("app-mesh", "retired since 2026-09-30"),
    ],
)
def test_service_discovery_and_app_mesh_refuse_and_name_the_field(pattern: str, words: str) -> None:
    actions = [{"at_s": 10, "do": "kill_task", "task": "api-1"}, deploy("linear")]

    with pytest.raises(ScenarioError) as error:
        load_scenario({**scenario(actions), "pattern": pattern})

    assert error.value.path == "actions[1].strategy"
    assert words in error.value.reason
    sim = Simulation(scenario([]), pattern=pattern)
    with pytest.raises(ScenarioError) as live:
        sim.apply({"do": "deploy", "service": "api", "strategy": "canary"})
    assert live.value.path == "action.strategy"
    sim.apply({"do": "deploy", "service": "api"})  # rolling stays


def test_compare_shows_not_supported_for_the_refusing_patterns() -> None:
    results = compare(scenario([deploy("canary", canary_bake_time_min=0)]), duration_s=120)

    assert results["app-mesh"]["not_supported"]["field"] == "actions[0].strategy"
    assert results["service-discovery"]["not_supported"]["field"] == "actions[0].strategy"
    assert results["elb"]["summary"]["requests"] == 2615
    table = format_table(results)
    header, requests = table.splitlines()[3:5]
    assert header.split() == ["elb", "app-mesh", "service-discovery", "service-connect"]
    assert requests.split() == [
        "requests",
        "2,615",
        "not",
        "supported",
        "not",
        "supported",
        "2,615",
    ]
    assert "app-mesh: not supported (actions[0].strategy: not supported with App Mesh" in table
    assert "ECS set 5.0 % of production traffic of api to green at 70 s" in table  # SC column
    assert "green promoted, blue of api stopped (CLEAN_UP) at 90 s" in table


# --------------------------------------------------------------------------- the action's schema


@pytest.mark.parametrize(
    ("params", "path", "reason"),
    [
        ({"strategy": "linear", "step_percent": 3.05}, "step_percent", "multiple of 0.1"),
        ({"strategy": "linear", "step_percent": 2.9}, "step_percent", "between 3 and 100"),
        ({"strategy": "linear", "step_bake_time_min": 1441}, "step_bake_time_min", "between 0"),
        ({"strategy": "canary", "canary_percent": 0.05}, "canary_percent", "between 0.1 and 100"),
        ({"strategy": "canary", "canary_bake_time_min": 1.5}, "canary_bake_time_min", "whole"),
        ({"strategy": "canary", "step_percent": 10}, "step_percent", "only with strategy linear"),
        ({"bake_time_min": 1}, "bake_time_min", "not rolling"),
        ({"strategy": "linear", "alarm": {"error_rate_percent": 5}}, "alarm.for_s", "required"),
        ({"strategy": "blue-green"}, "strategy", "must be one of"),
    ],
)
def test_invalid_deploy_parameters_name_the_field(
    params: dict[str, Any], path: str, reason: str
) -> None:
    action = {"at_s": 20, "do": "deploy", "service": "api", **params}

    with pytest.raises(ScenarioError) as error:
        load_scenario(scenario([action]))

    assert error.value.path == f"actions[0].{path}"
    assert reason in error.value.reason


def test_defaults_are_filled_and_a_rolling_deploy_keeps_its_old_form() -> None:
    actions = [
        {"at_s": 1, "do": "deploy", "service": "api"},
        {"at_s": 2, "do": "deploy", "service": "api", "strategy": "linear"},
        {"at_s": 3, "do": "deploy", "service": "api", "strategy": "canary"},
    ]

    loaded = load_scenario(scenario(actions))

    assert loaded.actions[0] == {"at_s": 1.0, "do": "deploy", "service": "api"}
    assert loaded.actions[1] == {
        "at_s": 2.0,
        "do": "deploy",
        "service": "api",
        "strategy": "linear",
        "bake_time_min": 0,
        "step_percent": 10.0,
        "step_bake_time_min": 6,
        "alarm": None,
    }
    assert (loaded.actions[2]["canary_percent"], loaded.actions[2]["canary_bake_time_min"]) == (
        5.0,
        10,
    )
    assert "actions.deploy.strategy" in [a["setting"] for a in loaded.assumptions]
    assert "actions.deploy.strategy" not in [
        a["setting"] for a in load_scenario(scenario(actions[:1])).assumptions
    ]


def test_steps_follow_the_documented_percentages() -> None:
    assert steps({"strategy": "linear", "step_percent": 30.0}) == [30.0, 60.0, 90.0, 100.0]
    assert len(steps({"strategy": "linear", "step_percent": 3.0})) == 34
    assert steps({"strategy": "canary", "canary_percent": 5.0}) == [5.0, 100.0]
    assert steps({"strategy": "canary", "canary_percent": 100.0}) == [100.0]
    assert steps({"strategy": "blue_green"}) == [100.0]


def test_rollback_is_narrated_with_its_stage_weight_and_alarm() -> None:
    event = {
        "t": 73.0,
        "kind": "deployment",
        "cause": "deployment_rolled_back",
        "service": "api",
        "stage": "PRODUCTION_TRAFFIC_SHIFT",
        "green_percent": 10.0,
        "by": "alarm",
    }

    assert narrate(event, "en") == (
        "73 s: The deployment of service api was rolled back during PRODUCTION_TRAFFIC_SHIFT"
        " (green 10 %) by alarm: traffic goes back to blue and green's tasks stop."
    )
    assert "PRODUCTION_TRAFFIC_SHIFT" in narrate(event, "ja")


def test_blue_green_over_an_unfinished_rolling_deploy_keeps_the_last_finished_revision_as_blue() -> (
    None
):
    actions = [
        {"at_s": 20, "do": "deploy", "service": "api"},
        {**deploy("blue_green", bake_time_min=1), "at_s": 25},
        {"at_s": 120, "do": "rollback", "service": "api"},
    ]

    run = Recorded(scenario(actions), "elb")

    started = next(e for e in run.events if e["cause"] == "strategy_deployment_started")
    assert (started["t"], started["blue"], started["version"]) == (25.0, 0, 2)
    superseded = [e.get("task") for e in run.events if e["cause"] == "deployment_superseded"]
    assert superseded == [None, "api-6", "api-5", "api-4"]  # the rolling revision's new tasks
    rolled = next(e for e in run.events if e["cause"] == "deployment_rolled_back")
    assert (rolled["t"], rolled["stage"], rolled["to"]) == (120.0, "BAKE_TIME", 0)
    api = run.sim.world.services["api"]
    assert api.version == 0
    assert [t.id for t in api.tasks if t.state == "RUNNING"] == ["api-1", "api-2", "api-3"]


@pytest.mark.parametrize("pattern", ["elb", "service-connect"])
def test_strategy_rolling_is_todays_rolling_deployment(pattern: str) -> None:
    plain = {"at_s": 20, "do": "deploy", "service": "api"}

    before = Recorded(scenario([plain]), pattern).result
    after = Recorded(scenario([{**plain, "strategy": "rolling"}]), pattern).result

    assert after["summary"] == before["summary"]
    assert after["events"] == before["events"]


@pytest.mark.parametrize(
    ("delay_s", "ends", "errors"),
    [
        (
            30,
            [
                (94.875393, "drain_finished_idle", "api-1"),
                (94.920579, "drain_finished_idle", "api-2"),
                (94.943747, "drain_finished_idle", "api-3"),
            ],
            {},
        ),
        (
            5,
            [(85.0, "deregistration_delay_elapsed", f"api-{n}") for n in (1, 2, 3)],
            {"http_502": 186},
        ),
    ],
)
def test_clean_up_drains_blue_targets_for_the_deregistration_delay(
    delay_s: int, ends: list[tuple[float, str, str]], errors: dict[str, int]
) -> None:
    # Blue answers 25 s late, so requests sent before the shift are still in flight at CLEAN_UP.
    slow = [
        {"at_s": 1, "do": "slow_task", "task": f"api-{n}", "delay_ms": 25000} for n in (1, 2, 3)
    ]
    data = scenario([deploy("blue_green", bake_time_min=0), *slow], duration_s=150)
    data["settings"] = {"alb": {"deregistration_delay_s": delay_s}}

    run = Recorded(data, "elb")

    clean_up = ELB_GREEN_HEALTHY + 2 * STAGE_S
    assert run.times("blue_green_clean_up") == [clean_up]
    draining = [
        (e["t"], e["task"], e["in_flight"]) for e in run.events if e["cause"] == "target_draining"
    ]
    assert draining == [(clean_up, "api-1", 96), (clean_up, "api-2", 98), (clean_up, "api-3", 97)]
    assert [
        (e["t"], e["cause"], e["task"])
        for e in run.events
        if e["cause"] in ("drain_finished_idle", "deregistration_delay_elapsed")
    ] == ends
    assert run.result["summary"]["errors"] == errors


@pytest.mark.parametrize("pattern", ["elb", "service-connect"])
def test_rollback_during_scale_up_only_stops_green(pattern: str) -> None:
    actions = [deploy("linear"), {"at_s": 25, "do": "rollback", "service": "api"}]

    run = Recorded(scenario(actions, duration_s=120), pattern)

    rolled = next(e for e in run.events if e["cause"] == "deployment_rolled_back")
    assert (rolled["t"], rolled["stage"], rolled["green_percent"]) == (25.0, "SCALE_UP", 0.0)
    assert run.weights() == []
    assert [e["task"] for e in run.events if e["cause"] == "green_scaled_in"] == [
        "api-4",
        "api-5",
        "api-6",
    ]
    assert run.share(0, 120)[0] == 0
    assert run.share(0, 120, test=True)[0] == 0


@pytest.mark.parametrize("pattern", ["elb", "service-connect"])
def test_a_service_added_mid_run_deploys_blue_green_with_its_own_test_traffic(pattern: str) -> None:
    add = {
        "at_s": 5,
        "do": "add_service",
        "service": {"name": "late", "tasks": 2},
        "traffic": [
            {"from": "front", "to": "late", "rps": 10},
            {"from": "front", "to": "late", "rps": 2, "test": True},
        ],
    }
    bg = {"at_s": 60, "do": "deploy", "service": "late", "strategy": "blue_green"}
    data = scenario([add, {**bg, "bake_time_min": 0}], duration_s=200)

    run = Recorded(data, pattern)

    assert run.times("deployment_finished")
    late = run.sim.world.services["late"]
    assert late.version == 1
    assert [t.version for t in late.tasks if t.state == "RUNNING"] == [1, 1]
    test_at, production_at = (w[0] for w in run.weights()[:2])
    # Under Service Connect front's tasks predate late, so they cannot reach it at all (fact 36).
    reached = run.share(test_at, production_at, test=True)
    assert (reached[0] > 0) is (pattern == "elb")
    # api keeps its own target group: nothing of late's deployment reaches it.
    api = [e for e in run.result["summary"]["edges"] if e["to"] == "api"]
    assert all(e["errors"] == {} for e in api)


@pytest.mark.parametrize(("pattern", "alarm_at"), [("elb", 71.0), ("service-connect", 76.0)])
def test_the_alarm_catches_a_sparse_canary_with_one_bad_task_of_three(
    pattern: str, alarm_at: float
) -> None:
    # 10 % of 20 requests/s is about two a second to green, and one green task of three fails:
    # most single seconds look clean, but the error rate over the alarm's 10 s window is about a
    # third, far above 5 %, so the canary is rolled back before any further shift.
    actions = [
        deploy(
            "canary",
            canary_percent=10,
            canary_bake_time_min=1,
            alarm={"error_rate_percent": 5, "for_s": 10},
        ),
        {"at_s": 21, "do": "fail_task", "task": "api-4", "status": 500},
    ]
    data = scenario(actions)
    data["traffic"] = data["traffic"][:1]

    run = Recorded(data, pattern)

    rolled = next(e for e in run.events if e["cause"] == "deployment_rolled_back")
    assert (rolled["t"], rolled["by"], rolled["stage"], rolled["green_percent"]) == (
        alarm_at,
        "alarm",
        "PRODUCTION_TRAFFIC_SHIFT",
        10.0,
    )
