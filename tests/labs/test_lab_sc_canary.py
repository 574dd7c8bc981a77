"""Lab 7, the Service Connect canary: each side of the Check fails alone, a reasoned setup passes.

Learner seed 1 draws release 1 good and release 2 bad (80 % HTTP 500 from 40 s into its canary
step), 1 % of 504s on every revision, a budget of 8 failed production requests, and a canary of
at least 120 s and 50 production requests.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from patterns.labs import checks as labs
from patterns.labs.lab_sc_canary import SC_CANARY, canary_window, deploy_times
from patterns.sim import load_scenario


def _values(
    percent: float, bake: int, alarm: float | None, for_s: str, test_rps: int
) -> dict[str, Any]:
    return {
        "canary_percent": percent,
        "canary_bake_time_min": bake,
        "alarm_error_rate_percent": alarm,
        "alarm_for_s": for_s,
        "test_rps": test_rps,
    }


def _check(values: dict[str, Any], learner_seed: int = 1) -> labs.Verdict:
    with translation.override("en"):
        return labs.check(SC_CANARY, values, labs.draw_params(SC_CANARY, learner_seed))


def _broken(verdict: labs.Verdict) -> dict[str, str]:
    return {o.key: o.detail for o in verdict.outcomes if not o.passed}


def test_sc_canary_draw_for_learner_one() -> None:
    params = labs.draw_params(SC_CANARY, 1)

    assert {k: params[k] for k in ("bad_release", "bad_percent", "bad_after_s")} == {
        "bad_release": 2,
        "bad_percent": 80,
        "bad_after_s": 40,
    }
    assert (params["noise_percent"], params["max_user_failures"]) == (1, 8)
    assert (params["min_canary_s"], params["min_canary_requests"]) == (120, 50)


def test_sc_canary_stages_follow_the_documented_timing() -> None:
    # Green is healthy 40 s after the deploy (10 s task start, first container check 30 s later),
    # test traffic moves then, the canary step 10 s later and lasts 10 s + the bake.
    values = _values(5, 2, 20, "30", 5)
    params = labs.draw_params(SC_CANARY, 1)
    result = labs.run_lab(SC_CANARY, values, params)

    assert deploy_times(values) == (20, 250)
    assert canary_window(result, 1) == (70.0, 200.0)
    shifted = [e["t"] for e in result["events"] if e["cause"] == "test_traffic_shifted"]
    assert shifted == [60.0, 290.0]


def test_sc_canary_scenario_uses_only_real_settings() -> None:
    scenario = SC_CANARY.build(_values(5, 2, 20, "30", 5), labs.draw_params(SC_CANARY, 1))

    assert load_scenario({**scenario, "pattern": "service-connect"}).what_if == ()


def test_sc_canary_reasoned_setup_passes() -> None:
    # 5 % of production on green for 130 s, test requests filling the alarm's 30 s window, and a
    # threshold far above the 1 % of 504s but below the bad release's 80 %.
    verdict = _check(_values(5, 2, 20, "30", 5))

    assert verdict.passed is True
    assert verdict.moment == 347.0
    assert dict(verdict.measures) == {
        "Bad release rolled back at": "347 s",
        "Failed production requests from the bad release": "7",
        "Good release rolled back at": "—",
        "Good release's canary step": "130 s",
        "Production requests to the good canary": "78",
    }
    assert verdict.events == (
        (210.0, "Release 1 finished: it serves all traffic."),
        (347.0, "Alarm on release 2 in PRODUCTION_TRAFFIC_SHIFT: error rate 20.4 % over 30 s."),
        (347.0, "Release 2 rolled back to blue in PRODUCTION_TRAFFIC_SHIFT."),
    )


def test_sc_canary_a_zero_threshold_rolls_back_the_good_release() -> None:
    verdict = _check(_values(10, 2, 0, "60", 2))

    assert verdict.passed is False
    assert _broken(verdict) == {
        "good-kept": "the alarm rolled release 1 back at 68 s (error rate 25 % over its last 60 "
        "s), though it only had its usual 1 % of 504s.",
        "canary-data": "release 1's canary step ran 0 s with 0 production requests; it needs at "
        "least 120 s and 50.",
    }
    assert verdict.message.startswith("Not yet. Good release kept: the alarm rolled release 1")
    assert verdict.moment == 68.0


def test_sc_canary_defaults_without_alarm_let_the_bad_release_through() -> None:
    verdict = _check(SC_CANARY.defaults())

    assert verdict.passed is False
    assert _broken(verdict) == {
        "bad-rolled-back": "no alarm rolled release 2 back; it took all production traffic.",
        "users-spared": "callers saw 324 failed production requests from it; the budget is 8.",
    }
    assert verdict.moment == 550.0


def test_sc_canary_a_large_canary_hits_too_many_users() -> None:
    verdict = _check(_values(20, 2, 20, "120", 5))

    assert verdict.passed is False
    assert _broken(verdict) == {
        "users-spared": "callers saw 28 failed production requests from it; the budget is 8."
    }
    assert verdict.moment == 354.0


def test_sc_canary_a_short_canary_has_too_little_data() -> None:
    verdict = _check(_values(10, 1, 20, "30", 5))

    assert verdict.passed is False
    assert _broken(verdict) == {
        "users-spared": "callers saw 11 failed production requests from it; the budget is 8.",
        "canary-data": "release 1's canary step ran 70 s with 73 production requests; it needs at "
        "least 120 s and 50.",
    }


def test_sc_canary_a_bad_first_release_is_caught_by_test_traffic_before_users() -> None:
    # Learner 3: the bad release comes first and fails from its first request.
    verdict = _check(_values(5, 2, 20, "30", 5), learner_seed=3)

    assert verdict.passed is True
    assert dict(verdict.measures)["Bad release rolled back at"] == "66 s"
    assert dict(verdict.measures)["Failed production requests from the bad release"] == "0"
    assert verdict.events[0] == (
        66.0,
        "Alarm on release 1 in TEST_TRAFFIC_SHIFT: error rate 33.3 % over 30 s.",
    )


@pytest.mark.parametrize("percent", [0.15, 33.33])
def test_sc_canary_percent_must_be_tenths(percent: float) -> None:
    errors = SC_CANARY.validate(_values(percent, 2, 15, "120", 2))

    assert [name for name, _ in errors] == ["canary_percent"]
