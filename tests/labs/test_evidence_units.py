"""A lab verdict's key events keep each number on one line with its unit (narrate.keep_units, as
the player's event lines and a lesson's watch line do): "30 s" never breaks between "30" and "s"
in the verdict's narrow column, in either language."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from patterns.labs import checks as labs

SPLITTABLE = re.compile(r"\d (?:ミリ秒|秒|分|回|件|%|％|ms|s|min)(?![A-Za-z])")


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "en",
            "After 5 failures within 30\u00a0s, outlier detection in the Envoy in contract-3"
            " ejected task inventory-1 from the load-balancing set for 30\u00a0s.",
        ),
        (
            "ja",
            "30\u00a0秒以内に 5\u00a0回失敗したため、contract-3 の Envoy の outlier detection が"
            "タスク inventory-1 を負荷分散の対象から外しました（30\u00a0秒間）。",
        ),
    ],
)
def test_verdict_key_events_keep_numbers_with_their_units(lang: str, expected: str) -> None:
    lab = labs.LABS["service-connect-outlier"]
    with translation.override(lang):
        verdict = labs.check(lab, lab.defaults(), labs.draw_params(lab, 1))

    assert (83.7, expected) in verdict.events
    assert [text for _, text in verdict.events if SPLITTABLE.search(text)] == []
