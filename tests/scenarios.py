"""Small scenarios that tests of several packages share: a ``front`` service calling ``back``."""

from __future__ import annotations

from typing import Any


def two_services(
    *, name: str = "tiny", duration_s: int = 5, back_tasks: int = 2, rps: float = 4
) -> dict[str, Any]:
    """One ``front`` task calling ``back`` at ``rps`` with uniform arrivals: a run whose every
    window holds the same handful of requests, so frames can be asserted exactly."""
    return {
        "name": name,
        "duration_s": duration_s,
        "arrivals": "uniform",
        "services": [{"name": "front", "tasks": 1}, {"name": "back", "tasks": back_tasks}],
        "traffic": [{"from": "front", "to": "back", "rps": rps}],
    }


# Two services, one call: 5 windows with a handful of requests each.
TINY: dict[str, Any] = two_services()
