"""The lab framework: verdicts judged on several outcomes, the registry other modules add to."""

from __future__ import annotations

import dataclasses

import pytest

from patterns.labs import checks as labs


def _outcome(key: str, passed: bool) -> labs.Outcome:
    return labs.Outcome(key, f"Side {key}", passed, f"measured {key}.")


def test_a_verdict_passes_only_when_every_outcome_passes_and_names_each_broken_side() -> None:
    passed = labs.judged([_outcome("a", True), _outcome("b", True)], [("x", "1")], "Passed: yes.")
    failed = labs.judged(
        [_outcome("a", False), _outcome("b", True), _outcome("c", False)], [], "Passed: yes.", 12.5
    )

    assert (passed.passed, passed.message, passed.measures) == (True, "Passed: yes.", (("x", "1"),))
    assert failed.passed is False
    assert failed.message == "Not yet. Side a: measured a. Side c: measured c."
    assert failed.moment == 12.5
    assert [o.key for o in failed.outcomes] == ["a", "b", "c"]


def test_register_keeps_the_labs_in_order_and_refuses_duplicates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(labs, "LABS", dict(labs.LABS))
    extra = dataclasses.replace(labs.ELB_DEAD_TASK, slug="an-early-lab", order=0)

    labs.register(extra)

    assert next(iter(labs.LABS)) == "an-early-lab"
    with pytest.raises(ValueError, match="registered already"):
        labs.register(extra)
    with pytest.raises(ValueError, match="registered already"):
        labs.register(dataclasses.replace(extra, slug="same-order"))


def test_draw_params_depend_on_the_attempt_seed() -> None:
    lab = labs.ELB_DEAD_TASK
    draws = {repr(sorted(labs.draw_params(lab, seed).items())) for seed in range(1, 41)}

    assert labs.draw_params(lab, 5) == labs.draw_params(lab, 5)
    assert len(draws) > 20
