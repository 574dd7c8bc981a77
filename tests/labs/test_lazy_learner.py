"""The lazy learner: settings chosen without thinking never pass a lab, in any drawn variant.

For EVERY lab in the registry (labs other modules register are covered as they appear): every
field at its minimum, every field at its maximum, the defaults, and each field alone at its
minimum and at its maximum with the others at their defaults, over several variants. A choice
field's "minimum" is the first choice the page lists in that attempt and its "maximum" the last. Settings the form or the lab
refuses count as not passed (the learner gets an error beside the field). And for each lab the
reasoned solution in reasoned.py, worked out from the drawn numbers, passes in several variants.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from patterns.labs import checks as labs
from patterns.labs.forms import lab_form
from patterns.sim import ScenarioError
from tests.labs.reasoned import REASONED

VARIANT_SEEDS = (3, 1717, 40961)


def _low(lab: labs.Lab, field: labs.LabField, seed: int) -> Any:
    return labs.choice_order(lab.slug, field, seed)[0][0] if field.choices else field.lo


def _high(lab: labs.Lab, field: labs.LabField, seed: int) -> Any:
    return labs.choice_order(lab.slug, field, seed)[-1][0] if field.choices else field.hi


def lazy_settings(lab: labs.Lab, seed: int) -> dict[str, dict[str, Any]]:
    defaults = lab.defaults()
    plays = {
        "all at min": {f.name: _low(lab, f, seed) for f in lab.fields},
        "all at max": {f.name: _high(lab, f, seed) for f in lab.fields},
        "defaults": dict(defaults),
    }
    for field in lab.fields:
        plays[f"{field.name} at min"] = {**defaults, field.name: _low(lab, field, seed)}
        plays[f"{field.name} at max"] = {**defaults, field.name: _high(lab, field, seed)}
    return plays


def play(
    lab: labs.Lab, values: Mapping[str, Any], params: Mapping[str, Any], seed: int
) -> labs.Verdict | None:
    """What a Check gives for these values: a verdict, or None when the form refuses them."""
    data = {k: ("" if v is None else v) for k, v in values.items()}
    form = lab_form(lab, seed, data)
    if not form.is_valid() or lab.validate(form.cleaned_data):
        return None
    try:
        return labs.check(lab, form.cleaned_data, params)
    except ScenarioError:
        return None


@pytest.mark.parametrize("seed", VARIANT_SEEDS)
@pytest.mark.parametrize("slug", list(labs.LABS))
def test_the_lazy_learner_passes_no_lab(slug: str, seed: int) -> None:
    lab = labs.LABS[slug]
    params = labs.draw_params(lab, seed)
    passed = []
    for name, values in lazy_settings(lab, seed).items():
        verdict = play(lab, values, params, seed)
        if verdict is not None and verdict.passed:
            passed.append((name, values, verdict.message))

    assert passed == []


@pytest.mark.parametrize("seed", (*VARIANT_SEEDS, 90001, 123457))
@pytest.mark.parametrize("slug", list(labs.LABS))
def test_a_reasoned_solution_passes_every_variant(slug: str, seed: int) -> None:
    lab = labs.LABS[slug]
    params = labs.draw_params(lab, seed)
    values = REASONED[slug](params)

    verdict = play(lab, values, params, seed)

    assert verdict is not None, values
    assert verdict.passed, verdict.message


def test_every_lab_has_a_reasoned_solution() -> None:
    assert set(REASONED) == set(labs.LABS)
