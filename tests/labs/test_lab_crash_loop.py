"""Lab 8, the crash-looping deployment: the loop, the broken task and the failures each fail.

Learner seed 1 draws checks every 10 s, an app start of 60 s, inventory-6 broken, replacement
within 90 s and at most 2 failed requests. The deploy is at 30 s, containers start at 40 s and
are checked at 50, 60, ...; the app answers from 100 s.
"""

from __future__ import annotations

import pytest
from django.utils import translation

from patterns.labs import checks as labs
from patterns.labs.lab_crash_loop import CRASH_LOOP, replacements


def _values(depends: str, start_period_s: int, grace_period_s: int = 0) -> dict[str, object]:
    return {
        "depends_on_healthy": depends,
        "start_period_s": start_period_s,
        "grace_period_s": grace_period_s,
    }


def _check(values: dict[str, object], learner_seed: int = 1) -> labs.Verdict:
    with translation.override("en"):
        return labs.check(CRASH_LOOP, values, labs.draw_params(CRASH_LOOP, learner_seed))


def _broken(verdict: labs.Verdict) -> dict[str, str]:
    return {o.key: o.detail for o in verdict.outcomes if not o.passed}


def test_crash_loop_draw_for_learner_one() -> None:
    params = labs.draw_params(CRASH_LOOP, 1)

    assert {k: params[k] for k in ("hc_interval_s", "app_start_s", "broken_task")} == {
        "hc_interval_s": 10,
        "app_start_s": 60,
        "broken_task": "inventory-6",
    }
    assert (params["replace_within_s"], params["max_failed"]) == (90, 2)


def test_crash_loop_defaults_loop_every_forty_seconds() -> None:
    # Checks at 50, 60, 70 s fail: the 3rd failure at 70 s replaces all three new tasks, and
    # their replacements fail the same way 40 s later.
    result = labs.run_lab(CRASH_LOOP, CRASH_LOOP.defaults(), labs.draw_params(CRASH_LOOP, 1))

    times = sorted({t for t, _ in replacements(result)})
    assert times[:4] == [70.0, 110.0, 150.0, 190.0]


def test_crash_loop_defaults_fail_on_the_loop() -> None:
    verdict = _check(CRASH_LOOP.defaults())

    assert verdict.passed is False
    assert _broken(verdict) == {
        "no-crash-loop": "ECS replaced inventory-4 at 70 s while its app was still starting, 20 "
        "starting tasks in all: a crash loop. Its health check used up its retries before the app "
        "could answer.",
        "callers-spared": "callers saw 43 failed requests; the goal is at most 2.",
    }
    assert verdict.moment == 70.0
    assert verdict.events[0] == (70.0, "ECS replaced inventory-4: its health check failed.")


def test_crash_loop_reasoned_fix_passes() -> None:
    # startPeriod 40 s counts only the checks at 80 and 90 s before the pass at 100 s (2 < 3);
    # the broken task fails 80, 90, 100 s and is replaced at 100 s, 70 s after the deploy.
    verdict = _check(_values("yes", 40))

    assert verdict.passed is True
    assert verdict.moment == 100.0
    assert dict(verdict.measures) == {
        "Starting tasks ECS replaced": "0",
        "Broken task replaced at": "100 s",
        "Failed requests": "0",
        "Deployment finished at": "170 s",
    }


@pytest.mark.parametrize("values", [_values("yes", 300), _values("yes", 0, 7200)])
def test_crash_loop_an_endless_start_or_grace_keeps_the_broken_task(
    values: dict[str, object],
) -> None:
    verdict = _check(values)

    assert verdict.passed is False
    assert _broken(verdict) == {
        "broken-replaced": "ECS never replaced inventory-6; the goal is within 90 s of the "
        "deployment."
    }


def test_crash_loop_a_start_period_too_long_replaces_the_broken_task_late() -> None:
    # Learner 5: app start 60 s, checks every 10 s, goal 80 s: startPeriod 60 s replaces at 120 s.
    verdict = _check(_values("yes", 60), learner_seed=5)

    assert verdict.passed is False
    assert _broken(verdict) == {
        "broken-replaced": "ECS replaced inventory-5 90 s after the deployment started at 30 s; "
        "the goal is within 80 s."
    }
    assert verdict.moment == 120.0


def test_crash_loop_without_depends_on_callers_fail() -> None:
    verdict = _check(_values("no", 40))

    assert verdict.passed is False
    assert _broken(verdict) == {
        "callers-spared": "callers saw 12 failed requests; the goal is at most 2."
    }
    assert verdict.moment == 45
