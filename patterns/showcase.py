"""The home page's picture: ECS Service Connect drawn by the diagram renderer from the engine's
own state a few seconds after a task is stopped, not a screenshot file.

Drawn once per language and process (graphviz takes a moment); a failure leaves the home page
without the picture rather than taking it down.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import get_language

from patterns import diagrams
from patterns.catalog import BY_SLUG, scenario_title
from patterns.player.states import element_classes, labels_for, paint_svg
from patterns.sim import Simulation

logger = logging.getLogger(__name__)

PATTERN = "service-connect"
SCENARIO = "kill-task"
SEED = 1
# inventory-2 is stopped at 60 s; at 66 s its replacement is still starting.
AT_S = 66.0

_DRAWN: dict[str, dict[str, Any] | None] = {}


def _draw() -> dict[str, Any] | None:
    try:
        simulation = Simulation(SCENARIO, pattern=PATTERN, seed=SEED)
        simulation.advance(AT_S)
        snapshot = simulation.snapshot()
        topology = diagrams.topology_from_snapshot(snapshot, simulation.result()["scenario"])
        svg = str(diagrams.render_svg(diagrams.build_dot(topology, PATTERN)))
    except Exception:  # noqa: BLE001 - the home page must not fail for its picture
        logger.exception("home picture failed")
        return None
    start = svg.find("<svg")
    if start < 0:
        return None
    classes = element_classes(snapshot, PATTERN)
    return {
        "svg": paint_svg(svg[start:], classes),
        "notable": [
            (element.removeprefix("task-"), ", ".join(str(label) for label in labels_for(names)))
            for element, names in sorted(classes.items())
            if element.startswith("task-") and names != ("state-healthy",)
        ],
    }


def hero() -> dict[str, Any] | None:
    """The picture (SVG markup), the tasks not simply healthy, and where to play the run."""
    language = get_language() or "en"
    if language not in _DRAWN:
        _DRAWN[language] = _draw()
    drawn = _DRAWN[language]
    if drawn is None:
        return None
    query = urlencode({"scenario": SCENARIO, "pattern": PATTERN, "at": f"{AT_S:g}"})
    return {
        **drawn,
        "pattern_name": BY_SLUG[PATTERN].name,
        "scenario_title": scenario_title(SCENARIO),
        "at": AT_S,
        "explore_url": f"{reverse('playground')}?{query}",
    }
