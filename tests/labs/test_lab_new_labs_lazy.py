"""The four new labs against a lazy learner: every setting at its minimum, at its maximum, the
defaults, and each field alone at an extreme never pass; a reasoned answer does, per variant."""

from __future__ import annotations

import math
from typing import Any

import pytest
from django.utils import translation

from patterns.labs import checks as labs
from patterns.labs.lab_dns_incident import RIGHT_WHAT, RIGHT_WHY
from patterns.player.playback import INSTANT_LIMITS
from patterns.sim import ScenarioError

NEW_LABS = ("sc-canary", "crash-loop", "dns-incident", "choose-pattern")


def _extreme(spec: labs.LabField, high: bool) -> Any:
    if spec.choices:
        return spec.choices[-1 if high else 0][0]
    return spec.hi if high else spec.lo


def _lazy_tries(lab: labs.Lab) -> list[dict[str, Any]]:
    defaults = lab.defaults()
    tries = [
        defaults,
        {f.name: _extreme(f, False) for f in lab.fields},
        {f.name: _extreme(f, True) for f in lab.fields},
    ]
    for spec in lab.fields:
        tries += [{**defaults, spec.name: _extreme(spec, high)} for high in (False, True)]
    return tries


def _passes(lab: labs.Lab, values: dict[str, Any], params: dict[str, Any]) -> bool:
    if lab.validate(values):
        return False
    try:
        return labs.check(lab, values, params).passed
    except ScenarioError:  # the engine refused the settings: reported beside the field
        return False


@pytest.mark.parametrize("attempt_seed", [1, 2])
@pytest.mark.parametrize("slug", NEW_LABS)
def test_new_lab_a_lazy_learner_never_passes(slug: str, attempt_seed: int) -> None:
    lab = labs.LABS[slug]
    params = labs.draw_params(lab, attempt_seed)

    with translation.override("en"):
        passed = [values for values in _lazy_tries(lab) if _passes(lab, values, params)]

    assert passed == []


@pytest.mark.parametrize("slug", NEW_LABS)
def test_new_lab_every_run_fits_the_sandbox_player(slug: str) -> None:
    # The lab page replays each judged run through the playground's instant API (900 s at most).
    lab = labs.LABS[slug]
    params = labs.draw_params(lab, 1)
    values = {**lab.defaults(), "pattern": "elb"} if slug == "choose-pattern" else lab.defaults()
    tries = [values] + [{**values, **t} for t in _lazy_tries(lab) if t.get("pattern", "elb")]

    durations = {lab.build(values, params)["duration_s"] for values in tries}

    assert max(durations) <= INSTANT_LIMITS.max_duration_s


def _reasoned(slug: str, params: dict[str, Any]) -> dict[str, Any]:
    """What a learner who worked the variant out would set (the hints' reasoning)."""
    if slug == "crash-loop":
        interval = params["hc_interval_s"]
        first_pass = math.ceil(params["app_start_s"] / interval) * interval
        # Two checks may count before the app answers: the third would replace the task.
        return {
            "depends_on_healthy": "yes",
            "start_period_s": first_pass - 2 * interval,
            "grace_period_s": 0,
        }
    if slug == "sc-canary":
        # A small canary with room for data, test requests that fill a 30 s alarm window, and a
        # threshold far above the usual 1 % of 504s, below any bad release's failure rate.
        return {
            "canary_percent": 5.0,
            "canary_bake_time_min": 2,
            "alarm_error_rate_percent": 20,
            "alarm_for_s": "30",
            "test_rps": 5,
        }
    if slug == "dns-incident":
        ttl = {110: 10, 120: 15, 130: 25}[params["goal_s"]]
        return {
            "what_broke": RIGHT_WHAT,
            "why": RIGHT_WHY[params["kind"]],
            "dns_ttl_s": ttl,
            "dns_cache": "ttl",
        }
    from tests.labs.reasoned import choose_pattern  # reasoned.py imports this module

    return choose_pattern(params)


@pytest.mark.parametrize("attempt_seed", range(1, 7))
@pytest.mark.parametrize("slug", NEW_LABS)
def test_new_lab_a_reasoned_answer_passes_every_variant(slug: str, attempt_seed: int) -> None:
    lab = labs.LABS[slug]
    params = labs.draw_params(lab, attempt_seed)

    with translation.override("en"):
        verdict = labs.check(lab, _reasoned(slug, params), params)

    assert verdict.passed, verdict.message
