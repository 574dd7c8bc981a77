"""Every request dot names an edge that the diagram on screen really draws.

The diagram shown at a frame is the one of the latest topology the stream announced (``hello``,
then each frame whose task set changed); a dot arrives in a frame and is drawn on that diagram.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest

from patterns import diagrams
from patterns.diagrams.ids import MAX_PAIR_EDGES
from patterns.player.playback import Playback
from patterns.sim import BUILTIN_SCENARIOS, PATTERNS
from tests.player.scenarios import ONE, TINY

pytestmark = pytest.mark.unit

# Built-ins act at 60 s or later; moved 55 s earlier and cut to 30 s, each still shows its
# fault, scale-out or deployment playing out, in a fraction of the time.
SHIFT_S = 55.0
SHORT_S = 30.0

# 13 x 12 = 156 task pairs: above MAX_PAIR_EDGES, so each call is one service-level edge.
AGGREGATED: dict[str, Any] = {
    "name": "aggregated",
    "duration_s": 3,
    "services": [{"name": "front", "tasks": 13}, {"name": "back", "tasks": 12}],
    "traffic": [{"from": "front", "to": "back", "rps": 20}],
}


def _dots(playback: Playback) -> list[dict[str, Any]]:
    return [
        dot for _ in range(playback.windows) for frame in playback.step() for dot in frame["dots"]
    ]


def _short(name: str) -> dict[str, Any]:
    scenario = BUILTIN_SCENARIOS[name]
    actions = [
        {**a, "at_s": max(0.0, a["at_s"] - SHIFT_S)}
        for a in scenario.get("actions", [])
        if a["at_s"] - SHIFT_S < SHORT_S
    ]
    return {**scenario, "duration_s": SHORT_S, "actions": actions}


def _edge_ids(topology: Mapping[str, Any], pattern: str) -> set[str]:
    return set(re.findall(r'id="(edge-[^"]+)"', diagrams.build_dot(topology, pattern)))


def _missing_edges(scenario: Mapping[str, Any], pattern: str) -> tuple[int, list[str]]:
    """(dots seen, edge ids named by a dot but absent from the diagram drawn at that moment)."""
    drawn: dict[str, set[str]] = {}

    def hook(snapshot: Mapping[str, Any], raw: Mapping[str, Any], p: str) -> dict[str, Any] | None:
        topology = diagrams.topology_from_snapshot(snapshot, raw)
        token = diagrams.topology_token(topology)
        if token not in drawn:
            drawn[token] = _edge_ids(topology, p)
        return {"token": token, "svg_url": f"/diagrams/{p}.svg?t={token}"}

    playback = Playback(scenario, pattern, 1, topology_hook=hook)
    shown = playback.hello()["topology_token"]
    dots = 0
    missing: list[str] = []
    while not playback.ended:
        for frame in playback.step():
            shown = frame.get("topology_token") or shown
            for dot in frame["dots"]:
                dots += 1
                missing.extend(edge for edge in dot["path"] if edge not in drawn[shown])
    return dots, missing


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("name", list(BUILTIN_SCENARIOS))
def test_every_dot_of_a_builtin_scenario_runs_on_a_drawn_edge(name: str, pattern: str) -> None:
    dots, missing = _missing_edges(_short(name), pattern)

    assert dots > 0
    assert missing == []


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_dot_of_an_aggregated_call_runs_on_a_drawn_edge(pattern: str) -> None:
    assert MAX_PAIR_EDGES < 13 * 12

    dots, missing = _missing_edges(AGGREGATED, pattern)

    assert dots > 0
    assert missing == []


def test_an_aggregated_call_puts_its_dots_on_the_service_edge_of_the_svg() -> None:
    playback = Playback(AGGREGATED, "service-connect", 1, topology_hook=None)
    topology = diagrams.topology_from_scenario(playback.scenario.to_dict())
    svg_ids = set(re.findall(r' id="([^"]+)"', diagrams.diagram_svg(topology, "service-connect")))

    paths = {tuple(dot["path"]) for dot in _dots(playback)}
    assert paths == {("edge-svc-front--svc-back",)}
    assert "edge-svc-front--svc-back" in svg_ids


def test_elb_dots_go_client_to_alb_node_to_target() -> None:
    dots = _dots(Playback(ONE, "elb", 7, topology_hook=None))

    node = dots[0]["path"][0].split("--")[1]
    assert node.startswith("alb-node-")
    assert dots[0]["path"] == [f"edge-front-1--{node}", f"edge-{node}--back-1"]
    assert dots[0]["dir"] == [1, 1]
    assert len(dots[0]["t"]) == 3
    assert dots[0]["t"][0] == dots[0]["t"][1] == 0.25


def test_service_discovery_dot_visits_the_zone_on_a_dns_miss_only() -> None:
    # Tasks running at 0 s start with warm caches; front-2, started by the scale-out, resolves at
    # its first request (RUNNING at 10 s) and answers the next ones from its cache.
    scaled = {
        **ONE,
        "duration_s": 12,
        "actions": [{"at_s": 0, "do": "scale", "service": "front", "count": 2}],
    }
    dots = _dots(Playback(scaled, "service-discovery", 7, topology_hook=None))
    first, second = [d for d in dots if d["path"][0].startswith("edge-front-2--")][:2]

    assert first["path"] == [
        "edge-front-2--r53-zone",
        "edge-front-2--r53-zone",
        "edge-front-2--back-1",
    ]
    assert first["dir"] == [1, -1, 1]
    assert first["t"][:3] == [10.25, 10.25, 10.25]
    assert second["path"] == ["edge-front-2--back-1"]


@pytest.mark.parametrize("pattern", ["app-mesh", "service-connect"])
def test_envoy_patterns_retry_a_dead_task_as_separate_attempts(pattern: str) -> None:
    playback = Playback(TINY, pattern, 1, topology_hook=None)
    playback.apply({"do": "kill_task", "task": "back-1"})
    playback.apply({"do": "kill_task", "task": "back-2"})

    dots = _dots(playback)

    dead = ("edge-front-1--back-1", "edge-front-1--back-2")
    retried = next(d for d in dots if d["outcome"] == "retried")
    attempts = [d for d in dots if d["id"] == retried["id"]]
    assert [d["attempts"] for d in attempts] == list(range(1, len(attempts) + 1))
    assert all(d["outcome"] == "retried" for d in attempts[:-1])
    assert attempts[-1]["outcome"] != "retried"
    # Envoy's connect timeout (5 s) is the time a dot spends on the edge to a dead task.
    for dot in attempts[:-1]:
        assert dot["path"][0] in dead
        assert dot["t"][1] - dot["t"][0] == pytest.approx(5.0)


def test_elb_answers_503_at_the_node_when_no_target_is_registered() -> None:
    scenario = {**TINY, "settings": {"alb": {"deregistration_delay_s": 0}}}
    playback = Playback(scenario, "elb", 1, topology_hook=None)
    playback.apply({"do": "scale", "service": "back", "count": 0})

    late = [d for d in _dots(playback) if d["t"][0] > 2]
    assert late
    assert {d["outcome"] for d in late} == {"http_503"}
    assert all(len(d["path"]) == 1 and "--alb-node-" in d["path"][0] for d in late)
