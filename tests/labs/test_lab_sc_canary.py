"""Lab 7, the Service Connect canary: each side of the Check fails alone, a reasoned setup passes.

Learner seed 1 draws release 1 good and release 2 bad (50 % HTTP 500 from 40 s into its canary
step), 1 % of 504s on every revision, a budget of 10 failed production requests, and a canary of
at least 120 s and 40 production requests.
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


def test_sc_canary_draw_for_learner_one() -> None:
    params = labs.draw_params(SC_CANARY, 1)

    assert {k: params[k] for k in ("bad_release", "bad_percent", "bad_after_s")} == {
        "bad_release": 2,
        "bad_percent": 50,
        "bad_after_s": 40,
    }
    assert (params["noise_percent"], params["max_user_failures"]) == (1, 10)
    assert (params["min_canary_s"], params["min_canary_requests"]) == (120, 40)


def test_sc_canary_stages_follow_the_documented_timing() -> None:
    # Green is healthy 40 s after the deploy (10 s task start, first container check 30 s later),
    # test traffic moves then, the canary step 10 s later and lasts 10 s + the bake.
    values = _values(5, 2, 15, "120", 2)
    params = labs.draw_params(SC_CANARY, 1)
    result = labs.run_lab(SC_CANARY, values, params)

    assert deploy_times(values) == (20, 250)
    assert canary_window(result, 1) == (70.0, 200.0)
    shifted = [e["t"] for e in result["events"] if e["cause"] == "test_traffic_shifted"]
    assert shifted == [60.0, 290.0]


def test_sc_canary_scenario_uses_only_real_settings() -> None:
    scenario = SC_CANARY.build(_values(5, 2, 15, "120", 2), labs.draw_params(SC_CANARY, 1))

    assert load_scenario({**scenario, "pattern": "service-connect"}).what_if == ()


def test_sc_canary_reasoned_setup_passes() -> None:
    verdict = _check(_values(5, 2, 15, "120", 2))

    assert verdict.passed is True
    assert verdict.at_s == 368.0
    assert dict(verdict.measures) == {
        "Bad release rolled back at": "368 s",
        "Failed production requests from the bad release": "5",
        "Good release rolled back at": "—",
        "Good release's canary step": "130 s",
        "Production requests to the good canary": "70",
    }


def test_sc_canary_a_zero_threshold_rolls_back_the_good_release() -> None:
    verdict = _check(_values(10, 2, 0, "60", 2))

    assert verdict.passed is False
    assert verdict.message.startswith(
        "Not yet, the alarm is too sensitive: it rolled back the good release 1 at 108 s, with an "
        "error rate of 0.8 % over its last 60 s."
    )
    assert verdict.at_s == 108.0


def test_sc_canary_defaults_without_alarm_let_the_bad_release_through() -> None:
    verdict = _check(SC_CANARY.defaults())

    assert verdict.passed is False
    assert verdict.message.startswith(
        "Not yet, the bad release 2 was never rolled back: it took all production traffic and "
        "callers saw 303 failed requests from it."
    )
    assert verdict.at_s == 1390.0


def test_sc_canary_a_large_canary_hits_too_many_users() -> None:
    verdict = _check(_values(10, 2, 20, "60", 3))

    assert verdict.passed is False
    assert (
        "callers had already seen 15 failed requests from it; the budget is 10" in verdict.message
    )


def test_sc_canary_a_short_canary_has_too_little_data() -> None:
    verdict = _check(_values(10, 1, 10, "60", 2))

    assert verdict.passed is False
    assert verdict.message.startswith(
        "Not yet, the canary had too little data: the good release 1 spent 70 s in its canary "
        "step with 69 production requests; it needs at least 120 s and 40 requests"
    )


def test_sc_canary_a_bad_first_release_is_caught_by_test_traffic_before_users() -> None:
    # Learner 3: the bad release comes first and fails from its first request.
    verdict = _check(_values(5, 2, 15, "120", 2), learner_seed=3)

    assert verdict.passed is True
    assert dict(verdict.measures)["Bad release rolled back at"] == "75 s"
    assert dict(verdict.measures)["Failed production requests from the bad release"] == "0"


@pytest.mark.parametrize("percent", [0.15, 33.33])
def test_sc_canary_percent_must_be_tenths(percent: float) -> None:
    errors = SC_CANARY.validate(_values(percent, 2, 15, "120", 2))

    assert [name for name, _ in errors] == ["canary_percent"]
