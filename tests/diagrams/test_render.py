"""Diagrams: SVG ids and post-processing, the cache, running dot."""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from patterns import diagrams
from patterns.diagrams import ids, render
from patterns.sim import PATTERNS, load_scenario


def _ids(svg: str) -> list[str]:
    return re.findall(r' id="([^"]+)"', svg)


def _x_of(svg: str, element_id: str) -> float:
    """Left edge of an element's outline in the SVG (graphviz coordinates)."""
    start = svg.index(f'id="{element_id}"')
    chunk = svg[start : start + 4000]
    numbers = [float(n) for n in re.findall(r'(?:d="M|points=")(-?[\d.]+)', chunk)]
    return numbers[0]


SAMPLE_COMMON = [
    *(f"task-{s}-{n}" for s in ("user", "contract", "inventory", "billing") for n in (1, 2, 3)),
    *(f"svc-{s}" for s in ("user", "contract", "inventory", "billing")),
    *(
        f"svc-{s}-az-{az}"
        for s in ("user", "contract", "inventory", "billing")
        for az in ("1a", "1c", "1d")
    ),
]
SAMPLE_IDS = {
    "elb": [
        "alb",
        "alb-dns",
        "alb-node-1a",
        "alb-node-1c",
        "alb-node-1d",
        "tg-contract",
        "tg-inventory",
        "tg-billing",
        "edge-contract-1--alb-node-1a",
        "edge-alb-node-1a--inventory-2",
        "edge-user-3--alb-node-1d",
    ],
    "app-mesh": [
        "appmesh-cp",
        "cloud-map",
        "vs-contract",
        "vs-inventory",
        "vs-billing",
        "vr-contract",
        "vr-inventory",
        "vr-billing",
        "vn-user",
        "vn-contract",
        "vn-inventory",
        "vn-billing",
        "edge-contract-1--inventory-2",
    ],
    "service-discovery": [
        "cloud-map",
        "r53-zone",
        "dns-cache-user",
        "dns-cache-contract",
        "edge-contract-1--r53-zone",
        "edge-contract-1--inventory-2",
        "edge-cloud-map--r53-zone",
    ],
    "service-connect": ["sc-namespace", "edge-contract-1--inventory-2", "edge-user-2--contract-3"],
}


@pytest.mark.parametrize("pattern", PATTERNS)
def test_render_svg_sample_system_has_every_contract_id_once(
    pattern: str, sample: dict[str, Any]
) -> None:
    svg = diagrams.diagram_svg(sample, pattern)

    ids = _ids(svg)

    assert [i for i in SAMPLE_COMMON + SAMPLE_IDS[pattern] if i not in ids] == []
    assert len(ids) == len(set(ids))
    assert not [i for i in ids if i.startswith(("a_", "node", "edge&"))]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_render_svg_is_inline_safe(pattern: str, sample: dict[str, Any]) -> None:
    svg = diagrams.diagram_svg(sample, pattern)

    head = svg[: svg.index(">")]

    assert svg.startswith("<svg ")
    assert "<?xml" not in svg and "<!DOCTYPE" not in svg and "<!--" not in svg
    assert " width=" not in head and " height=" not in head and "viewBox=" in head
    assert "<a " not in svg and "<script" not in svg and "xlink:href" not in svg
    assert '<pattern id="kb-hatch"' in svg


def test_render_svg_task_carries_class_data_and_badge(sample: dict[str, Any]) -> None:
    svg = diagrams.diagram_svg(sample, "service-connect")

    start = svg.index('id="task-inventory-2"')
    group = svg[svg.rindex("<g", 0, start) : svg.index("</g>", start)]

    assert group.startswith(
        '<g id="task-inventory-2" class="node task" data-svc="inventory" data-az="1c">'
    )
    assert "<title>ECS task inventory-2 · ap-northeast-1c · SC agent</title>" in group
    assert 'class="shape-fill"' in group and 'class="shape"' in group
    assert 'class="badge"' in group


def test_render_svg_same_dot_twice_from_graphviz_is_identical(sample: dict[str, Any]) -> None:
    dot = diagrams.build_dot(sample, "elb")
    diagrams.clear_cache()
    first = diagrams.render_svg(dot)
    diagrams.clear_cache()

    second = diagrams.render_svg(dot)

    assert first == second


@pytest.mark.parametrize("pattern", PATTERNS)
def test_render_svg_scale_out_keeps_existing_task_order(
    pattern: str, sample: dict[str, Any]
) -> None:
    topology = sample
    scaled = json.loads(json.dumps(topology))
    scaled["services"][2]["tasks"] += [
        {"id": "inventory-4", "az": "ap-northeast-1a"},
        {"id": "inventory-5", "az": "ap-northeast-1c"},
        {"id": "inventory-6", "az": "ap-northeast-1d"},
    ]
    before = diagrams.diagram_svg(topology, pattern)

    after = diagrams.diagram_svg(scaled, pattern)

    for service in ("user", "contract", "inventory", "billing"):
        ids = [f"task-{service}-{n}" for n in (1, 2, 3)]
        assert sorted(ids, key=lambda i: _x_of(before, i)) == ids
        assert sorted(ids, key=lambda i: _x_of(after, i)) == ids
    new_order = [
        "inventory-1",
        "inventory-4",
        "inventory-2",
        "inventory-5",
        "inventory-3",
        "inventory-6",
    ]
    assert sorted(new_order, key=lambda i: _x_of(after, f"task-{i}")) == new_order


# --------------------------------------------------------------------------- cache


def test_render_svg_second_call_is_a_cache_hit(sample: dict[str, Any]) -> None:
    dot = diagrams.build_dot(sample, "app-mesh")
    diagrams.clear_cache()
    first = diagrams.render_svg(dot)

    second = diagrams.render_svg(dot)

    assert second is first
    assert (diagrams.stats["svg_renders"], diagrams.stats["svg_hits"]) == (1, 1)


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "diagrams-test",
        }
    }
)
def test_render_svg_configured_django_cache_serves_after_process_cache_is_cleared(
    sample: dict[str, Any],
) -> None:
    dot = diagrams.build_dot(sample, "service-discovery")
    diagrams.clear_cache()
    first = diagrams.render_svg(dot)
    diagrams.clear_cache()

    second = diagrams.render_svg(dot)

    assert second == first
    assert (diagrams.stats["svg_renders"], diagrams.stats["svg_hits"]) == (0, 1)


def test_run_dot_missing_graphviz_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")

    with pytest.raises(diagrams.GraphvizError) as caught:
        diagrams.run_dot("digraph { a }", "svg")

    assert str(caught.value) == "graphviz 'dot' is not installed (Debian: apt-get install graphviz)"


def test_run_dot_hung_dot_is_killed_after_the_timeout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A "dot" that never answers: it records its pid, then becomes a long sleep.
    fake = tmp_path / "dot"
    fake.write_text(f"#!/bin/sh\necho $$ > {tmp_path}/pid\nexec {shutil.which('sleep')} 60\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(render, "DOT_TIMEOUT_S", 0.5)

    with pytest.raises(diagrams.GraphvizError) as caught:
        diagrams.run_dot("digraph { a }", "svg")

    assert str(caught.value) == "graphviz 'dot' took longer than 0.5 s"
    pid = int((tmp_path / "pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_run_dot_bad_dot_is_graphviz_error_with_dot_message() -> None:
    with pytest.raises(diagrams.GraphvizError) as caught:
        diagrams.run_dot("digraph { a -> }", "svg")

    assert str(caught.value).startswith(
        "graphviz 'dot' failed: Error: <stdin>: syntax error in line 1"
    )


@pytest.mark.parametrize(
    ("view_box", "expected"),
    [
        ("0 0 600 10", "kb-w-600"),
        ("0 0 600.5 10", "kb-w-800"),
        ("0 0 1500 9", "kb-w-1500"),
        ("0 0 1501 9", "kb-w-max"),
    ],
)
def test_width_class_buckets_by_viewbox_width(view_box: str, expected: str) -> None:
    assert diagrams.width_class(view_box) == expected


@pytest.mark.parametrize("pattern", PATTERNS)
def test_render_svg_cycle_and_empty_service_render_with_unique_ids(
    pattern: str, make_services: Callable[..., list[dict[str, Any]]]
) -> None:
    topology = {
        "services": make_services(("a", 2), ("b", 2), ("c", 0)),
        "calls": [{"from": "a", "to": "b"}, {"from": "b", "to": "a"}],
    }

    ids = _ids(diagrams.diagram_svg(topology, pattern))

    assert len(ids) == len(set(ids))
    assert {"svc-c", "svc-c-az-1a", "task-a-2", "task-b-1"} <= set(ids)


def test_render_svg_dense_call_draws_one_aggregated_edge_that_hop_edge_names(
    make_services: Callable[..., list[dict[str, Any]]],
) -> None:
    # 13 x 12 = 156 task pairs > MAX_PAIR_EDGES (144): one service-level edge stands for them.
    topology = diagrams.validate_topology(
        {
            "services": make_services(("front", 13), ("back", 12)),
            "calls": [{"from": "front", "to": "back"}],
        }
    )

    svg = diagrams.diagram_svg(topology, "service-connect")
    edge = ids.hop_edge(topology, "service-connect", "task-front-13", "task-back-1")

    assert edge == "edge-svc-front--svc-back"
    assert [i for i in _ids(svg) if i.startswith("edge-")] == [edge]
    assert "> 156 task pairs<" in svg


def test_render_svg_canary_routes_reach_both_virtual_nodes() -> None:
    topology = diagrams.topology_from_scenario(load_scenario("canary-90-10").to_dict())

    svg = diagrams.diagram_svg(topology, "app-mesh")

    ids = set(_ids(svg))
    assert {
        "vn-inventory",
        "vn-inventory-v2",
        "edge-contract-1--inventory-v2-3",
        "edge-contract-2--inventory-1",
    } <= ids
    assert "edge-contract-1--inventory-v2-3" in ids and ">90 % <" in svg and ">10 % <" in svg


def test_render_svg_labels_diagram_and_edges_for_assistive_tech(sample: dict[str, Any]) -> None:
    svg = diagrams.diagram_svg(sample, "elb")

    start = svg.index('id="edge-contract-1--alb-node-1a"')

    assert 'aria-label="elb diagram: 4 ECS services, 12 tasks"' in svg[: svg.index(">")]
    assert (
        svg[start : start + 200].split("<title>")[1].startswith("contract-1 → alb-node-1a</title>")
    )
