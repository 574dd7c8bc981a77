"""Envoy data-plane model: load balancing, panic, outlier detection, retries (facts 26-31)."""

from __future__ import annotations

import random

import pytest

from patterns.sim.proxy import (
    DEFAULT_BASE_EJECTION_TIME_S,
    DEFAULT_CONSECUTIVE_5XX,
    DEFAULT_INTERVAL_S,
    DEFAULT_MAX_EJECTION_PERCENT,
    DEFAULT_MAX_EJECTION_TIME_S,
    DEFAULT_NUM_RETRIES,
    DEFAULT_PANIC_THRESHOLD_PERCENT,
    DEFAULT_ROUTE_TIMEOUT_S,
    MESH_DEFAULT_RETRY_POLICY,
    EnvoyCluster,
    EnvoyClusterConfig,
    HostMonitor,
    OutlierDetectionConfig,
    ProxyEvent,
    RetryDecision,
    RetryPolicy,
    is_outlier_error,
)

pytestmark = pytest.mark.unit

HOSTS3 = ["inventory-1", "inventory-2", "inventory-3"]


def _cluster(
    hosts: list[str] = HOSTS3,
    seed: int = 1,
    lb_policy: str = "round_robin",
    outlier: OutlierDetectionConfig | None = None,
) -> EnvoyCluster:
    config = EnvoyClusterConfig(
        lb_policy=lb_policy,
        outlier_detection=outlier if outlier is not None else OutlierDetectionConfig(),
    )
    return EnvoyCluster(config, random.Random(seed), hosts, now=0.0)


def _fail(cluster: EnvoyCluster, host: str, now: float, times: int = 5) -> list[ProxyEvent]:
    events: list[ProxyEvent] = []
    for _ in range(times):
        cluster.on_start(host)
        events.extend(cluster.on_finish(host, now, "connect_refused"))
    return events


def _picks(cluster: EnvoyCluster, count: int, now: float = 0.0) -> list[str | None]:
    return [cluster.pick(now)[0] for _ in range(count)]


# --- defaults ------------------------------------------------------------------------------------


def test_defaults_match_envoy_documentation() -> None:
    config = EnvoyClusterConfig()

    assert (
        DEFAULT_CONSECUTIVE_5XX,
        DEFAULT_INTERVAL_S,
        DEFAULT_BASE_EJECTION_TIME_S,
        DEFAULT_MAX_EJECTION_TIME_S,
        DEFAULT_MAX_EJECTION_PERCENT,
        DEFAULT_PANIC_THRESHOLD_PERCENT,
        DEFAULT_ROUTE_TIMEOUT_S,
        DEFAULT_NUM_RETRIES,
    ) == (5, 10.0, 30.0, 300.0, 10.0, 50.0, 15.0, 1)
    assert (config.lb_policy, config.outlier_detection, config.retry_policy) == (
        "round_robin",
        None,
        None,
    )


def test_outlier_config_max_ejection_time_defaults_to_larger_of_300_and_base() -> None:
    assert OutlierDetectionConfig().effective_max_ejection_time_s == 300.0
    assert OutlierDetectionConfig(base_ejection_time_s=400.0).effective_max_ejection_time_s == 400.0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"consecutive_5xx": 0}, "consecutive_5xx: must be at least 1"),
        ({"interval_s": 0.0}, "interval_s: must be positive"),
        ({"max_ejection_percent": 101.0}, "max_ejection_percent: must be between 0 and 100"),
        (
            {"base_ejection_time_s": 60.0, "max_ejection_time_s": 30.0},
            "max_ejection_time_s: cannot be smaller than base_ejection_time_s",
        ),
    ],
)
def test_outlier_config_invalid_value_names_the_field(
    kwargs: dict[str, float], message: str
) -> None:
    with pytest.raises(ValueError) as excinfo:
        OutlierDetectionConfig(**kwargs)  # type: ignore[arg-type]

    assert str(excinfo.value) == message


def test_cluster_config_unknown_lb_policy_names_the_field() -> None:
    with pytest.raises(ValueError) as excinfo:
        EnvoyClusterConfig(lb_policy="maglev")

    assert str(excinfo.value) == "lb_policy: must be one of round_robin, least_request, random"


def test_retry_policy_unknown_condition_names_the_field() -> None:
    with pytest.raises(ValueError) as excinfo:
        RetryPolicy(retry_on=("5xx", "sometimes"))

    assert str(excinfo.value) == "retry_on: unknown retry condition 'sometimes'"


# --- per-host monitor ----------------------------------------------------------------------------


def test_host_monitor_on_error_true_exactly_at_threshold() -> None:
    monitor = HostMonitor(threshold=3)

    results = [monitor.on_error() for _ in range(5)]

    assert results == [False, False, True, False, False]


def test_host_monitor_success_resets_the_count() -> None:
    monitor = HostMonitor(threshold=2)
    monitor.on_error()

    monitor.on_success()

    assert monitor.on_error() is False


@pytest.mark.parametrize(
    ("reason", "counts"),
    [
        (None, False),
        ("http_200", False),
        ("http_404", False),
        ("http_500", True),
        ("http_503", True),
        ("connect_refused", True),
        ("connect_timeout", True),
        ("reset", True),
        ("timeout", True),
    ],
)
def test_is_outlier_error_counts_5xx_and_local_origin_failures(
    reason: str | None, counts: bool
) -> None:
    assert is_outlier_error(reason) is counts


# --- fact 26: consecutive 5xx ejection and its duration --------------------------------------------


def test_outlier_ejects_inline_on_fifth_consecutive_error_for_30_s() -> None:
    cluster = _cluster()

    first_four = _fail(cluster, "inventory-2", 12.3, times=4)
    fifth = _fail(cluster, "inventory-2", 12.3, times=1)

    assert first_four == []
    assert fifth == [
        ProxyEvent(
            12.3,
            "outlier_ejected",
            "outlier_ejected",
            "inventory-2",
            {
                "consecutive_errors": 5,
                "ejected_hosts": 1,
                "hosts": 3,
                "multiplier": 1,
                "times_ejected": 1,
                "ejection_time_s": 30.0,
                "until": 42.3,
            },
        )
    ]
    assert cluster.ejected() == {"inventory-2": 42.3}


def test_outlier_success_between_errors_prevents_ejection() -> None:
    cluster = _cluster()
    _fail(cluster, "inventory-2", 1.0, times=4)
    cluster.on_finish("inventory-2", 1.0, None)

    events = _fail(cluster, "inventory-2", 1.0, times=4)

    assert (events, cluster.ejected()) == ([], {})


def test_outlier_client_error_4xx_resets_the_count() -> None:
    cluster = _cluster()
    _fail(cluster, "inventory-2", 1.0, times=4)
    cluster.on_finish("inventory-2", 1.0, "http_404")

    events = _fail(cluster, "inventory-2", 1.0, times=4)

    assert events == []


def test_ejected_host_still_out_at_last_sweep_before_30_s_back_at_first_sweep_after() -> None:
    cluster = _cluster()
    _fail(cluster, "inventory-2", 12.3)

    at_40 = cluster.sweep(40.0)
    still_out = cluster.ejected()
    at_50 = cluster.sweep(50.0)

    assert (at_40, still_out) == ([], {"inventory-2": 42.3})
    assert [(e.t, e.kind, e.cause, e.host) for e in at_50] == [
        (50.0, "outlier_returned", "outlier_returned", "inventory-2")
    ]
    assert cluster.ejected() == {}


def test_ejection_on_a_sweep_tick_returns_exactly_30_s_later() -> None:
    cluster = _cluster()
    _fail(cluster, "inventory-2", 20.0)

    at_49_999 = cluster.sweep(49.999)
    at_50 = cluster.sweep(50.0)

    assert at_49_999 == []
    assert [e.t for e in at_50] == [50.0]


def test_sweep_called_late_runs_each_tick_at_its_own_time() -> None:
    cluster = _cluster()
    _fail(cluster, "inventory-2", 12.3)

    events = cluster.sweep(95.0)

    assert [(e.t, e.host) for e in events] == [(50.0, "inventory-2")]
    assert cluster.next_sweep_s == 100.0


def test_consecutive_ejections_last_30_60_90_then_capped_at_300_s() -> None:
    cluster = _cluster()
    durations: list[float] = []
    now = 0.5

    for _ in range(12):
        ejection = _fail(cluster, "inventory-2", now)[0]
        durations.append(ejection.detail["ejection_time_s"])
        returned: list[ProxyEvent] = []
        while not returned:
            returned = cluster.sweep(cluster.next_sweep_s or 0.0)
        now = returned[0].t + 0.5  # fails again before the next sweep can lower the multiplier

    assert durations == [30.0, 60.0, 90.0, 120.0, 150.0, 180.0, 210.0, 240.0, 270.0, 300.0] + [
        300.0,
        300.0,
    ]


def test_docstring_worked_example_second_ejection_in_a_row_lasts_60_s() -> None:
    cluster = _cluster()
    _fail(cluster, "inventory-2", 12.3)
    cluster.sweep(40.0)
    out_at_40 = cluster.ejected()
    back_at_50 = cluster.sweep(50.0)

    second = _fail(cluster, "inventory-2", 51.0)
    cluster.sweep(110.0)
    out_at_110 = cluster.ejected()
    back_at_120 = cluster.sweep(120.0)

    assert (list(out_at_40), [e.t for e in back_at_50]) == (["inventory-2"], [50.0])
    assert second[0].detail["ejection_time_s"] == 60.0
    assert (list(out_at_110), [e.t for e in back_at_120]) == (["inventory-2"], [120.0])


def test_multiplier_falls_by_one_each_sweep_the_host_stays_in_service() -> None:
    cluster = _cluster()
    _fail(cluster, "inventory-2", 0.0)
    cluster.sweep(30.0)  # back at 30 s, multiplier 1
    _fail(cluster, "inventory-2", 30.5)
    cluster.sweep(100.0)  # 60 s ejection: back at 100 s, multiplier 2
    cluster.sweep(110.0)  # healthy for one interval: multiplier 1

    third = _fail(cluster, "inventory-2", 115.0)
    cluster.sweep(170.0)  # multiplier 2 again: 60 s, back at 180 s
    cluster.sweep(180.0)
    cluster.sweep(200.0)  # two healthy sweeps (190, 200): multiplier 0
    fourth = _fail(cluster, "inventory-2", 201.0)

    assert third[0].detail["multiplier"] == 2
    assert third[0].detail["ejection_time_s"] == 60.0
    assert fourth[0].detail["multiplier"] == 1
    assert fourth[0].detail["ejection_time_s"] == 30.0


def test_errors_while_ejected_are_not_detected_again() -> None:
    cluster = _cluster()
    _fail(cluster, "inventory-2", 1.0)

    events = _fail(cluster, "inventory-2", 2.0, times=10)

    assert events == []
    assert cluster.counters.as_dict() == {
        "detected": 1,
        "enforced": 1,
        "refused": 0,
        "not_enforced": 0,
    }


# --- fact 27: each proxy counts on its own --------------------------------------------------------


def test_each_proxy_tracks_outliers_independently() -> None:
    proxy_a = _cluster(seed=1)
    proxy_b = _cluster(seed=2)

    _fail(proxy_a, "inventory-2", 5.0, times=5)
    _fail(proxy_b, "inventory-2", 5.0, times=4)

    assert (list(proxy_a.ejected()), proxy_b.ejected()) == (["inventory-2"], {})


def test_round_robin_proxy_ejects_a_dead_host_within_5_times_n_requests() -> None:
    cluster = _cluster(seed=7)
    requests = 0

    while not cluster.ejected():
        host, _ = cluster.pick(1.0)
        assert host is not None
        requests += 1
        cluster.on_start(host)
        cluster.on_finish(host, 1.0, "connect_refused" if host == "inventory-2" else None)

    assert 13 <= requests <= 15


# --- fact 28: max ejection percent ---------------------------------------------------------------


def test_ten_hosts_at_most_one_ejected_second_is_refused() -> None:
    hosts = [f"inventory-{n}" for n in range(1, 11)]
    cluster = _cluster(hosts=hosts)

    _fail(cluster, "inventory-1", 1.0)
    refused = _fail(cluster, "inventory-2", 2.0)

    assert list(cluster.ejected()) == ["inventory-1"]
    assert [(e.kind, e.cause, e.host) for e in refused] == [
        ("outlier_ejection_refused", "max_ejection_percent_refused", "inventory-2")
    ]
    assert cluster.counters.as_dict() == {
        "detected": 2,
        "enforced": 1,
        "refused": 1,
        "not_enforced": 0,
    }


def test_three_hosts_one_can_always_be_ejected() -> None:
    cluster = _cluster()

    _fail(cluster, "inventory-1", 1.0)
    _fail(cluster, "inventory-3", 1.0)

    assert list(cluster.ejected()) == ["inventory-1"]


def test_twenty_hosts_two_ejected_third_refused() -> None:
    hosts = [f"inventory-{n}" for n in range(1, 21)]
    cluster = _cluster(hosts=hosts)

    for n in (1, 2, 3):
        _fail(cluster, f"inventory-{n}", 1.0)

    assert list(cluster.ejected()) == ["inventory-1", "inventory-2"]
    assert cluster.counters.refused == 1


def test_refused_host_needs_a_full_new_run_of_errors() -> None:
    cluster = _cluster()
    _fail(cluster, "inventory-1", 1.0)
    _fail(cluster, "inventory-3", 1.0)  # refused; its count starts again
    cluster.sweep(40.0)  # inventory-1 back, a slot is free

    four_more = _fail(cluster, "inventory-3", 41.0, times=4)
    fifth = _fail(cluster, "inventory-3", 41.0, times=1)

    assert four_more == []
    assert [e.kind for e in fifth] == ["outlier_ejected"]


def test_removing_an_ejected_host_frees_its_ejection_slot() -> None:
    cluster = _cluster()
    _fail(cluster, "inventory-1", 1.0)

    cluster.set_hosts(["inventory-2", "inventory-3"], 2.0)
    events = _fail(cluster, "inventory-2", 3.0)

    assert [e.kind for e in events] == ["outlier_ejected"]


def test_set_hosts_keeps_outlier_state_of_hosts_that_stay() -> None:
    cluster = _cluster()
    _fail(cluster, "inventory-1", 1.0)

    cluster.set_hosts(["inventory-1", "inventory-2", "inventory-3", "inventory-4"], 2.0)

    assert list(cluster.ejected()) == ["inventory-1"]
    assert cluster.hosts == ("inventory-1", "inventory-2", "inventory-3", "inventory-4")


# --- fact 29: panic threshold --------------------------------------------------------------------


def test_panic_below_50_percent_available_balances_over_all_hosts() -> None:
    hosts = ["a", "b", "c", "d"]
    cluster = _cluster(hosts=hosts, outlier=OutlierDetectionConfig(max_ejection_percent=100.0))
    _fail(cluster, "a", 1.0)
    _fail(cluster, "b", 1.0)
    at_half = [cluster.pick(1.0) for _ in range(4)]

    _fail(cluster, "c", 1.0)
    below_half = [cluster.pick(1.0) for _ in range(4)]

    assert sorted(host for host, _ in at_half) == ["c", "c", "d", "d"]
    assert {cause for _, cause in at_half} == {"round_robin"}
    assert sorted(host for host, _ in below_half) == ["a", "b", "c", "d"]
    assert {cause for _, cause in below_half} == {"panic_mode"}


def test_panic_threshold_zero_with_all_ejected_is_no_healthy_upstream() -> None:
    config = EnvoyClusterConfig(
        panic_threshold_percent=0.0,
        outlier_detection=OutlierDetectionConfig(max_ejection_percent=100.0),
    )
    cluster = EnvoyCluster(config, random.Random(1), ["a"], now=0.0)
    _fail(cluster, "a", 1.0)

    result = cluster.pick(1.0)

    assert result == (None, "no_healthy_upstream")


def test_pick_with_no_hosts_is_no_healthy_upstream() -> None:
    cluster = _cluster(hosts=[])

    result = cluster.pick(0.0)

    assert result == (None, "no_healthy_upstream")


# --- load balancing ------------------------------------------------------------------------------


def test_round_robin_visits_every_host_in_turn() -> None:
    cluster = _cluster()

    picks = _picks(cluster, 6)

    assert picks[:3] == picks[3:]
    assert sorted(h for h in picks[:3] if h) == HOSTS3
    assert cluster.pick(0.0)[1] == "round_robin"


def test_round_robin_skips_ejected_host() -> None:
    cluster = _cluster()
    _fail(cluster, "inventory-2", 1.0)

    picks = _picks(cluster, 6, now=1.0)

    assert sorted(h for h in picks if h) == ["inventory-1"] * 3 + ["inventory-3"] * 3


def test_least_request_two_choices_fewer_active_wins() -> None:
    seed = 11
    cluster = _cluster(hosts=["a", "b"], seed=seed, lb_policy="least_request")
    cluster.on_start("a")
    twin = random.Random(seed)
    twin.random()  # the round-robin start offset drawn by the constructor
    expected = []
    for _ in range(200):
        first = "ab"[int(twin.random() * 2)]
        second = "ab"[int(twin.random() * 2)]
        expected.append("a" if first == second == "a" else "b")

    picks = [cluster.pick(0.0) for _ in range(200)]

    assert [host for host, _ in picks] == expected
    assert {cause for _, cause in picks} == {"least_request_p2c"}


def test_least_request_tie_keeps_first_draw() -> None:
    seed = 5
    cluster = _cluster(hosts=["a", "b", "c"], seed=seed, lb_policy="least_request")
    twin = random.Random(seed)
    twin.random()
    expected = []
    for _ in range(50):
        expected.append("abc"[int(twin.random() * 3)])
        twin.random()

    picks = _picks(cluster, 50)

    assert picks == expected


def test_random_policy_draws_one_host_uniformly() -> None:
    seed = 3
    cluster = _cluster(seed=seed, lb_policy="random")
    twin = random.Random(seed)
    twin.random()
    expected = [HOSTS3[int(twin.random() * 3)] for _ in range(30)]

    picks = [cluster.pick(0.0) for _ in range(30)]

    assert [host for host, _ in picks] == expected
    assert {cause for _, cause in picks} == {"random_pick"}


def test_on_start_and_on_finish_track_active_requests() -> None:
    cluster = _cluster()
    cluster.on_start("inventory-1")
    cluster.on_start("inventory-1")

    cluster.on_finish("inventory-1", 1.0, None)

    assert cluster.active("inventory-1") == 1
    assert cluster.snapshot()["active"] == {"inventory-1": 1}


def test_cluster_without_outlier_detection_never_ejects() -> None:
    cluster = EnvoyCluster(EnvoyClusterConfig(), random.Random(1), HOSTS3)

    events = _fail(cluster, "inventory-2", 1.0, times=50)

    assert (events, cluster.ejected(), cluster.next_sweep_s) == ([], {}, None)


# --- facts 30 and 31: retries and the route timeout ----------------------------------------------


def test_route_timeout_defaults_to_15_s_and_bounds_all_attempts() -> None:
    config = EnvoyClusterConfig()

    assert config.deadline(10.0) == 25.0
    assert EnvoyClusterConfig(route_timeout_s=0.0).deadline(10.0) == 310.0


@pytest.mark.parametrize(
    ("retry_number", "upper_ms"),
    [(1, 25.0), (2, 75.0), (3, 175.0), (4, 250.0), (9, 250.0)],
)
def test_backoff_is_uniform_below_2_pow_n_minus_1_times_25_ms_capped_at_250(
    retry_number: int, upper_ms: float
) -> None:
    policy = RetryPolicy()
    twin = random.Random(99)

    value = policy.backoff_s(retry_number, random.Random(99))

    assert value == pytest.approx(twin.random() * upper_ms / 1000.0, rel=1e-12)


def test_backoff_samples_stay_inside_their_bounds() -> None:
    policy = RetryPolicy()
    rng = random.Random(4)

    samples = {n: [policy.backoff_s(n, rng) for _ in range(2000)] for n in (1, 2, 3, 4)}

    bounds = {1: 0.025, 2: 0.075, 3: 0.175, 4: 0.25}
    assert all(max(samples[n]) < bounds[n] for n in bounds)
    assert all(min(s) >= 0.0 for s in samples.values())
    assert max(samples[4]) > 0.175  # the cap, not the third retry's bound, limits retry 4


def test_retry_policy_without_count_retries_once() -> None:
    policy = RetryPolicy(retry_on=("5xx",))
    rng = random.Random(1)

    first = policy.decide("http_500", 0, 1.0, 16.0, rng)
    second = policy.decide("http_500", 1, 1.1, 16.0, rng)

    assert first is not None and (first.retry, first.cause) == (True, "retry_on_5xx")
    assert 1.0 <= first.at_s < 1.025
    assert second == RetryDecision(False, 1.1, "retry_budget_exhausted")


def test_retry_that_would_start_after_the_route_timeout_ends_with_route_timeout() -> None:
    policy = RetryPolicy(num_retries=3)

    decision = policy.decide("reset", 0, 15.99, 16.0, random.Random(2))

    assert decision == RetryDecision(False, 16.0, "route_timeout")


@pytest.mark.parametrize(
    ("reason", "cause"),
    [
        ("http_503", "retry_on_503"),
        ("connect_refused", "retry_on_connect_failure"),
        ("connect_timeout", "retry_on_connect_failure"),
        ("reset", "retry_on_reset"),
        ("http_500", None),
        ("http_504", None),
        ("http_404", None),
        ("no_healthy_upstream", None),
    ],
)
def test_app_mesh_default_policy_retries_503_connect_failure_and_reset(
    reason: str, cause: str | None
) -> None:
    decision = MESH_DEFAULT_RETRY_POLICY.decide(reason, 0, 0.0, 15.0, random.Random(1))

    assert (decision.cause if decision else None) == cause
    assert MESH_DEFAULT_RETRY_POLICY.num_retries == 2


@pytest.mark.parametrize(
    ("retry_on", "reason", "retriable"),
    [
        (("5xx",), "http_502", True),
        (("5xx",), "timeout", True),
        (("gateway-error",), "http_500", False),
        (("gateway-error",), "http_504", True),
        (("connect-failure",), "reset", False),
        (("connect-failure",), "connect_timeout", True),
        (("reset",), "connect_refused", True),
        (("retriable-4xx",), "http_409", True),
        (("retriable-4xx",), "http_404", False),
    ],
)
def test_retry_on_names_cover_their_envoy_outcomes(
    retry_on: tuple[str, ...], reason: str, retriable: bool
) -> None:
    assert RetryPolicy(retry_on=retry_on).retriable(reason) is retriable


def test_snapshot_is_json_ready() -> None:
    cluster = _cluster()
    _fail(cluster, "inventory-2", 1.0)

    snapshot = cluster.snapshot()

    assert snapshot == {
        "hosts": HOSTS3,
        "active": {},
        "ejected": {"inventory-2": 31.0},
        "multipliers": {"inventory-2": 1},
        "panic": False,
        "counters": {"detected": 1, "enforced": 1, "refused": 0, "not_enforced": 0},
    }


def test_enforcing_zero_detects_without_ejecting() -> None:
    cluster = _cluster(outlier=OutlierDetectionConfig(enforcing_consecutive_5xx=0.0))

    events = _fail(cluster, "inventory-2", 1.0, times=10)

    assert [(e.kind, e.cause) for e in events] == [("outlier_not_enforced", "consecutive_5xx")] * 2
    assert cluster.ejected() == {}
    assert cluster.counters.as_dict() == {
        "detected": 2,
        "enforced": 0,
        "refused": 0,
        "not_enforced": 2,
    }
