"""Lab 10, choosing and configuring the pattern: graded with the guide's rules, the generated
"In AWS" configuration and the engine's run of the deployment.

Learner 3: callers outside ECS in the same VPC, rolling updates of 4 tasks keeping 4, at most 5
running, within 180 s. Learner 7: ECS callers in another namespace, a canary of at most 10 % with
80 requests to green, blue kept 1 min, all within 8 min.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from patterns.guide.decide import decide
from patterns.labs import checks as labs
from patterns.labs.lab_choose_pattern import CHOOSE_PATTERN, answers, create_service


def _check(learner_seed: int, **values: Any) -> labs.Verdict:
    with translation.override("en"):
        params = labs.draw_params(CHOOSE_PATTERN, learner_seed)
        return labs.check(CHOOSE_PATTERN, {**CHOOSE_PATTERN.defaults(), **values}, params)


@pytest.mark.parametrize("learner_seed", range(1, 41))
def test_choose_pattern_draws_only_answers_whose_pick_kumoben_runs(learner_seed: int) -> None:
    params = labs.draw_params(CHOOSE_PATTERN, learner_seed)

    assert decide(answers(params)).pick in ("service-connect", "elb")


def test_choose_pattern_grades_the_generated_create_service_input() -> None:
    params = labs.draw_params(CHOOSE_PATTERN, 7)
    values = {
        **CHOOSE_PATTERN.defaults(),
        "pattern": "elb",
        "strategy": "canary",
        "canary_percent": 10.0,
        "canary_bake_time_min": 2,
        "bake_time_min": 2,
    }

    service = create_service(values, params)

    assert service["deploymentConfiguration"]["strategy"] == "CANARY"
    assert service["deploymentConfiguration"]["canaryConfiguration"] == {
        "canaryPercent": 10.0,
        "canaryBakeTimeInMinutes": 2,
    }
    assert service["deploymentConfiguration"]["bakeTimeInMinutes"] == 2
    assert "loadBalancers" in service


def test_choose_pattern_rolling_reasoned_setup_passes() -> None:
    verdict = _check(3, pattern="elb", minimum_healthy_percent=100, maximum_percent=125)

    assert verdict.passed is True
    assert verdict.message == (
        "Passed: the pattern fits, ECS keeps at least 4 tasks and runs at most 5 (required 4 and "
        "5), and the deployment finished after 160 s (at most 180 s)."
    )
    assert verdict.moment == 190.0


def test_choose_pattern_a_pattern_that_cannot_reach_the_callers_fails_with_the_guides_reason() -> (
    None
):
    verdict = _check(3, pattern="service-connect", minimum_healthy_percent=100, maximum_percent=125)

    assert verdict.passed is False
    assert verdict.message.startswith(
        "Not yet. Pattern fits the requirements: ECS Service Connect cannot meet these "
        "requirements. Clients outside the namespace can reach the proxy's address but cannot "
        "resolve Service Connect names"
    )


def test_choose_pattern_a_workable_but_heavier_pattern_fails_without_naming_the_answer() -> None:
    verdict = _check(
        3, pattern="service-discovery", minimum_healthy_percent=100, maximum_percent=125
    )

    assert verdict.passed is False
    assert "another pattern meets these requirements with less to build and run" in verdict.message
    assert "ELB" not in verdict.message


@pytest.mark.parametrize(
    ("percents", "message"),
    [
        (
            (100, 200),
            "Not yet. Tasks at once: maximumPercent, rounded down, allows 8 tasks at once;",
        ),
        (
            (50, 125),
            "Not yet. Capacity kept: minimumHealthyPercent, rounded up, keeps 2 tasks;",
        ),
        ((100, 100), "Not yet. Deployment time: the deployment never finished"),
    ],
)
def test_choose_pattern_rolling_extremes_fail_on_their_side(
    percents: tuple[int, int], message: str
) -> None:
    low, high = percents
    verdict = _check(3, pattern="elb", minimum_healthy_percent=low, maximum_percent=high)

    assert verdict.passed is False
    assert verdict.message.startswith(message)


def test_choose_pattern_canary_reasoned_setup_passes() -> None:
    verdict = _check(
        7,
        pattern="elb",
        strategy="canary",
        canary_percent=10.0,
        canary_bake_time_min=2,
        bake_time_min=2,
    )

    assert verdict.passed is True
    assert dict(verdict.measures)["Requests to green in the canary step"] == "121"
    assert dict(verdict.measures)["Deployment finished after"] == "310 s"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        (
            {"canary_percent": 20.0},
            "Not yet. Users a new version meets first: a new version gets 20 %",
        ),
        ({"canary_bake_time_min": 0}, "Not yet. Canary had data: green got 7 requests"),
        (
            {"canary_bake_time_min": 10},
            "Not yet. Deployment time: the deployment took 790 s; the requirement is 8 min.",
        ),
        ({"bake_time_min": 0}, "Not yet. Blue kept after the shift: bakeTimeInMinutes is 0;"),
        ({"strategy": "rolling"}, "Not yet. Release strategy: the generated service uses ROLLING;"),
    ],
)
def test_choose_pattern_canary_extremes_fail_on_their_side(
    values: dict[str, Any], message: str
) -> None:
    base = {"strategy": "canary", "canary_percent": 10.0, "canary_bake_time_min": 2}
    verdict = _check(7, pattern="elb", **{**base, "bake_time_min": 2, **values})

    assert verdict.passed is False
    assert verdict.message.startswith(message)


@pytest.mark.parametrize(("pattern", "field"), [("", "pattern"), ("app-mesh", "pattern")])
def test_choose_pattern_needs_a_pattern_that_still_runs(pattern: str, field: str) -> None:
    errors = CHOOSE_PATTERN.validate({**CHOOSE_PATTERN.defaults(), "pattern": pattern})

    assert [name for name, _ in errors] == [field]


def test_choose_pattern_requirements_use_the_guides_words_in_japanese() -> None:
    with translation.override("ja"):
        params = labs.draw_params(CHOOSE_PATTERN, 3)

    assert params["requirements"].startswith("<strong>サービスを呼び出すのは誰ですか？</strong>")
    assert "タスクは 4 個。" in params["requirements"]
    assert params["requirements"].count("<br><strong>") == 3  # one requirement a line
    assert "&lt;" not in params["requirements"]
