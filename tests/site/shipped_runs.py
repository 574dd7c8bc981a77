"""Every run the app ships, as the playground, a lesson player or a lab sandbox sends it to the
server: (label, scenario, pattern, seed). The work budget must let each of them through."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from patterns.labs import checks as labs
from patterns.lessons import library
from patterns.lessons.content import Player
from patterns.sim.scenario import BUILTIN_SCENARIOS, PATTERNS
from tests.labs.test_lazy_learner import VARIANT_SEEDS, lazy_settings

Run = tuple[str, dict[str, Any], str, int]


def builtin_runs() -> Iterator[Run]:
    """The playground's built-in scenarios, under each pattern and all four at once."""
    for name, scenario in BUILTIN_SCENARIOS.items():
        for pattern in (*PATTERNS, "all"):
            yield f"builtin {name} {pattern}", dict(scenario), pattern, 1


def lesson_runs() -> Iterator[Run]:
    for lang in ("en", "ja"):
        for slug, lesson in library.lessons(lang).items():
            for step in lesson.steps:
                for block in step.blocks:
                    if not isinstance(block, Player):
                        continue
                    if block.scenario == "inline":
                        scenario = dict(block.inline or {})
                    else:
                        scenario = dict(BUILTIN_SCENARIOS[block.scenario])
                    seed = int(scenario.get("seed", 1))
                    yield f"lesson {lang} {slug} line {block.line}", scenario, block.pattern, seed


def lab_runs() -> Iterator[Run]:
    """Each lab's sandbox run for the lazy learner's extreme settings and the defaults."""
    for slug, lab in labs.LABS.items():
        for seed in VARIANT_SEEDS:
            params = labs.draw_params(lab, seed)
            for name, values in lazy_settings(lab, seed).items():
                try:
                    scenario = lab.build(values, params)
                except (KeyError, TypeError, ValueError):
                    continue
                pattern = lab.pattern_for(values)
                yield f"lab {slug} {seed} {name}", scenario, pattern, int(params["seed"])


def shipped_runs() -> Iterator[Run]:
    yield from builtin_runs()
    yield from lesson_runs()
    yield from lab_runs()
