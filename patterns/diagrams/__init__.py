"""Topology diagrams: a topology + a pattern -> DOT text (pure) -> SVG/PNG (graphviz), cached.

The package's public names, from its modules:

- :mod:`~patterns.diagrams.topology`: the topology model (what a diagram draws, never its
  state), its validation and its URL token;
- :mod:`~patterns.diagrams.dot`: one DOT builder per pattern, with the ``graphviz`` package;
- :mod:`~patterns.diagrams.render`: running ``dot`` (with a timeout), the SVG/PNG cache and the
  SVG made inline-safe;
- :mod:`~patterns.diagrams.ids`: the element and edge ids the frames and the lessons share.

Everything except :func:`render_svg`/:func:`render_png` is pure and deterministic: the same
topology gives byte-identical DOT, and the SVG cache is keyed by the DOT's SHA-256.
"""

from __future__ import annotations

from patterns.diagrams.dot import NAMESPACE, build_dot, rows_by_depth
from patterns.diagrams.render import (
    CACHE_SIZE,
    DOT_TIMEOUT_S,
    GraphvizError,
    clear_cache,
    diagram_svg,
    dot_hash,
    inline_svg,
    render_png,
    render_svg,
    run_dot,
    stats,
    width_class,
)
from patterns.diagrams.topology import (
    MAX_CALLS,
    MAX_SERVICES,
    MAX_TASKS,
    MAX_TOKEN_CHARS,
    MAX_TOKEN_JSON_BYTES,
    REGION_AZS,
    TopologyError,
    canonical_json,
    topology_from_scenario,
    topology_from_snapshot,
    topology_from_token,
    topology_token,
    validate_topology,
)
from patterns.sim.elb import ALB_DNS_NAME

__all__ = [
    "ALB_DNS_NAME",
    "CACHE_SIZE",
    "DOT_TIMEOUT_S",
    "MAX_CALLS",
    "MAX_SERVICES",
    "MAX_TASKS",
    "MAX_TOKEN_CHARS",
    "MAX_TOKEN_JSON_BYTES",
    "NAMESPACE",
    "REGION_AZS",
    "GraphvizError",
    "TopologyError",
    "build_dot",
    "canonical_json",
    "clear_cache",
    "diagram_svg",
    "dot_hash",
    "inline_svg",
    "render_png",
    "render_svg",
    "rows_by_depth",
    "run_dot",
    "stats",
    "topology_from_scenario",
    "topology_from_snapshot",
    "topology_from_token",
    "topology_token",
    "validate_topology",
    "width_class",
]
