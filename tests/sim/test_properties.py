"""Property tests: random valid scenarios run cleanly; random invalid ones fail with ScenarioError."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patterns.sim import PATTERNS, ScenarioError, Simulation, load_scenario
from patterns.sim.scenario import AZS
from tests.sim.invariants import assert_run_invariants

pytestmark = pytest.mark.unit

NAMES = ("user", "contract", "inventory", "billing")


@st.composite
def valid_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    count = draw(st.integers(2, 4))
    names = NAMES[:count]
    services = [
        {
            "name": name,
            "tasks": draw(st.integers(0, 5)),
            "azs": draw(st.lists(st.sampled_from(AZS), min_size=1, max_size=3, unique=True)),
            "app_start_s": draw(st.sampled_from([0, 0, 5, 20])),
        }
        for name in names
    ]
    pairs = [(a, b) for a in names for b in names if a != b]
    traffic = [
        {"from": a, "to": b, "rps": draw(st.floats(0.5, 40))}
        for a, b in draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=4, unique=True))
    ]
    duration = draw(st.floats(1, 90))
    task = st.builds(lambda s, n: f"{s}-{n}", st.sampled_from(names), st.integers(1, 7))
    at = st.floats(0, duration)
    action = st.one_of(
        st.builds(
            lambda a, d, t: {"at_s": a, "do": d, "task": t},
            at,
            st.sampled_from(
                ["kill_task", "stop_task", "refuse_task", "blackhole_task", "recover_task"]
            ),
            task,
        ),
        st.builds(
            lambda a, t, ms, hc: {
                "at_s": a,
                "do": "slow_task",
                "task": t,
                "delay_ms": ms,
                "health_check": hc,
            },
            at,
            task,
            st.floats(0, 70_000),
            st.booleans(),
        ),
        st.builds(
            lambda a, t, s, p, hc: {
                "at_s": a,
                "do": "fail_task",
                "task": t,
                "status": s,
                "probability": p,
                "health_check": hc,
            },
            at,
            task,
            st.sampled_from([500, 502, 503, 429]),
            st.floats(0, 1),
            st.booleans(),
        ),
        st.builds(
            lambda a, z, d: {"at_s": a, "do": d, "az": z},
            at,
            st.sampled_from(AZS),
            st.sampled_from(["az_outage", "az_recover"]),
        ),
        st.builds(
            lambda a, s, c: {"at_s": a, "do": "scale", "service": s, "count": c},
            at,
            st.sampled_from(names),
            st.integers(0, 6),
        ),
        st.builds(
            lambda a, s: {"at_s": a, "do": "deploy", "service": s}, at, st.sampled_from(names)
        ),
        st.builds(
            lambda a, v: {
                "at_s": a,
                "do": "set",
                "setting": "alb.deregistration_delay_s",
                "value": v,
            },
            at,
            st.floats(0, 100),
        ),
    )
    # At most one service created during the run; the other actions do not name it.
    added = st.one_of(
        st.just([]),
        st.builds(
            lambda a, n, caller, callee: [
                {
                    "at_s": a,
                    "do": "add_service",
                    "service": {"name": "added", "tasks": n},
                    "traffic": [
                        {"from": caller, "to": "added", "rps": 2},
                        {"from": "added", "to": callee, "rps": 1},
                    ],
                }
            ],
            at,
            st.integers(0, 3),
            st.sampled_from(names),
            st.sampled_from(names),
        ),
    )
    settings_choice = draw(
        st.sampled_from(
            [
                {},
                {"alb": {"algorithm": "least_outstanding_requests"}},
                {"alb": {"algorithm": "weighted_random", "slow_start_s": 30}},
                {"app_mesh": {"discovery": "dns"}},
                {
                    "app_mesh": {
                        "outlier_detection": {
                            "max_server_errors": 2,
                            "interval_s": 5,
                            "base_ejection_duration_s": 10,
                            "max_ejection_percent": 50,
                        }
                    }
                },
                {"client": {"dns_cache": "forever", "retries": 2, "timeout_s": 3}},
                {"envoy": {"lb_policy": "least_request", "panic_threshold_percent": 0}},
                {
                    "envoy": {
                        "outlier_detection": {"failure_window_s": 0},
                        "retry_policy": {"avoid_previous_hosts": False},
                    }
                },
                {
                    "cloud_map": {
                        "dns_ttl_s": 5,
                        "routing_policy": "WEIGHTED",
                        "record_propagation_s": 0,
                    }
                },
                {"ecs": {"task_start_s": 0, "container_health_check": False}},
                {
                    "ecs": {
                        "health_check_grace_period_s": 20,
                        "container_health_start_period_s": 10,
                        "container_health_interval_s": 5,
                        "container_health_timeout_s": 2,
                    }
                },
            ]
        )
    )
    settings_choice = {
        **settings_choice,
        "trace": {"request_sample_every": draw(st.sampled_from([1, 7, 100]))},
    }
    return {
        "pattern": draw(st.sampled_from(PATTERNS)),
        "seed": draw(st.integers(0, 2**32)),
        "duration_s": duration,
        "arrivals": draw(st.sampled_from(["poisson", "uniform"])),
        "services": services,
        "traffic": traffic,
        "settings": settings_choice,
        "actions": draw(st.lists(action, max_size=6)) + draw(added),
    }


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_scenarios(), st.integers(1, 4))
def test_property_valid_scenarios_run_conserve_requests_and_keep_time_order(
    data: dict[str, Any], step: int
) -> None:
    sim = Simulation(data)

    times: list[float] = []
    t = 0.0
    while t < sim.scenario.duration_s:
        t = min(t + step * 7.5, sim.scenario.duration_s)
        times.extend(e["t"] for e in sim.advance(t))
        assert sim.now == t
    result = sim.result()

    assert_run_invariants(result, times)
    # Events report microseconds (Trace rounds to 6 places) and rounding is monotonic, so an event
    # at or before the clock reads at or before the clock rounded the same way.
    assert all(0 <= time <= round(t, 6) for time in times)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
top_keys = st.sampled_from(
    [
        "pattern",
        "seed",
        "duration_s",
        "arrivals",
        "services",
        "traffic",
        "settings",
        "actions",
        "name",
        "zzz",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(top_keys, json_values, max_size=5))
def test_property_arbitrary_json_is_accepted_or_a_scenario_error(data: dict[str, Any]) -> None:
    try:
        load_scenario(data)
    except ScenarioError as error:
        assert error.path
        assert error.reason


@st.composite
def broken_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    data = draw(valid_scenarios())
    breakage = draw(
        st.sampled_from(
            [
                "unknown_key",
                "negative_time",
                "too_many_tasks",
                "too_fast",
                "too_long",
                "bad_type",
                "bad_action",
                "bad_setting",
            ]
        )
    )
    if breakage == "unknown_key":
        data[draw(st.sampled_from(["colour", "Services", "durations"]))] = 1
    elif breakage == "negative_time":
        data["actions"] = [
            *data["actions"],
            {"at_s": -draw(st.floats(0.001, 1e6)), "do": "deploy", "service": "user"},
        ]
    elif breakage == "too_many_tasks":
        data["services"][0]["tasks"] = draw(st.integers(1001, 10**6))
    elif breakage == "too_fast":
        data["traffic"][0]["rps"] = draw(st.floats(10_000.001, 1e9))
    elif breakage == "too_long":
        data["duration_s"] = draw(st.floats(86_400.001, 1e12))
    elif breakage == "bad_type":
        data["services"][0]["tasks"] = draw(st.sampled_from(["3", None, [3], True]))
    elif breakage == "bad_action":
        data["actions"] = [
            *data["actions"],
            {
                "at_s": 1,
                "do": "kill_task",
                "task": draw(st.sampled_from(["x", "user-0", "user-", 5])),
            },
        ]
    else:
        data["settings"] = {
            "alb": {
                draw(st.sampled_from(["unhealthy_threshold", "healthy_threshold"])): draw(
                    st.integers(11, 99)
                )
            }
        }
    return data


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_scenarios())
def test_property_invalid_scenarios_raise_scenario_error(data: dict[str, Any]) -> None:
    with pytest.raises(ScenarioError) as error:
        load_scenario(data)

    assert str(error.value).startswith(error.value.path + ": ")


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["do", "task", "az", "service", "count", "at_s", "delay_ms", "x"]),
        json_values,
        max_size=4,
    )
)
def test_property_live_apply_rejects_garbage_with_scenario_error(action: dict[str, Any]) -> None:
    sim = Simulation(
        {"duration_s": 10, "services": [{"name": "user", "tasks": 1}], "traffic": []}, pattern="elb"
    )

    try:
        sim.apply(action)
    except ScenarioError as error:
        assert error.path


def test_event_times_never_pass_the_end_when_an_action_sits_a_hair_before_it() -> None:
    # Found by hypothesis: an action 1e-14 s before the end rounds up to the end's microsecond.
    end = 72.39967068735534
    data = {
        "duration_s": end,
        "actions": [{"at_s": 72.39967068735533, "do": "kill_task", "task": "user-1"}],
    }

    events = Simulation(data).advance(end)

    assert max(e["t"] for e in events) == round(end, 6)
