"""Diagrams: DOT determinism, the layout rules and the edge a hop runs along."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from patterns import diagrams
from patterns.diagrams import ids
from patterns.sim import PATTERNS

# --------------------------------------------------------------------------- DOT


@pytest.mark.unit
@pytest.mark.parametrize("pattern", PATTERNS)
def test_build_dot_same_topology_is_byte_identical(pattern: str, sample: dict[str, Any]) -> None:
    first = diagrams.build_dot(sample, pattern)

    second = diagrams.build_dot(json.loads(json.dumps(sample)), pattern)

    assert first == second


@pytest.mark.unit
def test_build_dot_unknown_pattern_is_topology_error(sample: dict[str, Any]) -> None:
    with pytest.raises(diagrams.TopologyError) as caught:
        diagrams.build_dot(sample, "consul")

    assert caught.value.field == "pattern"


# --------------------------------------------------------------------------- layout rules


@pytest.mark.unit
def test_rows_by_depth_sample_system_puts_callers_above_callees(sample: dict[str, Any]) -> None:
    rows = diagrams.rows_by_depth(sample, "service-connect")

    assert rows == [["user"], ["contract"], ["inventory", "billing"]]


@pytest.mark.unit
def test_rows_by_depth_cycle_is_cut_at_the_closing_call(
    make_services: Callable[..., list[dict[str, Any]]],
) -> None:
    topology = {
        "services": make_services(("a", 1), ("b", 1)),
        "calls": [{"from": "a", "to": "b"}, {"from": "b", "to": "a"}],
    }

    rows = diagrams.rows_by_depth(diagrams.validate_topology(topology), "app-mesh")

    assert rows == [["a"], ["b"]]


@pytest.mark.unit
def test_hop_edge_small_services_names_the_task_pair(sample: dict[str, Any]) -> None:
    edge = ids.hop_edge(sample, "service-connect", "task-contract-1", "task-inventory-2")

    assert edge == "edge-contract-1--inventory-2"


@pytest.mark.unit
def test_hop_edge_elb_and_dns_hops_keep_element_ids(sample: dict[str, Any]) -> None:
    topology = sample

    assert (
        ids.hop_edge(topology, "elb", "task-contract-1", "alb-node-1a")
        == "edge-contract-1--alb-node-1a"
    )
    assert (
        ids.hop_edge(topology, "service-discovery", "task-contract-1", "r53-zone")
        == "edge-contract-1--r53-zone"
    )
