"""One engine snapshot -> the state classes of diagram elements (patterns.player.states)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from patterns.lessons.comparison import SEED
from patterns.lessons.content import parse_lesson, render_lesson
from patterns.player.playback import Playback
from patterns.player.states import STATES, badge_for, badge_table, element_classes, paint_svg
from patterns.sim import BUILTIN_SCENARIOS, PATTERNS, Simulation
from tests.player.scenarios import TINY

pytestmark = pytest.mark.unit


def test_element_classes_mark_behaviour_and_ejection() -> None:
    sim = Simulation(TINY, pattern="service-connect", seed=1)
    sim.apply({"do": "fail_task", "task": "back-1", "status": 503})
    sim.apply({"do": "slow_task", "task": "back-3", "delay_ms": 100})
    sim.advance(6)

    classes = element_classes(sim.snapshot(), "service-connect")

    assert classes["task-back-1"] == ("state-ejected", "state-failing", "state-healthy")
    assert classes["task-back-3"] == ("state-healthy", "state-slow")


# --------------------------------------------------------------------------- lesson and player

# Before each built-in's fault (they act at 60 s), as it starts and as it plays out.
MOMENTS = (1.0, 63.0, 80.0)
FRONT = "---\ntitle: T\norder: 1\nsummary: S\nminutes: 3\n---\n"


def _state_classes(classes: str) -> tuple[str, ...]:
    return tuple(sorted(c for c in classes.split() if c.startswith("state-")))


def _lesson_diagram(name: str, pattern: str, at: float) -> str:
    """The HTML of a lesson step showing ``name`` under ``pattern`` at ``at`` s."""
    text = f"{FRONT}## Step\n::: diagram pattern={pattern} scenario={name} at={at:g}\n:::\n"
    lesson = parse_lesson(text, Path("en/01-probe.md"), "en")
    return render_lesson(lesson, None, "/glossary/")[0].stage


def _lesson_classes(html: str) -> dict[str, tuple[str, ...]]:
    return {el: _state_classes(c) for el, c in re.findall(r'<g id="([^"]+)" class="([^"]*)"', html)}


def _player_classes(name: str, pattern: str, moments: tuple[float, ...]) -> list[dict[str, Any]]:
    """The classes the player's frames give each element at each moment (states folded in)."""
    playback = Playback(BUILTIN_SCENARIOS[name], pattern, SEED, topology_hook=None)
    classes: dict[str, set[str]] = {}
    out = []
    for at in moments:
        while playback.t < at:
            for frame in playback.step():
                for change in frame["states"]:
                    el = classes.setdefault(change["el"], set())
                    el.difference_update(change["remove"])
                    el.update(change["add"])
        out.append({el: tuple(sorted(c)) for el, c in classes.items()})
    return out


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("name", list(BUILTIN_SCENARIOS))
def test_a_lesson_and_the_player_give_the_same_classes_at_the_same_moment(
    name: str, pattern: str
) -> None:
    for at, player in zip(MOMENTS, _player_classes(name, pattern, MOMENTS), strict=True):
        lesson = _lesson_classes(_lesson_diagram(name, pattern, at))

        assert any(el.startswith("task-") for el in lesson)
        assert {el: c for el, c in lesson.items() if c} == {
            el: c for el, c in player.items() if c and el in lesson
        }, f"{name} under {pattern} at {at:g} s"


def test_scale_out_under_elb_shows_new_tasks_as_initial_in_a_lesson_and_the_player() -> None:
    (player,) = _player_classes("scale-out", "elb", (80.0,))

    lesson = _lesson_classes(_lesson_diagram("scale-out", "elb", 80.0))

    new = ("task-inventory-4", "task-inventory-5", "task-inventory-6")
    assert [lesson[el] for el in new] == [("state-initial",)] * 3
    assert [player[el] for el in new] == [("state-initial",)] * 3


def test_a_task_ejected_for_5xx_shows_as_ejected_in_a_lesson_and_the_player() -> None:
    (player,) = _player_classes("errors-5xx", "service-connect", (80.0,))

    html = _lesson_diagram("errors-5xx", "service-connect", 80.0)

    ejected = ("state-ejected", "state-failing", "state-healthy")
    assert _lesson_classes(html)["task-inventory-2"] == ejected
    assert player["task-inventory-2"] == ejected
    task = html[html.index('<g id="task-inventory-2"') :]
    assert re.search(r'<text class="badge"[^>]*>([^<]*)</text>', task[: task.index("</g>")])
    assert "⏏</text>" in task[: task.index("</g>")]


# --------------------------------------------------------------------------- words and badges


def test_badge_for_picks_the_most_severe_state() -> None:
    assert badge_for(["state-healthy"]) == "✓"
    assert badge_for(["state-healthy", "state-slow"]) == "⏱"
    assert badge_for(["state-draining", "state-stopped"]) == "✕"
    assert badge_for(["state-ejected", "state-failing", "state-healthy"]) == "⏏"
    assert badge_for(["node", "task"]) == ""
    assert badge_for(["state-green", "state-healthy"]) == "G"
    assert badge_for(["state-green", "state-initial"]) == "?"
    assert badge_for(["state-green", "state-draining"]) == "⇥"


def test_badge_table_lists_every_state_most_severe_first() -> None:
    assert [name for name, _badge in badge_table()] == [
        "state-stopped",
        "state-az-out",
        "state-ejected",
        "state-failing",
        "state-refusing",
        "state-blackholed",
        "state-slow",
        "state-unhealthy",
        "state-draining",
        "state-initial",
        "state-green",
        "state-pending",
        "state-stale",
        "state-healthy",
    ]
    assert {s.css_class for s in STATES} == {name for name, _badge in badge_table()}


def test_every_state_has_its_words_in_japanese() -> None:
    english = [(str(s.label), str(s.text)) for s in STATES]
    with translation.override("ja"):
        japanese = [(str(s.label), str(s.text)) for s in STATES]

    assert [
        s.name for s, en, ja in zip(STATES, english, japanese, strict=True) if en[0] == ja[0]
    ] == []
    assert [
        s.name for s, en, ja in zip(STATES, english, japanese, strict=True) if en[1] == ja[1]
    ] == []


def test_paint_svg_adds_classes_and_the_task_badge_only_inside_its_element() -> None:
    svg = (
        '<svg><g id="task-a-1" class="node task"><text class="badge" x="1" /></g>'
        '<g id="dns-cache-a" class="node dns-cache"></g>'
        '<g id="task-a-2" class="node task"><text class="badge" x="2" /></g></svg>'
    )

    painted = paint_svg(
        svg, {"task-a-1": ("state-failing", "state-healthy"), "dns-cache-a": ("state-stale",)}
    )

    assert painted == (
        '<svg><g id="task-a-1" class="node task state-failing state-healthy">'
        '<text class="badge" x="1">5xx</text></g>'
        '<g id="dns-cache-a" class="node dns-cache state-stale"></g>'
        '<g id="task-a-2" class="node task"><text class="badge" x="2" /></g></svg>'
    )


# --------------------------------------------------------------------------- the legend

LEGEND = "player/_legend.html"
LEGEND_STATES = [
    "state-pending",
    "state-initial",
    "state-healthy",
    "state-draining",
    "state-unhealthy",
    "state-ejected",
    "state-stopped",
    "state-slow",
    "state-failing",
    "state-refusing",
    "state-blackholed",
    "state-az-out",
    "state-stale",
    "state-green",
    "highlight",
]


def test_diagram_legend_shows_every_state_with_the_diagrams_badge() -> None:
    html = render_to_string(LEGEND)

    swatches = re.findall(r'class="node task ([a-z-]+)">.*?<text class="badge"[^>]*>([^<]*)<', html)

    assert [name for name, _glyph in swatches] == LEGEND_STATES
    assert swatches[:-1] == [(s.css_class, s.badge) for s in STATES]
    assert swatches[-1] == ("highlight", "")


def test_diagram_legend_is_in_japanese() -> None:
    template = Path(__file__).resolve().parents[2] / "templates" / LEGEND
    msgids = re.findall(r'\{% translate "([^"]+)" %\}', template.read_text())
    with translation.override("ja"):
        untranslated = [m for m in msgids if translation.gettext(m) == m]
        html = render_to_string(LEGEND)
        words = [(str(s.label), str(s.text)) for s in STATES]

    assert len(msgids) == 4
    assert untranslated == []
    assert [w for w in words if f">{w[0]}<" not in html or f">{w[1]}<" not in html] == []
    assert ">起動中（pending）<" in html
