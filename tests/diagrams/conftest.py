"""Fixtures the diagram tests share: the sample system's topology and a service-list factory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from patterns import diagrams
from patterns.sim import load_scenario


@pytest.fixture
def sample() -> dict[str, Any]:
    """The sample system (scenario ``steady``) at t = 0: 4 services x 3 tasks over 1a/1c/1d."""
    return diagrams.topology_from_scenario(load_scenario("steady").to_dict())


@pytest.fixture
def make_services() -> Callable[..., list[dict[str, Any]]]:
    """``make_services(("a", 2), ("b", 0))``: services over the region's AZs, tasks spread in order."""

    def make(*specs: tuple[str, int]) -> list[dict[str, Any]]:
        azs = list(diagrams.REGION_AZS)
        return [
            {
                "name": name,
                "azs": azs,
                "tasks": [
                    {"id": f"{name}-{n}", "az": azs[(n - 1) % 3]} for n in range(1, count + 1)
                ],
            }
            for name, count in specs
        ]

    return make
